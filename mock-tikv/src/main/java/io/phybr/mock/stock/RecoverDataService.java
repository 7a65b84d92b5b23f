package io.phybr.mock.stock;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.agent.MetaBytes;
import io.phybr.mock.agent.ReadyGate;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.Fault.CallFault;
import io.phybr.mock.fault.Fault.Rpc;
import io.phybr.mock.fault.StorePoint;
import io.phybr.proto.recoverdata.Error;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.ResolveKvDataRequest;
import io.phybr.proto.recoverdata.ResolveKvDataResponse;
import io.phybr.proto.recoverdata.WaitApplyRequest;
import io.phybr.proto.recoverdata.WaitApplyResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code recover_data.RecoverData} as stock TiKV serves it in recovery mode
 * ({@code components/snap_recovery/src/services.rs}), on a {@link RecoveryClock}, over the store's replicas in the
 * cluster's {@link RaftNet}:
 * <ul>
 *   <li>ReadRegionMeta streams one meta per local non-tombstone peer (R1, R2) and aborts an unfinished RecoverRegion
 *       (R6), but not another ReadRegionMeta;</li>
 *   <li>RecoverRegion reads every request first (a broken upload restarts the store: R7, the harsher reading), aborts
 *       an unfinished older RecoverRegion with ABORTED (R6), ignores tombstone requests, runs the
 *       {@link LeaderKeeper} over its {@code as_leader} regions (R3–R5) and then waits for each leader to apply to its
 *       last index (R10: a wait already pending on that peer answers at once), and answers {@code store_id} —
 *       never an error. A client that gives up does not stop it: only a newer call or a restart does;</li>
 *   <li>WaitApply is broadcast to every peer and waits for those that must wait (R8); a pending older wait on any
 *       peer makes it answer success at once (Duplicated, R10);</li>
 *   <li>ResolveKvData streams one message for the locks and one per scanned batch (R11), in the order TiKV's two
 *       racing workers may produce ({@link ResolveWorkers}), compacts, and closes.</li>
 * </ul>
 * Work runs on {@code worker}, never on the transport threads. Faults come from {@link StoreFaults}, looked up at the
 * store's named points ({@link StorePoint}).
 */
final class RecoverDataService extends RecoverDataGrpc.RecoverDataImplBase {
    private final MockStockStore store;
    private final StoreBackend backend;
    private final StoreFaults faults;
    private final ExecutorService worker;
    private final RaftNet net;
    private final RecoveryClock clock;
    /** The last RecoverRegion (services.rs last_recovery_region_rpc). */
    private Call lastRecover;
    /** The process stopped: every task of this service ends. */
    private volatile boolean dead;

    RecoverDataService(MockStockStore store, StoreBackend backend, StoreFaults faults, ExecutorService worker,
                       RaftNet net, RecoveryClock clock) {
        this.store = store;
        this.backend = backend;
        this.faults = faults;
        this.worker = worker;
        this.net = net;
        this.clock = clock;
    }

    /** The process is gone: its tasks stop, and nothing it held answers. */
    void die() {
        dead = true;
    }

    private synchronized void abortLastRecover() {
        if (lastRecover != null) {
            lastRecover.abort(); // a finished one ignores it
        }
    }

    private synchronized void replaceLastRecover(Call call) {
        abortLastRecover();
        lastRecover = call;
    }

