package io.phybr.mock.stock;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.Fault.CallFault;
import io.phybr.mock.fault.Fault.Rpc;
import io.phybr.mock.fault.StorePoint;
import io.phybr.proto.kv.error.Error;
import io.phybr.proto.kv.error.ServerIsBusy;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionResponse;
import io.phybr.proto.kv.kvrpc.GetRequest;
import io.phybr.proto.kv.kvrpc.GetResponse;
import io.phybr.proto.kv.kvrpc.KeyError;
import io.phybr.proto.kv.kvrpc.LockInfo;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionResponse;
import io.phybr.proto.kv.tikv.TikvGrpc;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;

/**
 * {@code tikvpb.Tikv}'s flashback calls (and KvGet) as a stock TiKV serves them (tikv {@code src/server/service/kv.rs}),
 * over {@link Flashback}: the transport and the fault hooks only. The store serves them next to RecoverData on the same
 * port, in recovery mode too (BR 7.x flashbacks before the stores restart normally). A TiKV older than 6.4.0
 * ({@link Fault.TikvVersion}) answers the flashback calls UNIMPLEMENTED. Faults per call: FailNext (a gRPC status),
 * {@link Fault.Busy} (region error ServerIsBusy), {@link Fault.SplitBefore} / {@link Fault.LeaderMoveBefore} (the
 * cluster changes before the call is served), RestartDuring (the process dies in the middle of the call: prepare after
 * its admin command applied and before its lock; flashback after its writes and before its commit — the call breaks
 * UNAVAILABLE and the persisted flashback state stays), RestartAfterAnswer.
 *
 * <p>A KvGet answers the value's identity, {@code v@<commit ts of the user write>} — the mock's writes carry no
 * bytes of their own.
 */
final class TikvService extends TikvGrpc.TikvImplBase {
    private final MockStockStore store;
    private final StoreFaults faults;
    private final ExecutorService worker;
    private final RaftNet net;
    private final Flashback flashback;
    private volatile boolean dead;

    TikvService(MockStockStore store, StoreFaults faults, ExecutorService worker, RaftNet net) {
        this.store = store;
        this.faults = faults;
        this.worker = worker;
        this.net = net;
        this.flashback = new Flashback(store.storeId(), net);
    }

    void die() {
        dead = true;
    }

    private boolean tooOld() {
        return faults.at(StorePoint.BOOT, Fault.TikvVersion.class).stream().anyMatch(v -> !v.hasFlashback());
    }

    @Override
    public void kvPrepareFlashbackToVersion(PrepareFlashbackToVersionRequest req,
                                            StreamObserver<PrepareFlashbackToVersionResponse> obs) {
        store.record("KvPrepareFlashbackToVersion region " + req.getContext().getRegionId());
        if (tooOld()) {
            super.kvPrepareFlashbackToVersion(req, obs);
            return;
        }
        phase(Rpc.PREPARE_FLASHBACK, obs, crash -> flashback.prepare(req.getContext(), req.getStartKey().toByteArray(),
                req.getEndKey().toByteArray(), req.getStartTs(), req.getVersion(), crash), (regionError, error) -> {
                    PrepareFlashbackToVersionResponse.Builder b = PrepareFlashbackToVersionResponse.newBuilder();
                    if (regionError != null) {
                        b.setRegionError(regionError);
                    }
                    return b.setError(error == null ? "" : error).build();
                });
    }

    @Override
    public void kvFlashbackToVersion(FlashbackToVersionRequest req, StreamObserver<FlashbackToVersionResponse> obs) {
        store.record("KvFlashbackToVersion region " + req.getContext().getRegionId());
        if (tooOld()) {
            super.kvFlashbackToVersion(req, obs);
            return;
        }
        phase(Rpc.FLASHBACK, obs, crash -> flashback.flashback(req.getContext(), req.getVersion(),
                req.getStartKey().toByteArray(), req.getEndKey().toByteArray(), req.getStartTs(), req.getCommitTs(),
                crash), (regionError, error) -> {
                    FlashbackToVersionResponse.Builder b = FlashbackToVersionResponse.newBuilder();
                    if (regionError != null) {
                        b.setRegionError(regionError);
                    }
                    return b.setError(error == null ? "" : error).build();
                });
    }

    /**
     * One flashback phase call on the worker: the CALL-point faults, then {@code work} under the Raft network's lock
     * (null: the process died in the middle; its restart breaks the call UNAVAILABLE), then the reply built from the
     * region error and the error text (an ErrorReply fault sets the text), then the ANSWERED-point faults.
     */
    private <T> void phase(Rpc rpc, StreamObserver<T> obs, java.util.function.Function<Flashback.Crash, Flashback.Answer> work,
                           java.util.function.BiFunction<Error, String, T> reply) {
        CallFault f = faults.forCall(rpc);
        worker.execute(() -> {
            Error busy = atCall(f, obs);
            if (busy == BROKEN) {
                return;
            }
            Error regionError = busy;
            String error = null;
            if (busy == null) {
                Flashback.Answer a;
                synchronized (net) {
                    a = work.apply(crash(f));
                }
                if (a == null) {
                    store.rebootAsync(); // the stop breaks this call UNAVAILABLE, as every other (LiveCalls)
                    return;
                }
                if (a == Flashback.Answer.NO_QUORUM) {
                    return; // the proposal waits uncommitted: no answer until the client's deadline ends the call
                }
                regionError = a.regionError();
                error = a.error();
            }
            if (f instanceof Fault.ErrorReply e) {
                error = e.msg();
            }
            answer(obs, reply.apply(regionError, error), f);
        });
    }

