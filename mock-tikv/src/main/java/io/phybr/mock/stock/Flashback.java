package io.phybr.mock.stock;

import io.phybr.mock.model.FlashbackLedger;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Peer;
import io.phybr.proto.kv.error.Error;
import io.phybr.proto.kv.kvrpc.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * TiKV's two-phase flashback on one store, as plain state changes over the cluster's {@link RaftNet} and the stores'
 * {@link StoreBackend}s (no gRPC here: {@link TikvService} is the transport). Read in tikv:
 * <ul>
 *   <li>{@code src/server/service/kv.rs future_prepare_flashback_to_version}: a {@code PrepareFlashback} admin command
 *       (region epoch version and conf_ver checked, {@code util.rs}), then the read phase rolls back every lock in the
 *       range whose ts is not the flashback's and prewrites a lock at {@code start_ts} on the first key whose latest
 *       version is newer than {@code version} ({@code flashback_to_version_read_phase.rs},
 *       {@code actions/flashback_to_version.rs prewrite_flashback_key});</li>
 *   <li>{@code future_flashback_to_version}: {@code commit_ts <= start_ts} is {@code InvalidTxnTso}; the first key newer
 *       than {@code version}: none left → done; its flashback lock → go on; no lock but a write at
 *       {@code commit_ts} by {@code start_ts} → already done (idempotent retry); else FlashbackNotPrepared
 *       ({@code check_flashback_commit}). Then every other key whose latest version is newer than {@code version}
 *       (and older than {@code commit_ts}) gets a version at {@code commit_ts} with its value at {@code version} (a
 *       Delete if none), the locked key is committed likewise, and {@code FinishFlashback} leaves the state. The
 *       writes carry the FLASHBACK flag: a region not in the flashback state refuses them at apply
 *       (FlashbackNotPrepared, {@code util.rs check_flashback_state}).</li>
 *   <li>In the flashback state a region refuses every read and write but the flashback's own, except reads at a ts
 *       below {@code flashback_start_ts} (FlashbackInProgress, {@code check_flashback_state}).</li>
 *   <li>Routing as raftstore's propose check ({@code fsm/peer.rs pre_propose_raft_command}): StoreNotMatch, then
 *       RegionNotFound, NotLeader (with the leader this store knows), peer id mismatch, then EpochNotMatch (current
 *       region and its split siblings).</li>
 * </ul>
 * Mutations are Raft entries proposed by the leader ({@link RaftNet#proposeFlashback}): each replica's
 * {@link FlashbackLedger} gets them when it applies them — at once where the leader reaches it, later for a follower
 * that was down or cut off — and nothing commits without a quorum (the call then gets no answer, as a TiKV proposal
 * waits uncommitted until the client gives up). Callers hold the {@link RaftNet}'s lock.
 */
final class Flashback {
    /** What one call answers: a region error, a plain error text, or (both null) success. */
    record Answer(Error regionError, String error) {
        static final Answer OK = new Answer(null, null);
        /** The leader could not commit the entry (no quorum reachable): the call is left unanswered. */
        static final Answer NO_QUORUM = new Answer(null, "no quorum");

        static Answer region(Error e) {
            return new Answer(e, null);
        }

        boolean ok() {
            return regionError == null && error == null;
        }
    }

    /** What a point read answers: a region error, or the value's identity (0: not found) or a lock in the way. */
    record Read(Error regionError, long valueTs, long lockTs) {
    }

    /** What the epoch check compares: an admin command checks conf_ver too ({@code AdminCmdEpochState}). */
    enum Kind { ADMIN, WRITE, READ }

    /** A point of a call where the store process may die (a restart fault); the call stops there. */
    interface Crash {
        boolean now();
    }

    private final long store;
    private final RaftNet net;

    Flashback(long store, RaftNet net) {
        this.store = store;
        this.net = net;
    }

    // ---- routing ------------------------------------------------------------------------------------------------

    /** The local leader peer the request may use, or the region error (as {@link Answer}) it gets. */
    private Object route(Context ctx, Kind kind) {
        long region = ctx.getRegionId();
        if (ctx.hasPeer() && ctx.getPeer().getStoreId() != 0 && ctx.getPeer().getStoreId() != store) {
            return Answer.region(Error.newBuilder().setMessage("store not match")
                    .setStoreNotMatch(io.phybr.proto.kv.error.StoreNotMatch.newBuilder()
                            .setRequestStoreId(ctx.getPeer().getStoreId()).setActualStoreId(store)).build());
        }
        StoreBackend b = net.backend(store);
        Peer p = b == null ? null : b.raftPeer(region);
        if (p == null || p.tombstone()) {
            return Answer.region(Error.newBuilder().setMessage("region " + region + " is missing")
                    .setRegionNotFound(io.phybr.proto.kv.error.RegionNotFound.newBuilder().setRegionId(region)).build());
        }
        if (!net.leads(store, region)) {
            io.phybr.proto.kv.error.NotLeader.Builder nl = io.phybr.proto.kv.error.NotLeader.newBuilder().setRegionId(region);
            Long ls = net.leaderOf(region);
            Long leaderPeer = ls == null ? null : p.members().get(ls);
            if (ls != null && ls != store && leaderPeer != null && net.running(ls)) {
                nl.setLeader(io.phybr.proto.kv.meta.Peer.newBuilder().setId(leaderPeer).setStoreId(ls));
            }
            return Answer.region(Error.newBuilder().setMessage("peer is not leader for region " + region)
                    .setNotLeader(nl).build());
        }
        if (ctx.hasPeer() && ctx.getPeer().getId() != 0 && ctx.getPeer().getId() != p.peerId()) {
            // errorpb MismatchPeerId is outside the subset: the message is what a subset client sees
            return Answer.region(Error.newBuilder().setMessage("mismatch peer id " + ctx.getPeer().getId() + " != "
                    + p.peerId()).build());
        }
        if (!ctx.hasRegionEpoch()) {
            return new Answer(null, "missing epoch!");
        }
        boolean stale = ctx.getRegionEpoch().getVersion() != p.version()
                || kind == Kind.ADMIN && ctx.getRegionEpoch().getConfVer() != p.confVer();
        if (stale) {
            Error.Builder e = Error.newBuilder().setMessage("epoch not match for region " + region + ": current "
                    + "version " + p.version() + " conf_ver " + p.confVer() + ", request version "
                    + ctx.getRegionEpoch().getVersion() + " conf_ver " + ctx.getRegionEpoch().getConfVer());
            io.phybr.proto.kv.error.EpochNotMatch.Builder enm = e.getEpochNotMatchBuilder();
            enm.addCurrentRegions(meta(p));
            for (Peer q : b.raft().allPeers()) {
                if (q != p && q.live() && q.version() > ctx.getRegionEpoch().getVersion()
                        && (Keys.compare(q.start(), p.end()) == 0 || Keys.compare(q.end(), p.start()) == 0)) {
                    enm.addCurrentRegions(meta(q)); // collect_sibling_region
                }
            }
            return Answer.region(e.build());
        }
        return p;
    }

    /** The region as a peer of it knows it (metapb.Region with epoch, members and flashback state). */
    private io.phybr.proto.kv.meta.Region meta(Peer p) {
        io.phybr.proto.kv.meta.Region.Builder r = io.phybr.proto.kv.meta.Region.newBuilder().setId(p.regionId())
                // region boundaries on the wire are TiKV's encoded keys, as PD's (metapb.Region), not the raw request keys
                .setStartKey(com.google.protobuf.ByteString.copyFrom(io.phybr.mock.pd.KeyCodec.encode(p.start())))
                .setEndKey(com.google.protobuf.ByteString.copyFrom(io.phybr.mock.pd.KeyCodec.encode(p.end())))
                .setRegionEpoch(io.phybr.proto.kv.meta.RegionEpoch.newBuilder().setVersion(p.version()).setConfVer(p.confVer()));
        p.members().forEach((s, id) -> {
            if (s > 0) {
                r.addPeers(io.phybr.proto.kv.meta.Peer.newBuilder().setId(id).setStoreId(s));
            }
        });
        long fb = ledger(store) == null ? 0 : ledger(store).flashbackStartTs(p.regionId());
        return r.setIsInFlashback(fb > 0).setFlashbackStartTs(fb).build();
    }

    private FlashbackLedger ledger(long s) {
        StoreBackend b = net.backend(s);
        return b == null ? null : b.ledger();
    }

    // ---- the two phases -----------------------------------------------------------------------------------------

    /** {@link #route}, then refused when this store keeps no MVCC data to flash back (a wrapping test backend). */
    private Object routeWithData(Context ctx, Kind kind) {
        Object r = route(ctx, kind);
        if (r instanceof Answer || ledger(store) != null) {
            return r;
        }
        return new Answer(null, "this store keeps no MVCC data (a wrapping test backend)");
    }

    Answer prepare(Context ctx, byte[] start, byte[] end, long startTs, long version, Crash crash) {
        Object r = routeWithData(ctx, Kind.ADMIN);
        if (r instanceof Answer a) {
            return a;
        }
        Peer p = (Peer) r;
        long region = p.regionId();
        // the PrepareFlashback admin command (fsm/apply.rs exec_flashback): the replicas enter the flashback state
        if (!net.proposeFlashback(store, region, b -> b.ledger().prepare(region, startTs))) {
            return Answer.NO_QUORUM;
        }
        if (crash.now()) {
            return null;
        }
        byte[] lo = max(start, p.start());
        byte[] hi = minEnd(end, p.end());
        // the read phase's rollbacks: every lock in the range but the flashback's own (a lock of an older flashback
        // attempt is a lock like any other), applied by each replica to the locks it holds
        if (!net.proposeFlashback(store, region, b -> {
            for (StoreBackend.Version l : b.locks(lo, hi)) {
                if (l.ts() != startTs) {
                    b.rollbackLock(l.key(), l.ts());
                }
            }
            b.ledger().locks(lo, hi).forEach((k, ts) -> {
                if (ts != startTs) {
                    b.ledger().unlock(k);
                }
            });
        })) {
            return Answer.NO_QUORUM;
        }
        byte[] first = firstNewer(lo, hi, version);
        if (first != null && ledger(store).lockTs(first) == 0
                && !net.proposeFlashback(store, region, b -> b.ledger().lock(first, startTs))) {
            return Answer.NO_QUORUM;
        }
        return Answer.OK;
    }

    Answer flashback(Context ctx, long version, byte[] start, byte[] end, long startTs, long commitTs, Crash crash) {
        Object r = routeWithData(ctx, Kind.WRITE);
        if (r instanceof Answer a) {
            return a;
        }
        Peer p = (Peer) r;
        long region = p.regionId();
        if (commitTs <= startTs) {
            return new Answer(null, "invalid txn tso with start_ts:" + startTs + ", commit_ts:" + commitTs);
        }
        byte[] lo = max(start, p.start());
        byte[] hi = minEnd(end, p.end());
        byte[] first = firstNewer(lo, hi, version);
        if (first == null || committedBy(first, startTs, commitTs)) {
            // nothing (left) to write: FinishFlashback, any state
            return net.proposeFlashback(store, region, b -> b.ledger().finish(region)) ? Answer.OK : Answer.NO_QUORUM;
        }
        if (ledger(store).lockTs(first) != startTs || ledger(store).flashbackStartTs(region) == 0) {
            return Answer.region(Error.newBuilder().setMessage("region " + region + " not prepared the flashback")
                    .setFlashbackNotPrepared(io.phybr.proto.kv.error.FlashbackNotPrepared.newBuilder()
                            .setRegionId(region)).build());
        }
        List<FlashbackLedger.Record> writes = new ArrayList<>();
        for (byte[] k : keys(lo, hi)) {
            long latest = latest(k);
            if (!java.util.Arrays.equals(k, first) && latest > version && latest < commitTs) {
                writes.add(new FlashbackLedger.Record(k, commitTs, startTs, valueAt(k, version)));
            }
        }
        if (!writes.isEmpty() && !net.proposeFlashback(store, region, b -> writes.forEach(b.ledger()::write))) {
            return Answer.NO_QUORUM;
        }
        if (crash.now()) {
            return null;
        }
        FlashbackLedger.Record rec = new FlashbackLedger.Record(first, commitTs, startTs, valueAt(first, version));
        boolean committed = net.proposeFlashback(store, region, b -> {
            b.ledger().write(rec);
            b.ledger().unlock(first);
            b.ledger().finish(region); // FinishFlashback
        });
        return committed ? Answer.OK : Answer.NO_QUORUM;
    }

    /**
     * A prewrite (kvrpcpb KvPrewrite) of {@code keys}: routed as any write, then refused with FlashbackInProgress
     * while the region is in the flashback state — whatever its start ts: only reads may pass below
     * {@code flashback_start_ts}, a write carries no read ts (util.rs check_flashback_state, at propose in fsm/peer.rs
     * pre_propose_raft_command). Outside the flashback state the mock keeps no transactions of its own: an abort
     * that says so (never a success that wrote nothing).
     */
    Answer prewrite(Context ctx, List<byte[]> keys) {
        Object r = route(ctx, Kind.WRITE);
        if (r instanceof Answer a) {
            return a;
        }
        Peer p = (Peer) r;
        long fb = ledger(store) == null ? 0 : ledger(store).flashbackStartTs(p.regionId());
        if (fb > 0) {
            return Answer.region(Error.newBuilder().setMessage("region " + p.regionId() + " is in flashback progress")
                    .setFlashbackInProgress(io.phybr.proto.kv.error.FlashbackInProgress.newBuilder()
                            .setRegionId(p.regionId()).setFlashbackStartTs(fb)).build());
        }
        for (byte[] k : keys) {
            if (!Keys.contains(p.start(), p.end(), k)) {
                return Answer.region(Error.newBuilder().setMessage("key " + Keys.show(k) + " is not in region "
                        + p.regionId()).build());
            }
        }
        return new Answer(null, "mock-tikv keeps no transactions: KvPrewrite is served to refuse writes to a region"
                + " in the flashback state");
    }

    /** A point read at {@code version} (kvrpcpb KvGet): refused in the flashback state unless below its start ts. */
    Read get(Context ctx, byte[] key, long version) {
        Object r = route(ctx, Kind.READ);
        if (r instanceof Answer a) {
            return new Read(a.regionError() != null ? a.regionError()
                    : Error.newBuilder().setMessage(a.error()).build(), 0, 0);
        }
        Peer p = (Peer) r;
        long fb = ledger(store) == null ? 0 : ledger(store).flashbackStartTs(p.regionId());
        if (fb > 0 && !(version != 0 && version < fb)) {
            return new Read(Error.newBuilder().setMessage("region " + p.regionId() + " is in flashback progress")
                    .setFlashbackInProgress(io.phybr.proto.kv.error.FlashbackInProgress.newBuilder()
                            .setRegionId(p.regionId()).setFlashbackStartTs(fb)).build(), 0, 0);
        }
        if (!Keys.contains(p.start(), p.end(), key)) {
            return new Read(Error.newBuilder().setMessage("key " + Keys.show(key) + " is not in region "
                    + p.regionId()).build(), 0, 0);
        }
        long lock = lockAt(key, version);
        return lock > 0 ? new Read(null, 0, lock) : new Read(null, valueAt(key, version), 0);
    }

    // ---- this store's MVCC view -----------------------------------------------------------------------------------

    /** Every key in {@code [lo, hi)} with a user write or a flashback write here, in key order. */
    private List<byte[]> keys(byte[] lo, byte[] hi) {
        TreeSet<byte[]> out = new TreeSet<>(Keys::compare);
        StoreBackend b = net.backend(store);
        b.versions(lo, hi).forEach(v -> out.add(v.key()));
        out.addAll(b.ledger().keys(lo, hi));
        return new ArrayList<>(out);
    }

    /** {@code get_first_user_key}: the first key whose latest version is newer than {@code version}. */
    private byte[] firstNewer(byte[] lo, byte[] hi, long version) {
        for (byte[] k : keys(lo, hi)) {
            if (latest(k) > version) {
                return k;
            }
        }
        return null;
    }

    private long latest(byte[] key) {
        long top = 0;
        for (StoreBackend.Version v : net.backend(store).versions(key, next(key))) {
            top = Math.max(top, v.ts());
        }
        for (FlashbackLedger.Record r : ledger(store).records(key)) {
            top = Math.max(top, r.commitTs());
        }
        return top;
    }

    /** The identity of {@code key}'s value at {@code ts}: the commit ts of the user write that wrote it, 0 for none. */
    long valueAt(byte[] key, long ts) {
        return valueAt(net.backend(store), key, ts);
    }

    /** {@link #valueAt} on any store's data (the checker's read). */
    static long valueAt(StoreBackend b, byte[] key, long ts) {
        long top = 0;
        long value = 0;
        for (StoreBackend.Version v : b.versions(key, next(key))) {
            if (v.ts() <= ts && v.ts() > top) {
                top = v.ts();
                value = v.ts();
            }
        }
        FlashbackLedger l = b.ledger();
        for (FlashbackLedger.Record r : l == null ? List.<FlashbackLedger.Record>of() : l.records(key)) {
            if (r.commitTs() <= ts && r.commitTs() > top) {
                top = r.commitTs();
                value = r.restoredTs();
            }
        }
        return value;
    }

    /** A lock (user or flashback) on {@code key} at or below {@code ts}: its ts, or 0. */
    private long lockAt(byte[] key, long ts) {
        long l = ledger(store).lockTs(key);
        if (l > 0 && l <= ts) {
            return l;
        }
        for (StoreBackend.Version v : net.backend(store).locks(key, next(key))) {
            if (v.ts() <= ts) {
                return v.ts();
            }
        }
        return 0;
    }

    /** Whether the flashback {@code startTs}/{@code commitTs} already committed {@code key} (check_flashback_commit). */
    private boolean committedBy(byte[] key, long startTs, long commitTs) {
        if (ledger(store).lockTs(key) != 0) {
            return false;
        }
        return ledger(store).records(key).stream().anyMatch(r -> r.commitTs() == commitTs && r.startTs() == startTs);
    }

    private static byte[] next(byte[] key) {
        return java.util.Arrays.copyOf(key, key.length + 1);
    }

    private static byte[] max(byte[] a, byte[] b) {
        return Keys.compare(a, b) >= 0 ? a : b;
    }

    private static byte[] minEnd(byte[] a, byte[] b) {
        return Keys.compareEnd(a, b) <= 0 ? a : b;
    }
}
