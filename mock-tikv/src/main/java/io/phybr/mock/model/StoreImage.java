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
}
