package io.phybr.mock.stock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A store held in memory: its peers (with applied index and leadership) and a flat list of MVCC keys
 * (writes and locks with their commit ts). Enough to check what the adviser did: who was forced to
 * lead, that everything got applied, and that nothing newer than the resolved ts is left.
 */
public final class InMemoryStoreBackend implements StoreBackend {
    /** One key of the store's KV data: a committed write, or a lock (locks are always deleted by resolve). */
    public record Kv(byte[] key, long commitTs, boolean lock) {
    }

    private final long storeId;
    /** The peers, compact: a million-region cluster's stores fit in a few hundred MB (see {@link PeerColumns}). */
    private final PeerColumns peers = new PeerColumns();
    private final List<Kv> kvs = new ArrayList<>();
    private final List<Long> forced = new ArrayList<>();
    private int reboots;

    public InMemoryStoreBackend(long storeId) {
        this.storeId = storeId;
    }

    /** Adds a peer that has applied up to {@code applied} (≤ its last index). */
    public synchronized InMemoryStoreBackend addPeer(LocalPeer p, long applied) {
        peers.add(p, applied, "store " + storeId);
        return this;
    }

    public synchronized InMemoryStoreBackend addKv(Kv kv) {
        kvs.add(kv);
        return this;
    }

    @Override
    public long storeId() {
        return storeId;
    }

    /** Every peer, ascending by region id; the elements are built as they are read. */
    @Override
    public synchronized List<LocalPeer> peers() {
        return peers.view(peers.size(), this);
    }

    @Override
    public synchronized void forceLeader(long regionId) {
        int i = peers.find(regionId);
        if (i < 0 || peers.tombstone(i)) {
            throw new IllegalArgumentException("region " + regionId + " not found on store " + storeId);
        }
        peers.setLeader(i, true);
        peers.setApplied(i, peers.lastIndex(i));
        forced.add(regionId);
    }

    @Override
    public synchronized void applyAll() {
        for (int i = 0; i < peers.size(); i++) {
            peers.setApplied(i, peers.lastIndex(i));
        }
    }

    @Override
    public long resolve(long resolvedTs, ResolveProgress progress) {
        long deleted = 0;
        long cursor = 0;
        List<Kv> doomed;
        synchronized (this) {
            doomed = kvs.stream().filter(k -> k.lock() || k.commitTs() > resolvedTs).toList();
            kvs.removeAll(doomed);
        }
        for (Kv k : doomed) {
            deleted++;
            cursor = k.commitTs();
            if (deleted % 64 == 0) {
                progress.report(deleted, cursor);
            }
        }
        progress.report(deleted, cursor);
        return deleted;
    }

    @Override
    public synchronized void reboot() {
        reboots++;
        for (int i = 0; i < peers.size(); i++) {
            peers.setLeader(i, false);
        }
    }

    // ---- what tests look at ---------------------------------------------------------------

    /** Regions whose peer here is leader now. */
    public synchronized Set<Long> leaders() {
        Set<Long> out = new TreeSet<>();
        for (int i = 0; i < peers.size(); i++) {
            if (peers.leader(i)) {
                out.add(peers.regionId(i));
            }
        }
        return out;
    }

    /** The peers that lead now, ascending by region id. */
    public synchronized List<LocalPeer> ledPeers() {
        List<LocalPeer> out = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            if (peers.leader(i)) {
                out.add(peers.peer(i));
            }
        }
        return out;
    }

    /** Every forceLeader call, in order (a re-sent plan shows up twice). */
    public synchronized List<Long> forcedLeaders() {
        return List.copyOf(forced);
    }

    public synchronized boolean allApplied() {
        for (int i = 0; i < peers.size(); i++) {
            if (peers.applied(i) != peers.lastIndex(i)) {
                return false;
            }
        }
        return true;
    }

    public synchronized List<Kv> kvs() {
        return List.copyOf(kvs);
    }

    public synchronized int reboots() {
        return reboots;
    }

    /** Peers on the store, tombstones included. */
    public synchronized int peerCount() {
        return peers.size();
    }

    /** Heap bytes of the peer columns (the mock's own memory per region, for capacity rehearsals). */
    public synchronized long peerBytes() {
        return peers.footprint();
    }

    @Override
    public String toString() {
        return "InMemoryStoreBackend[store " + storeId + ", " + peers.size() + " peers, " + kvs.size() + " keys]";
    }

    static String hex(byte[] b) {
        return Arrays.toString(b);
    }
}
