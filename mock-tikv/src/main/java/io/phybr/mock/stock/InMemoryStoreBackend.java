package io.phybr.mock.stock;

import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A store held in memory: its peers as TiKV reports them ({@link LocalPeer}) with their Raft state, and a flat list
 * of MVCC keys (writes and locks with their commit ts). Enough to check what an adviser did: who leads, that
 * everything got applied, and that nothing newer than the resolved ts is left.
 *
 * <p>Raft state of a peer: its log ends at {@code last_index} in term {@code last_log_term} (the reported hard-state
 * term, so last entry term = hard-state term), applied and committed up to {@code applied}; it keeps no entries
 * (applying them has no effect on the KV data here). Its voters are the region's peers: one per store that holds
 * the region in the same layout ({@link #link}), and the rest — peer ids no store of the layout holds — on absent
 * stores that never vote.
 */
public final class InMemoryStoreBackend implements StoreBackend {
    /** One key of the store's KV data: a committed write, or a lock (locks are always deleted by resolve). */
    public record Kv(byte[] key, long commitTs, boolean lock) {
    }

    /** Absent stores (never running) get ids below this one. */
    private static final long ABSENT = -1;

    private final long storeId;
    private final Map<Long, LocalPeer> metas = new TreeMap<>();
    private final StoreImage image;
    private final List<Kv> kvs = new ArrayList<>();
    private volatile Object lock = this;

    public InMemoryStoreBackend(long storeId) {
        this.storeId = storeId;
        this.image = StoreImage.empty(storeId);
    }

    /** Adds a peer that has applied (and knows committed) up to {@code applied} (≤ its last index). */
    public synchronized InMemoryStoreBackend addPeer(LocalPeer p, long applied) {
        if (metas.containsKey(p.regionId())) {
            throw new IllegalArgumentException("store " + storeId + " already holds region " + p.regionId());
        }
        metas.put(p.regionId(), p);
        TreeMap<Long, Long> members = new TreeMap<>();
        long[] ids = p.peerIds().length == 0 ? new long[] {p.regionId() * 1000 + storeId} : p.peerIds().clone();
        Arrays.sort(ids);
        members.put(storeId, ids[ids.length - 1]);
        for (int i = 0; i < ids.length - 1; i++) {
            members.put(ABSENT - i, ids[i]);
        }
        Peer peer = new Peer(storeId, p.regionId(), members.get(storeId), Math.min(applied, p.lastIndex()),
                p.lastIndex(), p.lastLogTerm(), p.startKey(), p.endKey(), p.version(), 1, members);
        peer.tombstone = p.tombstone();
        image.peers.put(p.regionId(), peer);
        return this;
    }

    /**
     * Makes the stores of one layout each other's voters: a region's voters are the stores holding it, each with one
     * of its peer ids (by store order); peer ids left over stay on absent stores.
     */
    static void link(List<InMemoryStoreBackend> stores) {
        Map<Long, List<InMemoryStoreBackend>> holders = new TreeMap<>();
        for (InMemoryStoreBackend s : stores) {
            s.metas.keySet().forEach(r -> holders.computeIfAbsent(r, k -> new ArrayList<>()).add(s));
        }
        holders.forEach((region, on) -> {
            long[] ids = on.get(0).metas.get(region).peerIds().clone();
            Arrays.sort(ids);
            TreeMap<Long, Long> members = new TreeMap<>();
            int next = 0;
            for (InMemoryStoreBackend s : on) {
                members.put(s.storeId, next < ids.length ? ids[next++] : region * 1000 + s.storeId);
            }
            for (long absent = ABSENT; next < ids.length; absent--) {
                members.put(absent, ids[next++]);
            }
            for (InMemoryStoreBackend s : on) {
                Peer p = s.image.peer(region);
                p.members.clear();
                p.members.putAll(members);
                p.peerId = members.get(s.storeId);
            }
        });
    }

    public synchronized InMemoryStoreBackend addKv(Kv kv) {
        kvs.add(kv);
        return this;
    }

    @Override
    public long storeId() {
        return storeId;
    }

    @Override
    public StoreImage raft() {
        return image;
    }

    @Override
    public synchronized List<LocalPeer> peers() {
        List<LocalPeer> out = new ArrayList<>();
        metas.forEach((id, m) -> {
            Peer p = image.peer(id);
            out.add(new LocalPeer(id, m.peerIds(), p.hardStateTerm(), p.lastIndex(), 0, m.version(), p.tombstone,
                    m.startKey(), m.endKey()));
        });
        return out;
    }

    @Override
    public void resolve(long resolvedTs, ResolveSink sink) {
        List<Kv> writes;
        long locks;
        synchronized (this) {
            locks = kvs.stream().filter(Kv::lock).count();
            kvs.removeIf(Kv::lock);
            sink.message(locks, 0); // cleanup_lock: one message, every lock, whatever its ts
            writes = new ArrayList<>(kvs);
        }
        long[] ts = writes.stream().mapToLong(Kv::commitTs).toArray();
        List<Kv> doomed = new ArrayList<>();
        StoreBackend.resolveWrites(ts, resolvedTs, i -> doomed.add(writes.get(i)), sink);
        synchronized (this) {
            kvs.removeAll(doomed);
        }
    }

    // ---- what tests look at ---------------------------------------------------------------

    /** The lock guarding the replicas: the cluster's {@link RaftNet} once the store joined one. */
    void guardedBy(Object lock) {
        this.lock = lock;
    }

    /** Regions whose peer here leads now. */
    public Set<Long> leaders() {
        synchronized (lock) {
            Set<Long> out = new TreeSet<>();
            image.peers.forEach((id, p) -> {
                if (!p.silenced && !p.tombstone) {
                    out.add(id);
                }
            });
            return out;
        }
    }

    /** Whether every live peer applied its whole log. */
    public boolean allApplied() {
        synchronized (lock) {
            return image.allPeers().stream().allMatch(p -> p.tombstone || p.applied >= p.last);
        }
    }

    public synchronized List<Kv> kvs() {
        return List.copyOf(kvs);
    }

    @Override
    public String toString() {
        return "InMemoryStoreBackend[store " + storeId + ", " + metas.size() + " peers, " + kvs.size() + " keys]";
    }
}
