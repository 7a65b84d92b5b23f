package io.phybr.mock.stock;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.Fault.CallFault;
import io.phybr.mock.fault.Fault.Rpc;
import io.phybr.mock.fault.StorePoint;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.phybr.proto.recoverdata.Error;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.RegionMeta;
import io.phybr.proto.recoverdata.ResolveKvDataRequest;
import io.phybr.proto.recoverdata.ResolveKvDataResponse;
import io.phybr.proto.recoverdata.WaitApplyRequest;
import io.phybr.proto.recoverdata.WaitApplyResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code recover_data.RecoverData} as stock TiKV serves it in recovery mode (components/snap_recovery):
 * <ul>
 *   <li>ReadRegionMeta streams one meta per local non-tombstone peer: {@code peer_id} the largest peer id of
 *       the region, {@code commit_index} 0, {@code tombstone} false, raw keys;</li>
 *   <li>RecoverRegion reads every request first, then forces each {@code as_leader} region to lead and waits
 *       until it applied to its last index, ignores {@code tombstone}, and answers {@code store_id};</li>
 *   <li>a newer RecoverRegion or ReadRegionMeta aborts an unfinished older one with ABORTED;</li>
 *   <li>WaitApply returns once every peer applied to its last index;</li>
 *   <li>ResolveKvData deletes locks and writes newer than the resolved ts, streaming progress.</li>
 * </ul>
 * Work runs on {@code worker}, never on the transport threads. Faults come from {@link StoreFaults}, looked up at
 * the store's named points ({@link StorePoint}).
 */
final class RecoverDataService extends RecoverDataGrpc.RecoverDataImplBase {
    /** A long-running call that a newer one may abort. */
    private static final class Active {
        private final StreamObserver<?> observer;
        private boolean finished;
        private volatile boolean aborted;

        Active(StreamObserver<?> observer) {
            this.observer = observer;
        }

        synchronized boolean finish() {
            if (finished) {
                return false;
            }
            finished = true;
            return true;
        }

        /** The client went away (cancel, deadline, store stopped): stop working for it. */
        void cancelled() {
            aborted = true;
            finish();
        }

        void abort() {
            aborted = true;
            if (finish()) {
                try {
                    observer.onError(Status.ABORTED.withDescription("aborted by a newer recovery call").asRuntimeException());
                } catch (RuntimeException ignored) {
                    // the call is already gone
                }
            }
        }
    }

    private final MockStockStore store;
    private final StoreBackend backend;
    private final StoreFaults faults;
    private final ExecutorService worker;
    private Active active;

    RecoverDataService(MockStockStore store, StoreBackend backend, StoreFaults faults, ExecutorService worker) {
        this.store = store;
        this.backend = backend;
        this.faults = faults;
        this.worker = worker;
    }

    private synchronized Active supersede(StreamObserver<?> obs) {
        Active old = active;
        Active now = new Active(obs);
        active = now;
        if (old != null) {
            old.abort();
        }
        return now;
    }

