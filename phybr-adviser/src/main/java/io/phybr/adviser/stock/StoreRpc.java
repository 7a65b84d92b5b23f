package io.phybr.adviser.stock;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.StoreRecording;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.RegionMeta;
import io.phybr.proto.recoverdata.ResolveKvDataRequest;
import io.phybr.proto.recoverdata.ResolveKvDataResponse;
import io.phybr.proto.recoverdata.WaitApplyRequest;
import io.phybr.proto.recoverdata.WaitApplyResponse;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The four recover_data calls, one store at a time, as BR makes them. */
final class StoreRpc {
    private StoreRpc() {
    }

    /** Metas asked of the transport at a time; the store streams at most this far ahead of us. */
    private static final int META_WINDOW = 1024;

    /**
     * ReadRegionMeta, streamed into a fresh table for this store. Metas are consumed on the
     * transport's thread as they arrive and asked for in batches (at most {@link #META_WINDOW}
     * outstanding), so memory stays bounded whatever the store's size without a thread hand-off
     * per message. The table is only touched by one callback at a time (gRPC serialises them)
     * and handed over through the completion of {@code done}.
     */
    static ReplicaTable collect(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p,
                                StoreRecording rec) throws InterruptedException {
        ReplicaTable t = new ReplicaTable(1024);
        t.declareStore(s.id());
        CompletableFuture<ReplicaTable> done = new CompletableFuture<>();
        ClientResponseObserver<ReadRegionMetaRequest, RegionMeta> obs = new ClientResponseObserver<>() {
            private ClientCallStreamObserver<ReadRegionMetaRequest> call;
            private int unrequested;

            @Override
            public void beforeStart(ClientCallStreamObserver<ReadRegionMetaRequest> c) {
                call = c;
                c.disableAutoRequestWithInitial(META_WINDOW);
            }

            @Override
            public void onNext(RegionMeta m) {
                byte[] start = m.getStartKey().toByteArray();
                byte[] end = m.getEndKey().toByteArray();
                t.addStock(s.id(), m.getRegionId(), m.getPeerId(), m.getLastLogTerm(), m.getLastIndex(),
                        m.getCommitIndex(), m.getVersion(), m.getTombstone(), start, end);
                rec.stock(m.getRegionId(), m.getPeerId(), m.getLastLogTerm(), m.getLastIndex(), m.getCommitIndex(),
                        m.getVersion(), m.getTombstone(), start, end);
                p.count.incrementAndGet();
                if (++unrequested >= META_WINDOW / 2) {
                    call.request(unrequested);
                    unrequested = 0;
                }
            }

            @Override
            public void onError(Throwable e) {
                done.completeExceptionally(e);
            }

            @Override
            public void onCompleted() {
                done.complete(t);
            }
        };
        RecoverDataGrpc.newStub(ch).withDeadline(deadline)
                .readRegionMeta(ReadRegionMetaRequest.newBuilder().setStoreId(s.id()).build(), obs);
        return await(done, deadline);
    }

    /**
     * RecoverRegion: streams the store's commands with flow control (only while the transport is ready),
     * half-closes, and waits for the store's single answer, which comes once every forced leader leads
     * and has applied to its last index.
     */
    static void recover(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p, Plan plan)
            throws StoreError, InterruptedException {
        int from = plan.commandsFrom(s.id());
        int to = plan.commandsTo(s.id());
        CompletableFuture<RecoverRegionResponse> done = new CompletableFuture<>();
        ClientResponseObserver<RecoverRegionRequest, RecoverRegionResponse> obs = new ClientResponseObserver<>() {
            private RecoverRegionResponse last;
            private int next = from;
            private boolean halfClosed;

            @Override
            public void beforeStart(ClientCallStreamObserver<RecoverRegionRequest> rs) {
                rs.setOnReadyHandler(() -> {
                    while (rs.isReady() && next < to) {
                        int k = next++;
                        rs.onNext(RecoverRegionRequest.newBuilder().setRegionId(plan.commandRegion(k))
                                .setAsLeader(plan.commandAsLeader(k)).setTombstone(plan.commandTombstone(k)).build());
                        p.count.incrementAndGet();
                    }
                    if (next >= to && !halfClosed) {
                        halfClosed = true;
                        rs.onCompleted();
                    }
                });
            }

            @Override
            public void onNext(RecoverRegionResponse value) {
                last = value;
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(last == null ? RecoverRegionResponse.getDefaultInstance() : last);
            }
        };
        RecoverDataGrpc.newStub(ch).withDeadline(deadline).recoverRegion(obs);
        RecoverRegionResponse resp = await(done, deadline);
        if (resp.hasError() && !resp.getError().getMsg().isEmpty()) {
            throw new StoreError(resp.getError().getMsg());
        }
    }

    static void waitApply(PdStore s, ManagedChannel ch, Deadline deadline) throws StoreError {
        WaitApplyResponse r = RecoverDataGrpc.newBlockingStub(ch).withDeadline(deadline)
                .waitApply(WaitApplyRequest.newBuilder().setStoreId(s.id()).build());
        if (r.hasError() && !r.getError().getMsg().isEmpty()) {
            throw new StoreError(r.getError().getMsg());
        }
    }

    /** ResolveKvData: follows the store's progress; the count is keys deleted, extra the commit ts cursor. */
    static void resolve(ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p, long resolvedTs) throws StoreError {
        Iterator<ResolveKvDataResponse> it = RecoverDataGrpc.newBlockingStub(ch).withDeadline(deadline)
                .resolveKvData(ResolveKvDataRequest.newBuilder().setResolvedTs(resolvedTs).build());
        while (it.hasNext()) {
            ResolveKvDataResponse r = it.next();
            if (r.hasError() && !r.getError().getMsg().isEmpty()) {
                throw new StoreError(r.getError().getMsg());
            }
            p.count.set(Math.max(p.count.get(), r.getResolvedKeyCount()));
            p.extra = r.getCurrentCommitTs();
        }
    }

    private static <T> T await(CompletableFuture<T> f, Deadline deadline) throws InterruptedException {
        try {
            // The call carries the deadline itself; the margin only guards against a lost callback.
            return f.get(deadline.timeRemaining(TimeUnit.MILLISECONDS) + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException sre) {
                throw sre;
            }
            throw Status.fromThrowable(e.getCause()).asRuntimeException();
        } catch (TimeoutException e) {
            throw Status.DEADLINE_EXCEEDED.withDescription("no answer").asRuntimeException();
        }
    }
}