    @Override
    public void kvGet(GetRequest req, StreamObserver<GetResponse> obs) {
        store.record("KvGet region " + req.getContext().getRegionId());
        CallFault f = faults.forCall(Rpc.KV_GET);
        worker.execute(() -> {
            Error busy = atCall(f, obs);
            if (busy == BROKEN) {
                return;
            }
            GetResponse.Builder b = GetResponse.newBuilder();
            if (busy != null) {
                b.setRegionError(busy);
            } else {
                Flashback.Read r;
                synchronized (net) {
                    r = flashback.get(req.getContext(), req.getKey().toByteArray(), req.getVersion());
                }
                if (r.regionError() != null) {
                    b.setRegionError(r.regionError());
                } else if (r.lockTs() > 0) {
                    b.setError(KeyError.newBuilder().setLocked(LockInfo.newBuilder().setKey(req.getKey())
                            .setPrimaryLock(req.getKey()).setLockVersion(r.lockTs())));
                } else if (r.valueTs() == 0) {
                    b.setNotFound(true);
                } else {
                    b.setValue(com.google.protobuf.ByteString.copyFrom(("v@" + r.valueTs()).getBytes(StandardCharsets.US_ASCII)));
                }
            }
            answer(obs, b.build(), f);
        });
    }

    /**
     * KvPrewrite, to refuse writes as TiKV does in the flashback state ({@link Flashback#prewrite}); the Busy and
     * FailNext faults of KV_GET apply (the mock's one read/write fault point outside the flashback calls).
     */
    @Override
    public void kvPrewrite(io.phybr.proto.kv.kvrpc.PrewriteRequest req,
                           StreamObserver<io.phybr.proto.kv.kvrpc.PrewriteResponse> obs) {
        store.record("KvPrewrite region " + req.getContext().getRegionId());
        CallFault f = faults.forCall(Rpc.KV_GET);
        worker.execute(() -> {
            Error busy = atCall(f, obs);
            if (busy == BROKEN) {
                return;
            }
            io.phybr.proto.kv.kvrpc.PrewriteResponse.Builder b = io.phybr.proto.kv.kvrpc.PrewriteResponse.newBuilder();
            if (busy != null) {
                b.setRegionError(busy);
            } else {
                java.util.List<byte[]> keys = req.getMutationsList().stream().map(m -> m.getKey().toByteArray()).toList();
                Flashback.Answer a;
                synchronized (net) {
                    a = flashback.prewrite(req.getContext(), keys);
                }
                if (a.regionError() != null) {
                    b.setRegionError(a.regionError());
                } else if (a.error() != null) {
                    b.addErrors(KeyError.newBuilder().setAbort(a.error()));
                }
            }
            answer(obs, b.build(), f);
        });
    }

    /** Marks "the call already ended" for {@link #atCall}. */
    private static final Error BROKEN = Error.newBuilder().setMessage("broken").build();

    /**
     * Point CALL: FailNext ends the call with its status ({@link #BROKEN}); Busy answers ServerIsBusy; a split or a
     * leader move happens now, before the store looks at the request. Null: serve the call.
     */
    private Error atCall(CallFault f, StreamObserver<?> obs) {
        if (dead) {
            obs.onError(Status.UNAVAILABLE.withDescription("the store is down").asRuntimeException());
            return BROKEN;
        }
        if (CallFaultPoints.failedAtCall(f, obs)) {
            return BROKEN;
        }
        if (f instanceof Fault.ResetAfter) {
            obs.onError(Status.UNAVAILABLE.withDescription("connection reset by the store").asRuntimeException());
            return BROKEN;
        }
        if (f instanceof Fault.Busy) {
            return Error.newBuilder().setMessage("server is busy")
                    .setServerIsBusy(ServerIsBusy.newBuilder().setReason("scheduler is busy").setBackoffMs(10)).build();
        }
        if (f instanceof Fault.SplitBefore sp) {
            synchronized (net) {
                long leader = net.leaderOf(sp.region()) == null ? 0 : net.leaderOf(sp.region());
                StoreBackend lb = leader == 0 ? null : net.backend(leader);
                boolean prepared = lb != null && lb.ledger() != null && lb.ledger().flashbackStartTs(sp.region()) > 0;
                if (!prepared) { // a region in the flashback state refuses the split proposal
                    net.split(sp.region(), HexFormat.of().parseHex(sp.at()), sp.child());
                }
            }
        }
        if (f instanceof Fault.LeaderMoveBefore m) {
            net.campaign(m.to(), m.region());
        }
        return null;
    }

    /**
     * A restart fault in the middle of the call: the process dies there (the call breaks, the disk stays). The work
     * stops at the crash point; {@link #phase} breaks the call and then restarts the store.
     */
    private static Flashback.Crash crash(CallFault f) {
        return () -> f instanceof Fault.RestartDuring;
    }

    private <T> void answer(StreamObserver<T> obs, T reply, CallFault f) {
        if (dead) {
            obs.onError(Status.UNAVAILABLE.withDescription("the store is down").asRuntimeException());
            return;
        }
        obs.onNext(reply);
        obs.onCompleted();
        CallFaultPoints.restartIfAnswered(f, store);
    }
}
