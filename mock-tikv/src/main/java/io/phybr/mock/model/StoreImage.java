package io.phybr.mock.model;

import java.util.BitSet;
import java.util.Collection;
import java.util.TreeMap;

/**
 * What one store's data directory holds: its peers (by region id) and the user writes its KV
 * engine has applied (one engine per store, shared by all its peers, as in TiKV).
 */
public final class StoreImage {
    public final long id;
    public final TreeMap<Long, Peer> peers;
    public final BitSet data;

    public StoreImage(long id, TreeMap<Long, Peer> peers, BitSet data) {
        this.id = id;
        this.peers = peers;
        this.data = data;
    }

    public static StoreImage empty(long id) {
        return new StoreImage(id, new TreeMap<>(), new BitSet());
    }

    public StoreImage copy() {
        TreeMap<Long, Peer> p = new TreeMap<>();
        peers.forEach((k, v) -> p.put(k, v.copy()));
        return new StoreImage(id, p, (BitSet) data.clone());
    }

    public Peer peer(long regionId) {
        return peers.get(regionId);
    }

    public Collection<Peer> allPeers() {
        return peers.values();
    }

    /**
     * Why TiKV refuses to start on this data directory, or null if it starts. R16 (tidb#43433): when a store's kv
     * volume was snapshotted after its raft volume, a peer has applied entries its raft log does not hold. At start
     * TiKV builds every non-tombstone peer's storage (raftstore {@code fsm/store.rs} init) and
     * {@code entry_storage.rs validate_states} then finds the apply state's recorded commit index (≥ applied) above the
     * hard state's commit and looks for that entry in the raft engine: it is not there, so it fails with "log at
     * recorded commit index … doesn't exist, may lose data" and the node does not start — after it registered with PD
     * ({@code raft_server.rs}: {@code put_store} comes before {@code start_store}). So PD lists the store, and it never
     * answers: no report of it reaches any adviser.
     */
    public String bootFailure() {
        for (Peer p : peers.values()) {
            if (!p.tombstone && p.appliedIndex() > p.lastIndex()) {
                return "store " + id + " does not start: region " + p.regionId + " peer " + p.peerId + " applied index "
                        + p.appliedIndex() + " is above its raft last index " + p.lastIndex()
                        + " (raft and kv volumes snapshotted at different instants, tidb#43433): validate state fail";
            }
        }
        return null;
    }
}
