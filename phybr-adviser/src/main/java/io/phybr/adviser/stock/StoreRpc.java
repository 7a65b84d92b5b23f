package io.phybr.adviser.stock;

import io.grpc.CallOptions;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.phybr.adviser.collect.MetaFields;
import io.phybr.adviser.collect.MetaFrame;
import io.phybr.adviser.collect.RawMetas;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.StoreRecording;
import io.phybr.contract.dump.StockReport;
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
import java.util.concurrent.atomic.AtomicLong;

/** The four recover_data calls, one store at a time, as BR makes them. */
final class StoreRpc {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("phybr.recover");

    private StoreRpc() {
    }

    /**
     * Metas asked of the transport at a time; the store streams at most this far ahead of us (~100 bytes a meta:
     * a few MB per store). Asked for in halves, so a request(n) — a hand-off to the transport — is rare.
     */
    static final int META_WINDOW = 16384;
    /** Progress is counted in steps of this many metas (and at the end), not with an atomic add per meta. */
    private static final int COUNT_STEP = 1024;

    /**
     * ReadRegionMeta with each message read as raw bytes ({@link RawMetas}, no size limit of its own: the channel's
     * inbound limit applies) and decoded by {@link MetaFields} straight into the table.
     */
    static final MethodDescriptor<ReadRegionMetaRequest, MetaFrame> READ_REGION_META_RAW =
            RecoverDataGrpc.getReadRegionMetaMethod().toBuilder(
                    RecoverDataGrpc.getReadRegionMetaMethod().getRequestMarshaller(), new RawMetas(Long.MAX_VALUE))
                    .build();
    private static final MethodDescriptor.Marshaller<RegionMeta> GENERAL =
            ProtoUtils.marshaller(RegionMeta.getDefaultInstance());

    /**
     * ReadRegionMeta, streamed into a fresh table for this store. Metas are decoded on the transport's
     * thread as they arrive (the call runs on a direct executor: no thread hand-off per message), straight
     * from the message bytes into the table's columns, and asked for in batches (at most {@link #META_WINDOW}
     * outstanding), so memory stays bounded whatever the store's size. A message the fast decoder does not
     * take (unknown fields, odd encodings, garbage) goes through protobuf's general parser, which fails the
     * call exactly as gRPC's own marshaller did. The table is only touched by one callback at a time (gRPC
     * serialises them) and handed over through the completion of {@code done}.
     */
    static ReplicaTable collect(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p,
                                StoreRecording rec) throws InterruptedException {
        ReplicaTable t = new ReplicaTable(1024);
        t.declareStore(s.id());
        long store = s.id();
        CompletableFuture<ReplicaTable> done = new CompletableFuture<>();
        ClientResponseObserver<ReadRegionMetaRequest, MetaFrame> obs = new ClientResponseObserver<>() {
            private final MetaFields f = MetaFields.stock();
            /** Filled for every meta and copied by the table: nothing allocated per row. */
            private final StockReport report = new StockReport();
            private ClientCallStreamObserver<ReadRegionMetaRequest> call;
            private int unrequested;
            private int uncounted;

            @Override
            public void beforeStart(ClientCallStreamObserver<ReadRegionMetaRequest> c) {
                call = c;
                c.disableAutoRequestWithInitial(META_WINDOW);
            }

            @Override
            public void onNext(MetaFrame frame) {
                byte[] b = frame.bytes();
                if (f.decode(b, 0, frame.length())) {
                    boolean tombstone = f.value(7) != 0;
                    t.addStock(report.store(store).region(f.value(1)).peerId(f.value(2)).lastLogTerm(f.value(3))
                            .lastIndex(f.value(4)).commitIndex(f.value(5)).version(f.value(6)).tombstone(tombstone)
                            .keySlices(b, f.startOffset(), f.startLength(), f.endOffset(), f.endLength()));
                    rec.stock(report);
                } else {
                    general(GENERAL.parse(frame.stream())); // throws as gRPC's marshaller did on garbage
                }
                if (++uncounted >= COUNT_STEP) {
                    p.count.addAndGet(uncounted);
                    uncounted = 0;
                }
                if (++unrequested >= META_WINDOW / 2) {
                    call.request(unrequested);
                    unrequested = 0;
                }
            }

            private void general(RegionMeta m) {
                byte[] start = m.getStartKey().toByteArray();
                byte[] end = m.getEndKey().toByteArray();
                t.addStock(report.store(store).region(m.getRegionId()).peerId(m.getPeerId())
                        .lastLogTerm(m.getLastLogTerm()).lastIndex(m.getLastIndex()).commitIndex(m.getCommitIndex())
                        .version(m.getVersion()).tombstone(m.getTombstone()).keys(start, end));
                rec.stock(report);
            }

            @Override
            public void onError(Throwable e) {
                p.count.addAndGet(uncounted);
                uncounted = 0;
                done.completeExceptionally(e);
            }

            @Override
            public void onCompleted() {
                p.count.addAndGet(uncounted);
                uncounted = 0;
                done.complete(t);
            }
        };
        ClientCalls.asyncServerStreamingCall(
                ch.newCall(READ_REGION_META_RAW, collectOptions(deadline)),
                ReadRegionMetaRequest.newBuilder().setStoreId(store).build(), obs);
        return await(done, deadline);
    }