    /** A slow store's delay before each message and each campaign. */
    private void step() {
        long nanos = faults.delay().toNanos();
        if (nanos > 0) {
            long end = System.nanoTime() + nanos;
            long rest;
            while ((rest = end - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted() && !dead) {
                LockSupport.parkNanos(rest);
            }
        }
    }

    // ---- fault hooks (one per named point) -----------------------------------------------------------------

    // Points CALL and ANSWERED: CallFaultPoints, shared with TikvService.

    /**
     * Point MESSAGE (or REQUESTS_READ): before message {@code sent}, a {@link Fault.ResetAfter} breaks the stream and a
     * {@link Fault.RestartDuring} restarts the store process (which breaks every call).
     */
    private boolean brokenAt(CallFault f, int sent, Call call, StreamObserver<?> obs) {
        if (f instanceof Fault.ResetAfter r && sent >= r.after()) {
            if (call == null || call.finish()) {
                obs.onError(Status.UNAVAILABLE.withDescription("stream reset by the store").asRuntimeException());
            }
            return true;
        }
        if (f instanceof Fault.RestartDuring r && sent >= Math.max(0, r.after())) {
            store.rebootAsync();
            return true;
        }
        return false;
    }

    /**
     * Point BUILD_METAS: one meta per local non-tombstone peer, with the store's report faults applied (see
     * {@link ReportedMetas}).
     */
    private Iterable<byte[]> metas() {
        List<Fault.ReportFault> garbage = faults.at(StorePoint.BUILD_METAS, Fault.ReportFault.class);
        List<LocalPeer> peers;
        synchronized (net) {
            peers = backend.peers(); // the model's is a copy; the in-memory one a view that locks as it reads
        }
        return ReportedMetas.of(peers, garbage);
    }

    /**
     * ReadRegionMeta streams pre-encoded metas ({@link ReportedMetas}, {@link MetaBytes}); the other methods are bound
     * as generated. The wire is the same: only the server's marshaller for the answers differs. Serve this, not
     * {@code bindService()}.
     */
    ServerServiceDefinition definition() {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(RecoverDataGrpc.SERVICE_NAME);
        for (ServerMethodDefinition<?, ?> m : super.bindService().getMethods()) {
            if (!m.getMethodDescriptor().getFullMethodName().equals(READ_REGION_META.getFullMethodName())) {
                b.addMethod(m);
            }
        }
        return b.addMethod(READ_REGION_META, ServerCalls.asyncServerStreamingCall(this::streamMetas)).build();
    }

    private static final MethodDescriptor<ReadRegionMetaRequest, byte[]> READ_REGION_META = RecoverDataGrpc
            .getReadRegionMetaMethod().toBuilder(RecoverDataGrpc.getReadRegionMetaMethod().getRequestMarshaller(),
                    MetaBytes.MARSHALLER).build();

    private void streamMetas(ReadRegionMetaRequest request, StreamObserver<byte[]> obs) {
        store.record("ReadRegionMeta");
        CallFault f = faults.forCall(Rpc.READ_REGION_META);
        if (CallFaultPoints.failedAtCall(f, obs)) {
            return;
        }
        // "the client may omit recover_region [...] so we abort last recover region here too" (R6)
        abortLastRecover();
        Call call = new Call(obs);
        ServerCallStreamObserver<byte[]> server = (ServerCallStreamObserver<byte[]>) obs;
        server.setOnCancelHandler(() -> call.aborted = true);
        ReadyGate ready = new ReadyGate(server); // a slow reader holds the store back (grpcio's sink in TiKV)
        worker.execute(() -> {
            int sent = 0;
            for (byte[] m : metas()) {
                step();
                ready.await(m.length, () -> call.aborted || dead);
                if (call.aborted || dead || brokenAt(f, sent, call, obs)) {
                    return;
                }
                synchronized (call) {
                    if (call.finished) {
                        return;
                    }
                    obs.onNext(m);
                }
                sent++;
            }
            if (call.finish()) {
                obs.onCompleted();
                CallFaultPoints.restartIfAnswered(f, store);
            }
        });
    }

    @Override
    public StreamObserver<RecoverRegionRequest> recoverRegion(StreamObserver<RecoverRegionResponse> obs) {
        store.record("RecoverRegion");
        CallFault f = faults.forCall(Rpc.RECOVER_REGION);
        Call call = new Call(obs);
        List<RecoverRegionRequest> requests = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean read = new java.util.concurrent.atomic.AtomicBoolean();
        // R7: services.rs unwraps each request; a broken upload panics the TiKV process (the harsher reading). Once
        // every request is read, a client that goes away stops nothing: the task runs on until aborted.
        ((ServerCallStreamObserver<RecoverRegionResponse>) obs).setOnCancelHandler(() -> {
            if (!read.get() && !dead) {
                store.rebootAsync();
            }
        });
        return new StreamObserver<>() {

            @Override
            public void onNext(RecoverRegionRequest r) {
                requests.add(r);
                if (f instanceof Fault.RestartDuring restart && restart.after() >= 0
                        && requests.size() > restart.after()) {
                    store.rebootAsync(); // the process dies mid-upload
                }
            }

            @Override
            public void onError(Throwable t) {
                // the cancel handler restarts the store (R7)
            }

            @Override
            public void onCompleted() {
                read.set(true);
                store.recordRecover(List.copyOf(requests));
                if (f instanceof Fault.FailNext fail) {
                    if (call.finish()) {
                        obs.onError(Status.fromCode(fail.code()).withDescription("injected fault").asRuntimeException());
                    }
                    return;
                }
                boolean atRead = f instanceof Fault.ResetAfter
                        || f instanceof Fault.RestartDuring restart && restart.after() < 0;
                if (atRead && brokenAt(f, Integer.MAX_VALUE, call, obs)) {
                    return; // point REQUESTS_READ
                }
                List<Long> leaders = new ArrayList<>();
                for (RecoverRegionRequest r : requests) {
                    if (r.getAsLeader()) {
                        leaders.add(r.getRegionId()); // tombstone requests are only counted by TiKV
                    }
                }
                replaceLastRecover(call);
                worker.execute(() -> recover(call, leaders, f, obs));
            }
        };
    }

    /**
     * A RecoverRegion an earlier client left running (tidb-operator#5297): it forces {@code leaders} as any other does,
     * answers nobody, and ends only when a newer RecoverRegion or a ReadRegionMeta aborts it (R6) or the store stops.
     */
    void earlierCallStillRunning(List<Long> leaders) {
        StreamObserver<RecoverRegionResponse> gone = new StreamObserver<>() {
            @Override
            public void onNext(RecoverRegionResponse v) {
                // the client that sent it was killed
            }

            @Override
            public void onError(Throwable t) {
                // likewise
            }

            @Override
            public void onCompleted() {
                // likewise
            }
        };
        Call call = new Call(gone);
        replaceLastRecover(call);
        worker.execute(() -> recover(call, leaders, null, gone));
    }

    private void recover(Call call, List<Long> leaders, CallFault f, StreamObserver<RecoverRegionResponse> obs) {
        if (!RecoverDataSteps.forceLeaders(backend.storeId(), leaders, net, clock, () -> call.aborted || dead, this::step)) {
            return;
        }
        RecoverRegionResponse.Builder resp = RecoverRegionResponse.newBuilder().setStoreId(backend.storeId());
        if (f instanceof Fault.ErrorReply e) {
            resp.setError(Error.newBuilder().setMsg(e.msg()));
        }
        if (call.finish()) {
            try {
                obs.onNext(resp.build());
                obs.onCompleted();
            } catch (RuntimeException gone) {
                return; // the client went away; TiKV only logs "failed to response recover region rpc"
            }
            CallFaultPoints.restartIfAnswered(f, store);
        }
    }

    @Override
    public void waitApply(WaitApplyRequest request, StreamObserver<WaitApplyResponse> obs) {
        store.record("WaitApply");
        CallFault f = faults.forCall(Rpc.WAIT_APPLY);
        if (CallFaultPoints.failedAtCall(f, obs) || brokenAt(f, 0, null, obs)) {
            return;
        }
        Call call = new Call(obs);
        // a client that goes away stops nothing on the peers: their wait states stay until applied (R10)
        ((ServerCallStreamObserver<WaitApplyResponse>) obs).setOnCancelHandler(() -> call.aborted = true);
        worker.execute(() -> {
            step();
            boolean answers = RecoverDataSteps.waitApply(backend, net, clock, () -> call.aborted || dead, () -> {
                if (!faults.at(StorePoint.RAFT, Fault.IsolatedUntilWaitApply.class).isEmpty()) {
                    net.heal(backend.storeId()); // tikv#16307: the wait was taken before the new leader truncated the tail
                }
            });
            if (!answers) {
                return;
            }
            WaitApplyResponse.Builder b = WaitApplyResponse.newBuilder();
            if (f instanceof Fault.ErrorReply e) {
                b.setError(Error.newBuilder().setMsg(e.msg()));
            }
            if (call.finish() && !dead) {
                obs.onNext(b.build());
                obs.onCompleted();
                CallFaultPoints.restartIfAnswered(f, store);
            }
        });
    }

    @Override
    public void resolveKvData(ResolveKvDataRequest request, StreamObserver<ResolveKvDataResponse> obs) {
        store.record("ResolveKvData");
        CallFault f = faults.forCall(Rpc.RESOLVE_KV_DATA);
        if (CallFaultPoints.failedAtCall(f, obs) || brokenAt(f, 0, null, obs)) {
            return;
        }
        Call call = new Call(obs);
        ((ServerCallStreamObserver<ResolveKvDataResponse>) obs).setOnCancelHandler(() -> call.aborted = true);
        worker.execute(() -> {
            step();
            if (f instanceof Fault.ErrorReply e) {
                obs.onNext(ResolveKvDataResponse.newBuilder().setStoreId(backend.storeId())
                        .setError(Error.newBuilder().setMsg(e.msg())).build());
                obs.onCompleted();
                return;
            }
            // the backend reports the lock message first, then the write batches; TiKV's two workers race (R11)
            List<ResolveWorkers.Message> got = new ArrayList<>();
            int batch = faults.at(StorePoint.MESSAGE, Fault.ResolveBatch.class).stream()
                    .mapToInt(Fault.ResolveBatch::keys).findFirst().orElse(StoreBackend.SCAN_BATCH);
            synchronized (net) {
                backend.resolve(request.getResolvedTs(), batch,
                        (count, ts) -> got.add(new ResolveWorkers.Message(count, ts)));
            }
            for (ResolveWorkers.Message m : ResolveWorkers.interleave(backend.storeId(), got.get(0),
                    got.subList(1, got.size()))) {
                if (!call.aborted && !dead) {
                    obs.onNext(ResolveKvDataResponse.newBuilder().setStoreId(backend.storeId())
                            .setResolvedKeyCount(m.keys()).setCurrentCommitTs(m.commitTs()).build());
                    store.resolvedKeysSent(m.keys());
                }
            }
            // R5: a full manual compaction of every column family before the stream closes
            if (clock.sleep(RecoveryClock.COMPACTION, () -> call.aborted || dead) && call.finish()) {
                obs.onCompleted();
                CallFaultPoints.restartIfAnswered(f, store);
            }
        });
    }
}
