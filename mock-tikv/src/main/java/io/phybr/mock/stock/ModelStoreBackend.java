package io.phybr.mock.stock;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.model.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A store of the history model ({@link StoreImage} of a {@link Backup}) served as stock TiKV in recovery mode,
 * so the corpus's scenarios run under protocol B and {@code Checker.checkState} judges the outcome:
 * <ul>
 *   <li>{@code last_log_term} is the peer's Raft hard-state term (SPEC R2, {@code region_meta_collector.rs}
 *       reports {@code hard_state.term}), which exceeds its last entry's term after a vote or a failed campaign;
 *       {@code last_index} is its RaftLocalState.last_index;</li>
 *   <li>elections, replication and apply run on the replicas' own logs in the cluster's {@link RaftNet}: applying a
 *       committed write sets it in the store's KV data;</li>
 *   <li>{@link #resolve} clears, from the store's KV data, every write whose commit ts is newer than the
 *       resolved ts (the model has no locks: the lock message says 0).</li>
 * </ul>
 * A follower whose log has no index in common with its leader's installs a Raft snapshot ({@code RecoveryRaft#follow}):
 * its data over the region's old and new range becomes the leader store's over the new range
 * ({@link #installSnapshotData}).
 */
public final class ModelStoreBackend implements StoreBackend {
    private final StoreImage image;
    private final Backup backup;
    private final Map<Long, StoreImage> cluster;
    private final io.phybr.mock.model.FlashbackLedger ledger = new io.phybr.mock.model.FlashbackLedger();

    /**
     * Serves {@code cluster.get(storeId)}, one of the copies from {@link Backup#freshImages()} (mutated in place);
     * in recovery mode no peer leads by itself, so every peer of the store starts silenced.
     */
    public ModelStoreBackend(long storeId, Map<Long, StoreImage> cluster, Backup backup) {
        this.image = cluster.get(storeId);
        if (image == null) {
            throw new IllegalArgumentException("no image of store " + storeId);
        }
        this.backup = backup;
        this.cluster = cluster;
        image.allPeers().forEach(Peer::silence);
    }

    public StoreImage image() {
        return image;
    }

    @Override
    public long storeId() {
        return image.id;
    }

    @Override
    public String bootFailure() {
        return image.bootFailure();
    }

    @Override
    public StoreImage raft() {
        return image;
    }

    @Override
    public List<LocalPeer> peers() {
        List<LocalPeer> out = new ArrayList<>();
        for (Peer p : image.allPeers()) {
            long[] ids = p.members().values().stream().mapToLong(Long::longValue).toArray();
            if (ids.length == 0) {
                ids = new long[] {p.peerId()};
            }
            out.add(LocalPeer.of(p.regionId()).peers(ids).lastLogTerm(p.hardStateTerm()).lastIndex(p.lastIndex())
                    .version(p.version()).tombstone(p.tombstone()).range(p.start(), p.end()).build());
        }
        return out;
    }

    /**
     * Puts this store's peer of {@code regionId} in the state a won election leaves (leading, in a term above every
     * replica's) without running one — for checker tests. The mock stores never call it: their leaders come from
     * {@link RaftNet} elections.
     */
    public void forceLeader(long regionId) {
        Peer p = image.peer(regionId);
        if (p == null || p.tombstone()) {
            throw new IllegalArgumentException("region " + regionId + " not found on store " + image.id);
        }
        long top = p.hardStateTerm();
        for (StoreImage other : cluster.values()) {
            Peer q = other.peer(regionId);
            if (q != null) {
                top = Math.max(top, q.hardStateTerm());
                q.silence();
            }
        }
        p.raiseTermTo(top + 1);
        p.unsilence();
    }

    @Override
    public List<Version> versions(byte[] start, byte[] end) {
        List<Version> out = new ArrayList<>();
        for (Write w : backup.writes()) {
            if (image.data.get(w.id()) && io.phybr.mock.model.Keys.contains(start, end, w.key())) {
                out.add(new Version(w.key(), w.commitTs()));
            }
        }
        return out;
    }

    /**
     * The leader's data over the follower's new range replaces this store's over the old and the new range (raftstore
     * {@code clear_extra_data} + {@code apply_snap}). Keys another live replica on this store covers are left alone:
     * TiKV never lets two live regions of a store overlap ({@code check_snapshot} refuses such a snapshot), so only a
     * model state TiKV cannot reach would meet them.
     */
    @Override
    public void installSnapshotData(StoreBackend leader, Peer follower, byte[] oldStart, byte[] oldEnd) {
        java.util.BitSet from = leader.raft().data;
        for (Write w : backup.writes()) {
            boolean inNew = io.phybr.mock.model.Keys.contains(follower.start(), follower.end(), w.key());
            boolean inOld = io.phybr.mock.model.Keys.contains(oldStart, oldEnd, w.key());
            if (!inNew && !inOld || coveredByAnother(follower, w.key())) {
                continue;
            }
            if (inNew && from.get(w.id())) {
                image.data.set(w.id());
            } else {
                image.data.clear(w.id());
            }
        }
    }

    private boolean coveredByAnother(Peer follower, byte[] key) {
        for (Peer p : image.allPeers()) {
            if (p != follower && p.live() && io.phybr.mock.model.Keys.contains(p.start(), p.end(), key)) {
                return true;
            }
        }
        return false;
    }

    /** The model has no user locks (its writes are committed entries). */
    @Override
    public List<Version> locks(byte[] start, byte[] end) {
        return List.of();
    }

    @Override
    public void rollbackLock(byte[] key, long ts) {
        // no user locks in the model
    }

    @Override
    public io.phybr.mock.model.FlashbackLedger ledger() {
        return ledger;
    }

    @Override
    public void resolve(long resolvedTs, int scanBatch, ResolveSink sink) {
        sink.message(0, 0); // the model has no locks
        List<Write> held = new ArrayList<>();
        for (Write w : backup.writes()) {
            if (image.data.get(w.id())) {
                held.add(w);
            }
        }
        long[] ts = held.stream().mapToLong(Write::commitTs).toArray();
        StoreBackend.resolveWrites(ts, resolvedTs, scanBatch, i -> image.data.clear(held.get(i).id()), sink);
    }

    /**
     * The model's checker on stores recovered under protocol B. TiKV ignores tombstone requests, so a dropped
     * region's replicas stay live without a leader (MOCK-MODEL check 5): that is accepted for regions the adviser
     * asked to tombstone (with their real id), and only for them. Empty when the recovery passed.
     */
    public static List<String> check(Backup backup, Map<Long, StoreImage> images, List<MockStockStore> stores) {
        java.util.Set<Long> tombstoned = new java.util.TreeSet<>();
        for (MockStockStore st : stores) {
            st.recoverCalls().forEach(reqs -> reqs.forEach(r -> {
                if (r.getTombstone()) {
                    tombstoned.add(r.getRegionId());
                }
            }));
        }
        Map<Long, StoreBackend> backends = new java.util.TreeMap<>();
        stores.forEach(st -> backends.put(st.storeId(), st.backend()));
        return check(backup, images, backends, tombstoned);
    }

    /** {@link #check(Backup, Map, List)} on backends, given the regions the adviser asked to tombstone. */
    static List<String> check(Backup backup, Map<Long, StoreImage> images, Map<Long, ? extends StoreBackend> backends,
                              java.util.Set<Long> tombstoned) {
        if (!FlashbackCheck.ran(backends)) {
            return io.phybr.mock.check.StockChecks.check(backup, images, tombstoned);
        }
        // A flashback finish: judged by what reads see (its versions shadow what they roll back), not by deletion.
        List<String> out = new ArrayList<>(io.phybr.mock.check.Checker.checkState(backup, images, tombstoned));
        out.addAll(io.phybr.mock.check.StockChecks.unwinnableLeaders(images));
        out.addAll(FlashbackCheck.check(backup, backends));
        return out;
    }
}
