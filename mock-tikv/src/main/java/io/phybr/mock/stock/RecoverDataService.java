package io.phybr.mock.stock;

import com.google.protobuf.ByteString;
import io.grpc.Status;
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
 * Work runs on {@code worker}, never on the transport threads. Faults come from {@link StoreFaults}.
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

    @Override
    public void readRegionMeta(ReadRegionMetaRequest request, StreamObserver<RegionMeta> obs) {
        store.record("ReadRegionMeta");
        StoreFaults.Fault f = faults.take(StoreFaults.Rpc.READ_REGION_META);
        if (f != null && f.kind() == StoreFaults.Kind.STATUS) {
            obs.onError(Status.fromCode(f.code()).withDescription("injected fault").asRuntimeException());
            return;
        }
        Active call = supersede(obs);
        ((ServerCallStreamObserver<RegionMeta>) obs).setOnCancelHandler(call::cancelled);
        worker.execute(() -> {
            int sent = 0;
            for (LocalPeer p : backend.peers()) {
                if (p.tombstone()) {
                    continue;
                }
                step();
                if (call.aborted) {
                    return;
                }
                if (f != null && f.kind() == StoreFaults.Kind.RESET && sent >= f.after()) {
                    if (call.finish()) {
                        obs.onError(Status.UNAVAILABLE.withDescription("stream reset by the store").asRuntimeException());
                    }
                    return;
                }
                synchronized (call) {
                    if (call.finished) {
                        return;
                    }
                    obs.onNext(RegionMeta.newBuilder().setRegionId(p.regionId()).setPeerId(p.maxPeerId())
                            .setLastLogTerm(p.lastLogTerm()).setLastIndex(p.lastIndex()).setCommitIndex(0)
                            .setVersion(p.version()).setTombstone(false)
                            .setStartKey(ByteString.copyFrom(p.startKey())).setEndKey(ByteString.copyFrom(p.endKey()))
                            .build());
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
        StoreFaults.Fault f = faults.take(StoreFaults.Rpc.RECOVER_REGION);
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
                if (f != null && f.kind() == StoreFaults.Kind.STATUS) {
                    if (call.finish()) {
                        obs.onError(Status.fromCode(f.code()).withDescription("injected fault").asRuntimeException());
                    }
                    return;
                }
                if (f != null && f.kind() == StoreFaults.Kind.RESET) {
                    if (call.finish()) {
                        obs.onError(Status.UNAVAILABLE.withDescription("stream reset by the store").asRuntimeException());
                    }
                    return;
                }
                if (f != null && f.kind() == StoreFaults.Kind.REBOOT) {
                    store.rebootAsync();
                    return;
                }
                worker.execute(() -> {
                    String error = f != null && f.kind() == StoreFaults.Kind.ERROR_REPLY ? f.msg() : null;
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
                });
            }
        };
    }

    @Override
    public void waitApply(WaitApplyRequest request, StreamObserver<WaitApplyResponse> obs) {
        store.record("WaitApply");
        StoreFaults.Fault f = faults.take(StoreFaults.Rpc.WAIT_APPLY);
        if (f != null && (f.kind() == StoreFaults.Kind.STATUS || f.kind() == StoreFaults.Kind.RESET)) {
            obs.onError(Status.fromCode(f.code()).withDescription("injected fault").asRuntimeException());
            return;
        }
        worker.execute(() -> {
            step();
            WaitApplyResponse.Builder b = WaitApplyResponse.newBuilder();
            if (f != null && f.kind() == StoreFaults.Kind.ERROR_REPLY) {
                b.setError(Error.newBuilder().setMsg(f.msg()));
            } else {
                backend.applyAll();
            }
            obs.onNext(b.build());
            obs.onCompleted();
        });
    }

    @Override
    public void resolveKvData(ResolveKvDataRequest request, StreamObserver<ResolveKvDataResponse> obs) {
        store.record("ResolveKvData");
        StoreFaults.Fault f = faults.take(StoreFaults.Rpc.RESOLVE_KV_DATA);
        if (f != null && (f.kind() == StoreFaults.Kind.STATUS || f.kind() == StoreFaults.Kind.RESET)) {
            obs.onError(Status.fromCode(f.code()).withDescription("injected fault").asRuntimeException());
            return;
        }
        worker.execute(() -> {
            step();
            if (f != null && f.kind() == StoreFaults.Kind.ERROR_REPLY) {
                obs.onNext(ResolveKvDataResponse.newBuilder().setStoreId(backend.storeId())
                        .setError(Error.newBuilder().setMsg(f.msg())).build());
                obs.onCompleted();
                return;
            }
            backend.resolve(request.getResolvedTs(), (count, ts) -> obs.onNext(ResolveKvDataResponse.newBuilder()
                    .setStoreId(backend.storeId()).setResolvedKeyCount(count).setCurrentCommitTs(ts).build()));
            obs.onCompleted();
        });
    }
}
