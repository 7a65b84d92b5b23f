package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.mock.fault.Fault;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RegionMeta;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock store's reporting and fault hooks; its TiKV semantics (R1–R11) are pinned in {@link StockConformanceTest}. */
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
                .addPeer(LocalPeer.of(2).peers(21, 29, 23).lastLogTerm(6).lastIndex(40).commitIndex(38).version(5)
                        .range(b(""), b("m")).build(), 30)
                .addPeer(LocalPeer.of(3).peers(31).lastLogTerm(6).lastIndex(12).commitIndex(12).version(2)
                        .tombstone(true).range(b("m"), b("")).build(), 12)
                .addPeer(LocalPeer.of(4).peers(41, 44).lastLogTerm(7).lastIndex(50).commitIndex(50).version(4)
                        .range(b("m"), b("")).build(), 50);
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
    void injectedFaultsFireThenRunOut() {
        store.faults().failNext(Fault.Rpc.READ_REGION_META, Status.Code.UNAVAILABLE, 1)
                .resetStream(Fault.Rpc.READ_REGION_META, 1, 1);
        assertThatThrownBy(this::readAll).hasMessageContaining("UNAVAILABLE: injected fault");
        assertThatThrownBy(this::readAll).hasMessageContaining("stream reset");
        assertThat(readAll()).hasSize(2);
        assertThat(store.faults().pending()).isZero();
    }

    /**
     * A store killed in the middle of a call breaks it as a killed TiKV does: its connection drops, and grpc's client
     * fails the call with UNAVAILABLE (never CANCELLED, which a server's stream reset gives: the restart's
     * {@code shutdownNow} used to race the call and answer either code). {@link LiveCalls} closes the call first.
     */
    @Test
    void aStoreRestartedMidCallFailsItWithUnavailable() {
        store.faults().add(new Fault.RestartDuring(7, Fault.Rpc.READ_REGION_META, 1, 1));
        assertThatThrownBy(this::readAll).isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(Status.Code.UNAVAILABLE));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.reboots() == 1 && store.running());
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> readAll().size() == 2);
    }

    @Test
    void aRebootedStoreComesBackOnTheSamePort() throws Exception {
        int port = store.port();
        store.reboot();
        assertThat(store.port()).isEqualTo(port);
        assertThat(store.reboots()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> readAll().size() == 2);
    }
}
