package io.phybr.mock.stock;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.model.Write;
import io.phybr.proto.kv.kvrpc.Context;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A protocol-B history's stores with no transport and no wall clock: the backup's images as stock TiKV stores
 * ({@link ModelStoreBackend}) in one {@link RaftNet}, each RecoverData call and flashback phase callable in the
 * caller's thread, one at a time, on a {@link RecoveryClock#virtual()} clock. The calls run the very work the gRPC
 * stores run ({@link ReportedMetas}, {@link RecoverDataSteps}, {@link StoreBackend#resolve}, {@link Flashback}); only
 * the transport, the worker threads, the fault points and PD are absent. A call that would hang in TiKV (a forced
 * leader that cannot win, R3; a region the store lacks, R4; a WaitApply that never ends, R8) returns false once
 * {@code hangBound} of TiKV time passed on the virtual clock — no wall time is spent waiting.
 *
 * <p>For many random histories per run ({@code RandomStockHistoryFastTest}); the gRPC stores
 * ({@link MockStockCluster}) stay the reference for everything with a transport, a fault or PD.
 */
public final class DirectStockStores {
    private final Backup backup;
    private final Map<Long, StoreImage> images;
    private final RaftNet net = new RaftNet();
    private final RecoveryClock clock = RecoveryClock.virtual();
    private final Duration hangBound;
    private final Map<Long, ModelStoreBackend> backends = new TreeMap<>();
    private final Set<Long> tombstoned = new TreeSet<>();
    private final List<String> calls = new ArrayList<>();

    /** The stores of {@code images} (the backup's fresh images, mutated in place), calls bounded by {@code hangBound}. */
    public DirectStockStores(Backup backup, Map<Long, StoreImage> images, Duration hangBound) {
        this.backup = backup;
        this.images = images;
        this.hangBound = hangBound;
        for (long id : images.keySet()) {
            ModelStoreBackend b = new ModelStoreBackend(id, images, backup);
            backends.put(id, b);
            net.join(b, () -> b.bootFailure() == null); // R16: a store that refuses its data never comes up
        }
    }

    /** Store ids, ascending. */
    public List<Long> storeIds() {
        return List.copyOf(backends.keySet());
    }

    /** Null when the store's process runs; else why it never came up (R16). */
    public String bootFailure(long store) {
        return backend(store).bootFailure();
    }

    /** ReadRegionMeta: one meta per local non-tombstone peer, each the wire bytes the store would stream (R1, R2). */
    public List<byte[]> readRegionMeta(long store) {
        calls.add("ReadRegionMeta " + store);
        List<LocalPeer> peers;
        synchronized (net) {
            peers = backend(store).peers();
        }
        List<byte[]> out = new ArrayList<>();
        ReportedMetas.of(peers, List.of()).forEach(out::add);
        return out;
    }

    /**
     * RecoverRegion with {@code requests}: tombstone requests are only counted (as TiKV does), the {@code as_leader}
     * regions are forced and their leaders' apply awaited. True when the store answers, false when it would hang.
     */
    public boolean recoverRegion(long store, List<RecoverRegionRequest> requests) {
        calls.add("RecoverRegion " + store + " (" + requests.size() + " commands)");
        List<Long> leaders = new ArrayList<>();
        for (RecoverRegionRequest r : requests) {
            if (r.getTombstone()) {
                tombstoned.add(r.getRegionId());
            }
            if (r.getAsLeader()) {
                leaders.add(r.getRegionId());
            }
        }
        return RecoverDataSteps.forceLeaders(store, leaders, net, clock, bound(), () -> { });
    }

    /** WaitApply on the store; true when it answers, false when it would hang (R8). */
    public boolean waitApply(long store) {
        calls.add("WaitApply " + store);
        return RecoverDataSteps.waitApply(backend(store), net, clock, bound(), () -> { });
    }

    /** ResolveKvData on the store: the keys it reports deleted, summed over its messages (R11). */
    public long resolveKvData(long store, long resolvedTs) {
        calls.add("ResolveKvData " + store);
        long[] keys = {0};
        synchronized (net) {
            backend(store).resolve(resolvedTs, (count, ts) -> keys[0] += count);
        }
        return keys[0];
    }

    /** Region → the store whose peer leads it now (what PD hears from the leaders' heartbeats). */
    public Map<Long, Long> leaders() {
        return new TreeMap<>(net.leaders());
    }

    /**
     * The two flashback phases on {@code region}'s leader, addressed as a client routed by PD would (the leader's
     * epoch and peer): null when both succeed, else the first answer's region error or error text.
     */
    public String flashback(long region, long version, long startTs, long commitTs) {
        calls.add("Flashback region " + region);
        synchronized (net) {
            Long store = net.leaderOf(region);
            Peer p = store == null ? null : backend(store).raftPeer(region);
            if (p == null) {
                return "region " + region + " has no leader";
            }
            Context ctx = Context.newBuilder().setRegionId(region)
                    .setRegionEpoch(io.phybr.proto.kv.meta.RegionEpoch.newBuilder().setConfVer(p.confVer())
                            .setVersion(p.version()))
                    .setPeer(io.phybr.proto.kv.meta.Peer.newBuilder().setId(p.peerId()).setStoreId(store)).build();
            Flashback f = new Flashback(store, net);
            Flashback.Answer a = f.prepare(ctx, p.start(), p.end(), startTs, version, () -> false);
            if (a.ok()) {
                a = f.flashback(ctx, version, p.start(), p.end(), startTs, commitTs, () -> false);
            }
            return a.ok() ? null : a.regionError() != null ? a.regionError().getMessage() : a.error();
        }
    }

    /** Flashback entries of {@code region} that {@code store}'s replica has not applied (for conformance tests). */
    int flashbackBehind(long store, long region) {
        synchronized (net) {
            return net.flashbackBehind(store, region);
        }
    }

    /** A timestamp above every write of the history: where a flashback's start ts may sit. */
    public long aboveEveryWrite() {
        long max = backup.resolvedTs();
        for (Write w : backup.writes()) {
            max = Math.max(max, w.commitTs());
        }
        return max + 1;
    }

    /** The model's checker on these stores ({@link ModelStoreBackend#check}); empty when the recovery passed. */
    public List<String> check() {
        return ModelStoreBackend.check(backup, images, new TreeMap<>(backends), tombstoned);
    }

    /** Every call made so far, in order (for a failure's dump). */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    private ModelStoreBackend backend(long store) {
        ModelStoreBackend b = backends.get(store);
        if (b == null) {
            throw new IllegalArgumentException("no store " + store);
        }
        return b;
    }

    /** Stops a call once {@link #hangBound} of TiKV time passed on the virtual clock since it began. */
    private java.util.function.BooleanSupplier bound() {
        long start = clock.now();
        long limit = hangBound.toNanos();
        return () -> clock.now() - start > limit;
    }
}
