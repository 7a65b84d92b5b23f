package io.phybr.mock.stock;

import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A store held in memory: its peers as TiKV reports them, compact ({@link PeerColumns}: a million-region cluster's
 * stores fit in a few hundred MB), and a flat list of MVCC keys (writes and locks with their commit ts). Enough to
 * check what an adviser did: who leads, that everything got applied, and that nothing newer than the resolved ts
 * is left.
 *
 * <p>Raft state: a peer's log ends at {@code last_index} in term {@code last_log_term} (the reported hard-state term,
 * so last entry term = hard-state term), applied and committed up to its applied index, no vote; it keeps no
 * entries (applying them changes no KV data here). The {@link RaftNet} sees a peer as a {@link Peer} made from the
 * columns the first time it touches it ({@link #raftPeer}); a peer it never touched never voted, so WaitApply skips
 * it (R8). Its voters are the region's peers: one per store of the same layout that holds the region ({@link #link}),
 * and the rest — peer ids no store of the layout holds — on absent stores that never vote.
 */
public final class InMemoryStoreBackend implements StoreBackend {
    /** One key of the store's KV data: a committed write, or a lock (locks are always deleted by resolve). */
    public record Kv(byte[] key, long commitTs, boolean lock) {
    }

    /** Absent voters get store ids at and below this one (never running). */
    private static final long ABSENT = -1;

    private final long storeId;
    private final PeerColumns peers = new PeerColumns();
    /** Peers the Raft network touched, as model replicas (the rest are only in the columns). */
    private final StoreImage image;
    private final List<Kv> kvs = new ArrayList<>();
    private final io.phybr.mock.model.FlashbackLedger ledger = new io.phybr.mock.model.FlashbackLedger();
    /** The stores of the same layout, in store order: a region's voters (see {@link #link}). */
    private List<InMemoryStoreBackend> layout = List.of();
    private volatile Object lock = this;

    public InMemoryStoreBackend(long storeId) {
        this.storeId = storeId;
        this.image = StoreImage.empty(storeId);
    }

    /** Adds a peer that has applied (and knows committed) up to {@code applied} (≤ its last index). */
    public synchronized InMemoryStoreBackend addPeer(LocalPeer p, long applied) {
        peers.add(p, applied, storeId); // the message only on a refusal: a million peers are added at start
        return this;
    }

    /** Makes the stores of one layout each other's voters. */
    static void link(List<InMemoryStoreBackend> stores) {
        List<InMemoryStoreBackend> sorted = new ArrayList<>(stores);
        sorted.sort((a, b) -> Long.compare(a.storeId, b.storeId));
        for (InMemoryStoreBackend s : sorted) {
            s.layout = List.copyOf(sorted);
        }
    }

    /** The lock guarding the replicas: the cluster's {@link RaftNet} once the store joined one. */
    void guardedBy(Object lock) {
        this.lock = lock;
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

    /**
     * The Raft replica of {@code region}, made from the columns on first use: silenced (recovery mode), voters one
     * per store of the layout holding the region, each with one of its peer ids by store order, the rest absent.
     */
    @Override
    public Peer raftPeer(long region) {
        Peer made = image.peer(region);
        if (made != null) {
            return made;
        }
        LocalPeer m;
        long applied;
        synchronized (this) {
            int i = peers.find(region);
            if (i < 0) {
                return null;
            }
            m = peers.peer(i);
            applied = peers.applied(i);
        }
        long[] ids = m.peerIds().length == 0 ? new long[] {region * 1000 + storeId} : m.peerIds().clone();
        Arrays.sort(ids);
        TreeMap<Long, Long> members = new TreeMap<>();
        int next = 0;
        for (InMemoryStoreBackend s : layout.isEmpty() ? List.of(this) : layout) {
            if (s == this || s.holds(region)) {
                members.put(s.storeId, next < ids.length ? ids[next++] : region * 1000 + s.storeId);
            }
        }
        for (long absent = ABSENT; next < ids.length; absent--) {
            members.put(absent, ids[next++]);
        }
        Peer p = Peer.of(storeId, region).peerId(members.get(storeId)).applied(applied).lastIndex(m.lastIndex())
                .term(m.lastLogTerm()).range(m.startKey(), m.endKey()).version(m.version()).confVer(1)
                .members(members).build();
        if (m.tombstone()) {
            p.markTombstone();
        }
        p.silence();
        image.peers.put(region, p);
        return p;
    }

    private synchronized boolean holds(long region) {
        return peers.find(region) >= 0;
    }

    /**
     * Every peer, ascending by region id, built as read; a peer the Raft network touched shows its hard state. The list
     * also encodes runs of ReadRegionMeta's metas straight from the columns ({@link ReportedMetas.Encoded}).
     */
    @Override
    public List<LocalPeer> peers() {
        List<LocalPeer> base;
        synchronized (this) {
            base = peers.view(peers.size(), this);
        }
        return new PeerList(base);
    }

    /** {@link #peers()}: a view of the first {@code base.size()} peers. */
    private final class PeerList extends AbstractList<LocalPeer> implements ReportedMetas.Encoded {
        private final List<LocalPeer> base;

        PeerList(List<LocalPeer> base) {
            this.base = base;
        }

        @Override
        public LocalPeer get(int i) {
            LocalPeer m = base.get(i);
            Peer p;
            synchronized (lock) {
                p = image.peer(m.regionId());
            }
            return asRaftSees(m, p);
        }

        /**
         * The run {@code [from, to)} read at once, taking each lock once instead of once per peer (ReadRegionMeta
         * reads a million peers in runs); a copy, not a view — each peer as {@link #get} would build it.
         */
        @Override
        public List<LocalPeer> subList(int from, int to) {
            java.util.Objects.checkFromToIndex(from, to, size());
            List<LocalPeer> run = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                run.add(base.get(i));
            }
            synchronized (lock) {
                for (int k = 0; k < run.size(); k++) {
                    Peer p = image.peer(run.get(k).regionId());
                    if (p != null) {
                        run.set(k, asRaftSees(run.get(k), p));
                    }
                }
            }
            return run;
        }

        /**
         * The metas of {@link #subList subList(from, to)} as {@link ReportedMetas#metasOf} makes them, but encoded
         * straight from the columns under one hold of the store's lock. Only peers that need more than the columns —
         * one the Raft network touched (its hard state is reported), one a report fault names, a tombstone — are
         * built as {@link LocalPeer}s and go through {@code metasOf}. The Raft view is then read under the network's
         * lock, as {@link #subList} reads it.
         */
        @Override
        public void metas(int from, int to, List<io.phybr.mock.fault.Fault.ReportFault> garbage,
                          java.util.Collection<byte[]> out) {
            java.util.Objects.checkFromToIndex(from, to, size());
            int n = to - from;
            if (n == 0) {
                return;
            }
            long[] regions = new long[n];
            byte[][] metas = new byte[n][];
            LocalPeer[] built = new LocalPeer[n]; // the peers that take the general path; null elsewhere
            synchronized (InMemoryStoreBackend.this) {
                for (int k = 0; k < n; k++) {
                    int i = from + k;
                    regions[k] = peers.regionId(i);
                    if (peers.tombstone(i) || !garbage.isEmpty() && ReportedMetas.faulted(regions[k], garbage)) {
                        built[k] = peers.peer(i);
                    } else {
                        metas[k] = peers.stockMeta(i);
                    }
                }
            }
            synchronized (lock) {
                // only the peers the network touched (usually none while ReadRegionMeta runs), not a lookup per peer
                for (Map.Entry<Long, Peer> e : image.peers.subMap(regions[0], true, regions[n - 1], true).entrySet()) {
                    int k = Arrays.binarySearch(regions, e.getKey());
                    if (k >= 0) {
                        if (built[k] == null) {
                            synchronized (InMemoryStoreBackend.this) { // the network's lock, then the store's: as raftPeer
                                built[k] = peers.peer(peers.find(regions[k])); // peers are only ever added
                            }
                        }
                        built[k] = asRaftSees(built[k], e.getValue());
                    }
                }
            }
            for (int k = 0; k < n; k++) {
                if (built[k] != null) {
                    ReportedMetas.metasOf(built[k], garbage, out);
                } else {
                    out.add(metas[k]);
                }
            }
        }

        @Override
        public int size() {
            return base.size();
        }
    }

    /** Peer {@code m} as its Raft replica {@code p} (if the network touched it) now stands. */
    private static LocalPeer asRaftSees(LocalPeer m, Peer p) {
        return p == null ? m : LocalPeer.of(m.regionId()).peers(m.peerIds()).lastLogTerm(p.hardStateTerm())
                .lastIndex(p.lastIndex()).version(m.version()).tombstone(p.tombstone())
                .range(m.startKey(), m.endKey()).build();
    }

    @Override
    public synchronized List<Version> versions(byte[] start, byte[] end) {
        return kvs.stream().filter(kv -> !kv.lock() && io.phybr.mock.model.Keys.contains(start, end, kv.key()))
                .map(kv -> new Version(kv.key(), kv.commitTs())).toList();
    }

    /** Locks in {@code [start, end)}; a lock's {@code commitTs} is its start ts. */
    @Override
    public synchronized List<Version> locks(byte[] start, byte[] end) {
        return kvs.stream().filter(kv -> kv.lock() && io.phybr.mock.model.Keys.contains(start, end, kv.key()))
                .map(kv -> new Version(kv.key(), kv.commitTs())).toList();
    }

    @Override
    public synchronized void rollbackLock(byte[] key, long ts) {
        kvs.removeIf(kv -> kv.lock() && kv.commitTs() == ts && Arrays.equals(kv.key(), key));
    }

    @Override
    public io.phybr.mock.model.FlashbackLedger ledger() {
        return ledger;
    }

    @Override
    public void resolve(long resolvedTs, int scanBatch, ResolveSink sink) {
        List<Kv> writes;
        synchronized (this) {
            long locks = kvs.stream().filter(Kv::lock).count();
            kvs.removeIf(Kv::lock);
            sink.message(locks, 0); // cleanup_lock: one message, every lock, whatever its ts
            writes = new ArrayList<>(kvs);
        }
        long[] ts = writes.stream().mapToLong(Kv::commitTs).toArray();
        List<Kv> doomed = new ArrayList<>();
        StoreBackend.resolveWrites(ts, resolvedTs, scanBatch, i -> doomed.add(writes.get(i)), sink);
        synchronized (this) {
            kvs.removeAll(doomed);
        }
    }

    // ---- what tests look at ---------------------------------------------------------------

    /**
     * Puts this store's peer of {@code region} in the state a won election leaves (leading, applied to its last
     * index) without running one — for checker tests that need a recovered-looking store. The mock stores never
     * call it: their leaders come from {@link RaftNet} elections.
     */
    public void forceLeader(long region) {
        synchronized (lock) {
            Peer p = raftPeer(region);
            if (p == null || p.tombstone()) {
                throw new IllegalArgumentException("region " + region + " not found on store " + storeId);
            }
            p.unsilence();
            p.applyAllPersisted();
        }
    }

    /** Regions whose peer here leads now. */
    public Set<Long> leaders() {
        synchronized (lock) {
            Set<Long> out = new TreeSet<>();
            image.peers.forEach((id, p) -> {
                if (!p.silenced() && !p.tombstone()) {
                    out.add(id);
                }
            });
            return out;
        }
    }

    /** The peers that lead now, ascending by region id, as reported. */
    public List<LocalPeer> ledPeers() {
        Set<Long> led = leaders();
        List<LocalPeer> out = new ArrayList<>();
        synchronized (this) {
            for (long r : led) {
                out.add(peers.peer(peers.find(r)));
            }
        }
        return out;
    }

    /** Whether every live peer applied its whole log. */
    public boolean allApplied() {
        synchronized (lock) {
            synchronized (this) {
                for (int i = 0; i < peers.size(); i++) {
                    Peer p = image.peer(peers.regionId(i));
                    boolean done = p != null ? p.tombstone() || p.appliedIndex() >= p.lastIndex()
                            : peers.tombstone(i) || peers.applied(i) >= peers.lastIndex(i);
                    if (!done) {
                        return false;
                    }
                }
                return true;
            }
        }
    }

    /** Sets every peer's applied index to its last index (test set-up: a store as a finished recovery leaves it). */
    public void applyAll() {
        synchronized (lock) {
            synchronized (this) {
                for (int i = 0; i < peers.size(); i++) {
                    peers.setApplied(i, peers.lastIndex(i));
                }
                image.allPeers().forEach(Peer::applyAllPersisted);
            }
        }
    }

    public synchronized List<Kv> kvs() {
        return List.copyOf(kvs);
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
}