    private void step() {
        long nanos = faults.delay().toNanos();
        if (nanos > 0) {
            long end = System.nanoTime() + nanos;
            long rest;
            while ((rest = end - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(rest);
            }
        }
    }

    // ---- fault hooks (one per named point) -----------------------------------------------------------------

    /** Point CALL: a {@link Fault.FailNext} answers the call with its status before anything happens. */
    private static boolean failedAtCall(CallFault f, StreamObserver<?> obs) {
        if (f instanceof Fault.FailNext fail) {
            obs.onError(Status.fromCode(fail.code()).withDescription("injected fault").asRuntimeException());
            return true;
        }
        return false;
    }

    /**
     * Point MESSAGE (or REQUESTS_READ): before message {@code sent}, a {@link Fault.ResetAfter} breaks the stream and a
     * {@link Fault.RestartDuring} restarts the store process (which breaks every call).
     */
    private boolean brokenAt(CallFault f, int sent, Active call, StreamObserver<?> obs) {
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

    /** Point ANSWERED: a {@link Fault.RestartAfterAnswer} restarts the store once the answer is out. */
    private void restartIfAnswered(CallFault f) {
        if (f instanceof Fault.RestartAfterAnswer) {
            store.rebootAsync();
        }
    }

    /**
     * Point BUILD_METAS: one meta per local non-tombstone peer, with the store's report faults applied; built as the
     * stream sends them (a store of a million regions does not hold a million messages at once).
     */
    private Iterable<RegionMeta> metas() {
        List<Fault.ReportFault> garbage = faults.at(StorePoint.BUILD_METAS, Fault.ReportFault.class);
        List<LocalPeer> peers = backend.peers();
        return () -> new java.util.Iterator<>() {
            private final java.util.ArrayDeque<RegionMeta> ready = new java.util.ArrayDeque<>(2);
            private final java.util.Iterator<LocalPeer> next = peers.iterator();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && next.hasNext()) {
                    metasOf(next.next(), garbage, ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public RegionMeta next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    private static void metasOf(LocalPeer p, List<Fault.ReportFault> garbage, java.util.Collection<RegionMeta> out) {
        if (p.tombstone()) {
            return;
        }
        byte[] start = p.startKey();
        byte[] end = p.endKey();
        boolean twice = false;
        boolean unknown = false;
        for (Fault.ReportFault g : garbage) {
            if (g.region() != p.regionId()) {
                continue;
            }
            if (g instanceof Fault.ReversedRange) {
                byte[] newEnd = start.length != 0 ? start : new byte[] {0x00};
                start = end.length != 0 ? end : io.phybr.mock.model.Keys.append(newEnd, (byte) 0xff);
                end = newEnd;
            } else if (g instanceof Fault.Duplicate) {
                twice = true;
            } else if (g instanceof Fault.UnknownField) {
                unknown = true;
            }
        }
        RegionMeta.Builder m = RegionMeta.newBuilder().setRegionId(p.regionId()).setPeerId(p.maxPeerId())
                .setLastLogTerm(p.lastLogTerm()).setLastIndex(p.lastIndex()).setCommitIndex(0)
                .setVersion(p.version()).setTombstone(false)
                .setStartKey(ByteString.copyFrom(start)).setEndKey(ByteString.copyFrom(end));
        if (unknown) {
            m.setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder().addField(99,
                    com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());
        }
        out.add(m.build());
        if (twice) {
            out.add(m.build());
        }
    }

    /**
     * Waits until the transport can take another message (grpc flow control, as grpcio's sink honours it in TiKV),
     * so a slow reader holds the store back instead of the store buffering its whole meta stream in memory.
     */
    private static void awaitReady(ServerCallStreamObserver<?> obs, Object ready, Active call) {
        while (!obs.isReady() && !call.aborted) {
            synchronized (ready) {
                try {
                    ready.wait(50); // bounded: an onReady signal racing this check costs at most 50 ms
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void readRegionMeta(ReadRegionMetaRequest request, StreamObserver<RegionMeta> obs) {
        store.record("ReadRegionMeta");
        CallFault f = faults.forCall(Rpc.READ_REGION_META);
        if (failedAtCall(f, obs)) {
            return;
        }
        Active call = supersede(obs);
        ServerCallStreamObserver<RegionMeta> server = (ServerCallStreamObserver<RegionMeta>) obs;
        server.setOnCancelHandler(call::cancelled);
        Object ready = new Object();
        server.setOnReadyHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
        worker.execute(() -> {
            int sent = 0;
            for (RegionMeta m : metas()) {
                step();
                awaitReady(server, ready, call);
                if (call.aborted) {
                    return;
                }
                if (brokenAt(f, sent, call, obs)) {
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
            }
        });
    }

    @Override
    public StreamObserver<RecoverRegionRequest> recoverRegion(StreamObserver<RecoverRegionResponse> obs) {
        store.record("RecoverRegion");
        CallFault f = faults.forCall(Rpc.RECOVER_REGION);
        Active call = supersede(obs);
        ((ServerCallStreamObserver<RecoverRegionResponse>) obs).setOnCancelHandler(call::cancelled);
        List<RecoverRegionRequest> requests = new ArrayList<>();
        return new StreamObserver<>() {
            @Override
            public void onNext(RecoverRegionRequest r) {
                requests.add(r);
            }

            @Override
            public void onError(Throwable t) {
                call.cancelled();
            }

            @Override
            public void onCompleted() {
                store.recordRecover(List.copyOf(requests));
                if (f instanceof Fault.FailNext fail) {
                    if (call.finish()) {
                        obs.onError(Status.fromCode(fail.code()).withDescription("injected fault").asRuntimeException());
                    }
                    return;
                }
                if (brokenAt(f, 0, call, obs)) {
                    return;
                }
                worker.execute(() -> {
                    String error = f instanceof Fault.ErrorReply e ? e.msg() : null;
                    for (RecoverRegionRequest r : requests) {
                        if (error != null) {
                            break;
                        }
                        if (!r.getAsLeader()) {
                            continue; // TiKV ignores tombstone requests
                        }
                        step();
                        if (call.aborted) {
                            return;
                        }
                        try {
                            backend.forceLeader(r.getRegionId());
                        } catch (IllegalArgumentException e) {
                            error = e.getMessage();
                        }
                    }
                    RecoverRegionResponse.Builder resp = RecoverRegionResponse.newBuilder().setStoreId(backend.storeId());
                    if (error != null) {
                        resp.setError(Error.newBuilder().setMsg(error));
                    }
                    synchronized (call) {
                        if (call.finished) {
                            return;
                        }
                        call.finished = true;
                    }
                    obs.onNext(resp.build());
                    obs.onCompleted();
                    restartIfAnswered(f);
                });
            }
        };
    }

    @Override
    public void waitApply(WaitApplyRequest request, StreamObserver<WaitApplyResponse> obs) {
        store.record("WaitApply");
        CallFault f = faults.forCall(Rpc.WAIT_APPLY);
        if (failedAtCall(f, obs) || brokenAt(f, 0, null, obs)) {
            return;
        }
        worker.execute(() -> {
            step();
            WaitApplyResponse.Builder b = WaitApplyResponse.newBuilder();
            if (f instanceof Fault.ErrorReply e) {
                b.setError(Error.newBuilder().setMsg(e.msg()));
            } else {
                backend.applyAll();
            }
            obs.onNext(b.build());
            obs.onCompleted();
            restartIfAnswered(f);
        });
    }

    @Override
    public void resolveKvData(ResolveKvDataRequest request, StreamObserver<ResolveKvDataResponse> obs) {
        store.record("ResolveKvData");
        CallFault f = faults.forCall(Rpc.RESOLVE_KV_DATA);
        if (failedAtCall(f, obs) || brokenAt(f, 0, null, obs)) {
            return;
        }
        worker.execute(() -> {
            step();
            if (f instanceof Fault.ErrorReply e) {
                obs.onNext(ResolveKvDataResponse.newBuilder().setStoreId(backend.storeId())
                        .setError(Error.newBuilder().setMsg(e.msg())).build());
                obs.onCompleted();
                return;
            }
            backend.resolve(request.getResolvedTs(), (count, ts) -> obs.onNext(ResolveKvDataResponse.newBuilder()
                    .setStoreId(backend.storeId()).setResolvedKeyCount(count).setCurrentCommitTs(ts).build()));
            obs.onCompleted();
            restartIfAnswered(f);
        });
    }
}
