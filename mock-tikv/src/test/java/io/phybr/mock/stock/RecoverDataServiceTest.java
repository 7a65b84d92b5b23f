package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.fault.Fault;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.RegionMeta;
import io.phybr.proto.recoverdata.ResolveKvDataRequest;
import io.phybr.proto.recoverdata.ResolveKvDataResponse;
import io.phybr.proto.recoverdata.WaitApplyRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock store behaves as stock TiKV's snap_recovery service does (SPEC §3). */
class RecoverDataServiceTest {
    private InMemoryStoreBackend backend;
    private MockStockStore store;
    private ManagedChannel channel;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @BeforeEach
    void start() {
        backend = new InMemoryStoreBackend(7)
                .addPeer(new LocalPeer(2, new long[] {21, 29, 23}, 6, 40, 38, 5, false, b(""), b("m")), 30)
                .addPeer(new LocalPeer(3, new long[] {31}, 6, 12, 12, 2, true, b("m"), b("")), 12)
                .addPeer(new LocalPeer(4, new long[] {41, 44}, 7, 50, 50, 4, false, b("m"), b("")), 50);
        store = new MockStockStore(backend).start();
        channel = NettyChannelBuilder.forTarget(store.address()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        store.close();
        Leaks.assertNoServersLeft();
    }

    private List<RegionMeta> readAll() {
        List<RegionMeta> out = new ArrayList<>();
        RecoverDataGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .readRegionMeta(ReadRegionMetaRequest.newBuilder().setStoreId(7).build()).forEachRemaining(out::add);
        return out;
    }

    private RecoverRegionResponse recover(RecoverRegionRequest... reqs) throws Exception {
        CompletableFuture<RecoverRegionResponse> f = new CompletableFuture<>();
        StreamObserver<RecoverRegionRequest> in = RecoverDataGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .recoverRegion(observer(f));
        for (RecoverRegionRequest r : reqs) {
            in.onNext(r);
        }
        in.onCompleted();
        return f.get(10, TimeUnit.SECONDS);
    }

    private static StreamObserver<RecoverRegionResponse> observer(CompletableFuture<RecoverRegionResponse> f) {
        return new StreamObserver<>() {
            RecoverRegionResponse last;

            @Override
            public void onNext(RecoverRegionResponse v) {
                last = v;
            }

            @Override
            public void onError(Throwable t) {
                f.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                f.complete(last);
            }
        };
    }

    @Test
    void readRegionMetaReportsLikeTikv() {
        List<RegionMeta> metas = readAll();
        assertThat(metas).extracting(RegionMeta::getRegionId).containsExactly(2L, 4L); // tombstone peer skipped
        RegionMeta m = metas.get(0);
        assertThat(m.getPeerId()).isEqualTo(29); // the largest peer id
        assertThat(m.getCommitIndex()).isZero();
        assertThat(m.getTombstone()).isFalse();
        assertThat(m.getLastLogTerm()).isEqualTo(6);
        assertThat(m.getLastIndex()).isEqualTo(40);
        assertThat(m.getVersion()).isEqualTo(5);
        assertThat(m.getStartKey().toByteArray()).isEmpty();
        assertThat(m.getEndKey().toStringUtf8()).isEqualTo("m"); // raw, no 'z' prefix
    }

    @Test
    void recoverRegionForcesLeadersAndIgnoresTombstones() throws Exception {
        RecoverRegionResponse r = recover(RecoverRegionRequest.newBuilder().setRegionId(2).setAsLeader(true).build(),
                RecoverRegionRequest.newBuilder().setRegionId(4).setTombstone(true).build());
        assertThat(r.getStoreId()).isEqualTo(7);
        assertThat(r.hasError()).isFalse();
        assertThat(backend.leaders()).containsExactly(2L);
        assertThat(store.recoverCalls()).hasSize(1).first().asList().hasSize(2);
    }

    @Test
    void recoverRegionOfAnUnknownRegionAnswersAnError() throws Exception {
        RecoverRegionResponse r = recover(RecoverRegionRequest.newBuilder().setRegionId(77).setAsLeader(true).build());
        assertThat(r.getError().getMsg()).contains("region 77");
    }

    @Test
    void aNewerCallAbortsAnUnfinishedOlderOne() throws Exception {
        store.faults().slow(Duration.ofMillis(300));
        Iterator<RegionMeta> older = RecoverDataGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .readRegionMeta(ReadRegionMetaRequest.newBuilder().setStoreId(7).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> store.calls().contains("ReadRegionMeta"));
        store.faults().slow(Duration.ZERO);
        CompletableFuture<RecoverRegionResponse> newer = new CompletableFuture<>();
        StreamObserver<RecoverRegionRequest> in = RecoverDataGrpc.newStub(channel).recoverRegion(observer(newer));
        in.onNext(RecoverRegionRequest.newBuilder().setRegionId(4).setAsLeader(true).build());
        in.onCompleted();
        assertThatThrownBy(() -> older.forEachRemaining(m -> { }))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
        assertThat(newer.get(10, TimeUnit.SECONDS).getStoreId()).isEqualTo(7);
    }

    @Test
    void waitApplyAppliesEveryPeer() {
        assertThat(backend.allApplied()).isFalse();
        assertThat(RecoverDataGrpc.newBlockingStub(channel).waitApply(WaitApplyRequest.newBuilder().setStoreId(7).build())
                .hasError()).isFalse();
        assertThat(backend.allApplied()).isTrue();
    }

    @Test
    void resolveDeletesLocksAndNewerWritesWithProgress() {
        for (int i = 0; i < 200; i++) {
            backend.addKv(new InMemoryStoreBackend.Kv(b("k" + i), 100 + i, i % 50 == 0));
        }
        List<ResolveKvDataResponse> progress = new ArrayList<>();
        RecoverDataGrpc.newBlockingStub(channel).resolveKvData(ResolveKvDataRequest.newBuilder().setResolvedTs(199).build())
                .forEachRemaining(progress::add);
        // writes with commit ts 200..299 (100 keys) plus the locks below the ts (k0, k50) go
        assertThat(progress).isNotEmpty();
        assertThat(progress.get(progress.size() - 1).getResolvedKeyCount()).isEqualTo(102);
        assertThat(progress).allSatisfy(p -> assertThat(p.getStoreId()).isEqualTo(7));
        assertThat(backend.kvs()).hasSize(98).allSatisfy(k -> {
            assertThat(k.commitTs()).isLessThanOrEqualTo(199);
            assertThat(k.lock()).isFalse();
        });
    }

    @Test
    void injectedFaultsFireThenRunOut() {
        store.faults().failNext(Fault.Rpc.READ_REGION_META, Status.Code.UNAVAILABLE, 1)
                .resetStream(Fault.Rpc.READ_REGION_META, 1, 1);
        assertThatThrownBy(this::readAll).hasMessageContaining("UNAVAILABLE: injected fault");
        assertThatThrownBy(this::readAll).hasMessageContaining("stream reset");
        assertThat(readAll()).hasSize(2);
        assertThat(store.faults().pending()).isZero();
    }

    @Test
    void aRebootedStoreComesBackOnTheSamePortAndLosesLeadership() throws Exception {
        recover(RecoverRegionRequest.newBuilder().setRegionId(2).setAsLeader(true).build());
        int port = store.port();
        store.reboot();
        assertThat(store.port()).isEqualTo(port);
        assertThat(backend.leaders()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> readAll().size() == 2);
    }
}