    /**
     * Runs gRPC's callbacks on the transport thread that has the message (they only decode and copy). It must be
     * this very instance: grpc-java's ClientCallImpl recognises a direct executor by identity with Guava's, and only
     * then deframes on the transport thread and hands messages over without a queue; any other "run it here"
     * executor ({@code Runnable::run}) gets a SerializingExecutor and a thread-migrating deframer, costing about
     * half the collection rate (StockCollectionBenchmark, sender=wire).
     */
    private static final java.util.concurrent.Executor DIRECT =
            com.google.common.util.concurrent.MoreExecutors.directExecutor();

    /**
     * The ReadRegionMeta call's options: callbacks on a direct executor. {@code FrameReuseOnClientTest} checks with
     * these very options that gRPC parses each message and delivers it in one step on one thread, which the reused
     * {@link MetaFrame} of {@link RawMetas} relies on.
     */
    static CallOptions collectOptions(Deadline deadline) {
        return CallOptions.DEFAULT.withDeadline(deadline).withExecutor(DIRECT);
    }

    /**
     * RecoverRegion: streams the store's commands with flow control (only while the transport is ready),
     * half-closes, and waits for the store's single answer, which comes once every forced leader leads
     * and has applied to its last index. {@code sent} is run once every command is on its way (TiKV starts
     * working only then: services.rs reads the whole stream first).
     */
    static void recover(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p,
                        Assignment.Commands commands, Runnable sent) throws StoreError, InterruptedException {
        int to = commands.size();
        CompletableFuture<RecoverRegionResponse> done = new CompletableFuture<>();
        ClientResponseObserver<RecoverRegionRequest, RecoverRegionResponse> obs = new ClientResponseObserver<>() {
            private RecoverRegionResponse last;
            private int next;
            private boolean halfClosed;

            @Override
            public void beforeStart(ClientCallStreamObserver<RecoverRegionRequest> rs) {
                rs.setOnReadyHandler(() -> {
                    while (rs.isReady() && next < to) {
                        rs.onNext(commands.get(next++));
                        p.count.incrementAndGet();
                    }
                    if (next >= to && !halfClosed) {
                        halfClosed = true;
                        rs.onCompleted();
                        sent.run();
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

    /** Keys a store reported deleted by ResolveKvData, over every attempt. */
    static final class Deleted {
        final AtomicLong locks = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
    }

    /**
     * ResolveKvData: follows the store's progress. {@code resolved_key_count} is per message (R11,
     * data_resolver.rs): one message for the lock CF (no commit ts), then one per scanned batch of writes
     * (with the batch's largest commit ts), so the counts are summed, never taken as a running total.
     * The progress count is the keys of this attempt, extra the commit ts cursor.
     */
    static void resolve(ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p, long resolvedTs, Deleted deleted)
            throws StoreError {
        Iterator<ResolveKvDataResponse> it = RecoverDataGrpc.newBlockingStub(ch).withDeadline(deadline)
                .resolveKvData(ResolveKvDataRequest.newBuilder().setResolvedTs(resolvedTs).build());
        while (it.hasNext()) {
            ResolveKvDataResponse r = it.next();
            if (r.hasError() && !r.getError().getMsg().isEmpty()) {
                throw new StoreError(r.getError().getMsg());
            }
            long n = r.getResolvedKeyCount();
            if (r.getCurrentCommitTs() == 0) {
                deleted.locks.addAndGet(n);
            } else {
                deleted.writes.addAndGet(n);
                p.extra = r.getCurrentCommitTs();
            }
            p.count.addAndGet(n);
        }
    }

    /**
     * ResolveKvData with the resolved ts on every store; fills {@code out} (also when the phase fails) with what each
     * store reported deleted, and logs it per store.
     */
    static void resolveAll(PhaseRunner runner, java.util.List<PdStore> stores, java.time.Duration timeout, long ts,
                           java.util.Map<Long, io.phybr.adviser.outcome.Outcome.Deleted> out) throws PhaseFailure {
        java.util.Map<Long, Deleted> perStore = new java.util.concurrent.ConcurrentHashMap<>();
        stores.forEach(s -> perStore.put(s.id(), new Deleted()));
        try {
            runner.run(Phase.RESOLVE, "keys deleted", stores, timeout,
                    (s, ch, deadline, prog) -> resolve(ch, deadline, prog, ts, perStore.get(s.id())));
        } finally {
            perStore.forEach((id, d) -> out.put(id, new io.phybr.adviser.outcome.Outcome.Deleted(d.locks.get(), d.writes.get())));
        }
        for (PdStore s : stores) {
            io.phybr.adviser.outcome.Outcome.Deleted d = out.get(s.id());
            LOG.info("resolve: {} deleted {} locks and {} writes newer than ts {}", StockTexts.store(s), d.locks(), d.writes(), ts);
        }
    }

    /**
     * Whether a failed call may have reached the store (and so may have left a wait pending there). Only a
     * connection that was never made, or a store that does not serve the call at all, is known not to have.
     */
    static boolean mayHaveReached(Throwable e) {
        if (e instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return false;
            }
        }
        return true;
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
