package io.phybr.adviser.flashback;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.phybr.proto.kv.error.Error;
import io.phybr.proto.kv.kvrpc.Context;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionResponse;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionResponse;
import io.phybr.proto.kv.meta.Peer;
import io.phybr.proto.kv.meta.Region;
import io.phybr.proto.kv.meta.RegionEpoch;
import io.phybr.proto.kv.tikv.TikvGrpc;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The two flashback calls over tikvpb.Tikv on the store's channel (the same TiKV port as RecoverData), each bounded
 * by the earlier of the stage deadline and {@code callTimeout}. The request's {@code kvrpcpb.Context} carries the
 * route: region id, epoch (conf_ver, version) and the leader peer.
 */
public final class TikvRegionCalls implements RegionCalls {
    private final LongFunction<Optional<ManagedChannel>> channelOfStore;
    private final Duration callTimeout;

    /** {@code channelOfStore}: the channel to a store by id, empty when PD does not list it. */
    public TikvRegionCalls(LongFunction<Optional<ManagedChannel>> channelOfStore, Duration callTimeout) {
        this.channelOfStore = channelOfStore;
        this.callTimeout = callTimeout;
    }

    @Override
    public Reply prepare(RegionRoute route, byte[] startKey, byte[] endKey, FlashbackTs ts, Deadline deadline) {
        Optional<ManagedChannel> ch = channelOfStore.apply(route.leaderStore());
        if (ch.isEmpty()) {
            return unknownStore(route);
        }
        PrepareFlashbackToVersionRequest req = PrepareFlashbackToVersionRequest.newBuilder().setContext(context(route))
                .setStartKey(ByteString.copyFrom(startKey)).setEndKey(ByteString.copyFrom(endKey))
                .setStartTs(ts.startTs()).setVersion(ts.version()).build();
        try {
            PrepareFlashbackToVersionResponse r = TikvGrpc.newBlockingStub(ch.get()).withDeadline(bound(deadline))
                    .kvPrepareFlashbackToVersion(req);
            return reply(r.hasRegionError() ? r.getRegionError() : null, r.getError(), route);
        } catch (StatusRuntimeException e) {
            return transport(e);
        }
    }

    @Override
    public Reply flashback(RegionRoute route, byte[] startKey, byte[] endKey, FlashbackTs ts, Deadline deadline) {
        Optional<ManagedChannel> ch = channelOfStore.apply(route.leaderStore());
        if (ch.isEmpty()) {
            return unknownStore(route);
        }
        FlashbackToVersionRequest req = FlashbackToVersionRequest.newBuilder().setContext(context(route))
                .setVersion(ts.version()).setStartKey(ByteString.copyFrom(startKey)).setEndKey(ByteString.copyFrom(endKey))
                .setStartTs(ts.startTs()).setCommitTs(ts.commitTs()).build();
        try {
            FlashbackToVersionResponse r = TikvGrpc.newBlockingStub(ch.get()).withDeadline(bound(deadline))
                    .kvFlashbackToVersion(req);
            return reply(r.hasRegionError() ? r.getRegionError() : null, r.getError(), route);
        } catch (StatusRuntimeException e) {
            return transport(e);
        }
    }

    private Deadline bound(Deadline stage) {
        Deadline call = Deadline.after(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return call.isBefore(stage) ? call : stage;
    }

    static Context context(RegionRoute r) {
        return Context.newBuilder().setRegionId(r.regionId())
                .setRegionEpoch(RegionEpoch.newBuilder().setConfVer(r.confVer()).setVersion(r.version()))
                .setPeer(Peer.newBuilder().setId(r.leaderPeer()).setStoreId(r.leaderStore()))
                .setRequestSource("phybr_recover").build();
    }

    private static Reply unknownStore(RegionRoute route) {
        return new Reply.Transport("UNKNOWN_STORE", "PD does not list store " + route.leaderStore(), false);
    }

    private static Reply transport(StatusRuntimeException e) {
        Status s = e.getStatus();
        return new Reply.Transport(s.getCode().name(), s.getDescription(), s.getCode() == Status.Code.UNIMPLEMENTED);
    }

    /** The reply a response means: its region error first (what TiKV routes on), then its error string. */
    static Reply reply(Error regionError, String error, RegionRoute asked) {
        if (regionError != null) {
            String m = regionError.getMessage();
            if (regionError.hasNotLeader()) {
                Peer l = regionError.getNotLeader().getLeader();
                return new Reply.NotLeader(l.getId(), l.getStoreId(), m);
            }
            if (regionError.hasEpochNotMatch()) {
                List<RegionRoute> current = new ArrayList<>();
                for (Region r : regionError.getEpochNotMatch().getCurrentRegionsList()) {
                    current.add(route(r, asked.leaderStore()));
                }
                return new Reply.EpochNotMatch(current, m);
            }
            if (regionError.hasRegionNotFound()) {
                return new Reply.RegionNotFound(m);
            }
            if (regionError.hasServerIsBusy()) {
                return new Reply.ServerBusy(regionError.getServerIsBusy().getBackoffMs(), m);
            }
            if (regionError.hasFlashbackInProgress()) {
                return new Reply.FlashbackInProgress(regionError.getFlashbackInProgress().getFlashbackStartTs(), m);
            }
            if (regionError.hasFlashbackNotPrepared()) {
                return new Reply.FlashbackNotPrepared(m);
            }
            return new Reply.OtherRegionError(m.isEmpty() ? regionError.toString().replace('\n', ' ').strip() : m);
        }
        if (error != null && !error.isEmpty()) {
            return new Reply.KvError(error);
        }
        return new Reply.Done();
    }

    /** A region TiKV named as current, led by its peer on {@code store} (the store that answered), if it has one there. */
    static RegionRoute route(Region r, long store) {
        long peer = 0;
        for (Peer p : r.getPeersList()) {
            if (p.getStoreId() == store) {
                peer = p.getId();
            }
        }
        return new RegionRoute(r.getId(), r.getStartKey().toByteArray(), r.getEndKey().toByteArray(),
                r.getRegionEpoch().getConfVer(), r.getRegionEpoch().getVersion(), peer, peer == 0 ? 0 : store);
    }
}
