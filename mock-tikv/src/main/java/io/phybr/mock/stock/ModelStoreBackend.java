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
 *   <li>in recovery mode no peer campaigns by itself: every peer starts {@code silenced};</li>
 *   <li>{@link #forceLeader} un-silences the store's peer of the region (the one leader the checker looks for) and
 *       raises its term above every replica's, as campaigning until elected does;</li>
 *   <li>{@link #resolve} clears, from the store's KV data, every write whose commit ts is newer than the
 *       resolved ts (the model has no locks).</li>
 * </ul>
 * Limitation: applying log entries is the model's {@code Cluster} logic and is not reachable from here, so
 * forceLeader and applyAll leave {@code applied} as it is; the checker accepts a committed write that sits in
 * the leader's log beyond its applied index, which is what TiKV would then apply.
 */
public final class ModelStoreBackend implements StoreBackend {
    private final StoreImage image;
    private final Backup backup;
    private final Map<Long, StoreImage> cluster;
    private final List<Long> forced = new ArrayList<>();

    /**
     * Serves {@code cluster.get(storeId)}; {@code cluster} holds every store's image (copies from
     * {@link Backup#freshImages()}, mutated in place), the "network" a campaign sees.
     */
    public ModelStoreBackend(long storeId, Map<Long, StoreImage> cluster, Backup backup) {
        this.image = cluster.get(storeId);
        if (image == null) {
            throw new IllegalArgumentException("no image of store " + storeId);
        }
        this.cluster = cluster;
        this.backup = backup;
        image.allPeers().forEach(p -> p.silenced = true);
    }

    public StoreImage image() {
        return image;
    }

    @Override
    public long storeId() {
        return image.id;
    }

    @Override
    public synchronized List<LocalPeer> peers() {
        List<LocalPeer> out = new ArrayList<>();
        for (Peer p : image.allPeers()) {
            long[] ids = p.members.values().stream().mapToLong(Long::longValue).toArray();
            if (ids.length == 0) {
                ids = new long[] {p.peerId};
            }
            out.add(new LocalPeer(p.regionId, ids, p.hardStateTerm(), p.lastIndex(), 0, p.version, p.tombstone,
                    p.start, p.end));
        }
        return out;
    }

    @Override
    public synchronized void forceLeader(long regionId) {
        Peer p = image.peer(regionId);
        if (p == null || p.tombstone) {
            throw new IllegalArgumentException("region " + regionId + " not found on store " + image.id);
        }
        // Campaigning until it wins: every rejection teaches it a higher term, so it ends above all of them.
        long top = p.term;
        synchronized (cluster) {
            for (StoreImage other : cluster.values()) {
                Peer q = other.peer(regionId);
                if (q != null) {
                    top = Math.max(top, q.term);
                }
            }
        }
        p.term = top + 1;
        p.silenced = false;
        forced.add(regionId);
    }

    @Override
    public void applyAll() {
        // see the class comment: applying entries is the model's job
    }

    @Override
    public long resolve(long resolvedTs, ResolveProgress progress) {
        long deleted = 0;
        long cursor = 0;
        synchronized (this) {
            for (Write w : backup.writes()) {
                if (w.commitTs() > resolvedTs && image.data.get(w.id())) {
                    image.data.clear(w.id());
                    deleted++;
                    cursor = w.commitTs();
                }
            }
        }
        progress.report(deleted, cursor);
        return deleted;
    }

    @Override
    public synchronized void reboot() {
        forced.forEach(r -> {
            Peer p = image.peer(r);
            if (p != null) {
                p.silenced = true;
            }
        });
        forced.clear();
    }

    /** Regions forced to lead here (since the last reboot). */
    public synchronized List<Long> forcedLeaders() {
        return List.copyOf(forced);
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
        return io.phybr.mock.check.StockChecks.check(backup, images, tombstoned);
    }
}
