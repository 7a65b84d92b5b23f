package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.proto.seed.CloseReply;
import io.phybr.mock.agent.StoreClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The close barrier counts stores, not calls (issue 14 item 1): a close counts only when it can be
 * attributed to a store that reported, once per store, and one that cannot is refused.
 */
class SeedAdviserCloseTest {
    enum Transport { LOOPBACK, IN_PROCESS }

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    private Transport transport;
    private String inProcessName;
    private SeedAdviser adviser;

    private void start(Transport t, Consumer<SeedAdviser.Builder> config) throws IOException {
        transport = t;
        SeedAdviser.Builder b = SeedAdviser.builder().collectTimeout(WAIT).closeTimeout(WAIT);
        if (t == Transport.LOOPBACK) {
            b.listen("127.0.0.1:0");
        } else {
            inProcessName = "seed-close-test-" + UUID.randomUUID();
            b.inProcess(inProcessName);
        }
        config.accept(b);
        adviser = cleanup.register(b.build());
        adviser.start();
    }

    private ManagedChannel channel() {
        return cleanup.register(transport == Transport.LOOPBACK
                ? NettyChannelBuilder.forAddress("127.0.0.1", adviser.port()).usePlaintext().build()
                : InProcessChannelBuilder.forName(inProcessName).build());
    }

    private Outcome outcome() throws InterruptedException {
        return adviser.awaitOutcome(WAIT).orElseThrow(() -> new AssertionError("no outcome in " + WAIT));
    }

    /** Every store of the layout reports (with its phybr-store-id) and gets its commands. */
    private void reportAll(Layout layout) {
        List<StoreClient> clients = new java.util.ArrayList<>();
        layout.byStore.forEach((s, metas) -> clients.add(StoreClient.report(channel(), s, metas)));
        clients.forEach(c -> c.allCommands().join());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAnonymousCloseDoesNotStandInForAStoreThatNeverClosed(Transport t) throws Exception {
        // The bug: stores 1 and 2 close, store 3 never does, a close without phybr-store-id arrives
        // on a connection no store reported from — and serve said "recovery complete".
        start(t, b -> b.stores(3).closeTimeout(Duration.ofMillis(1500)));
        reportAll(Layout.simple(3, 30));
        CompletableFuture<CloseReply> one = StoreClient.close(channel(), 1L, true);
        CompletableFuture<CloseReply> two = StoreClient.close(channel(), 2L, true);
        await().atMost(WAIT).until(() -> adviser.closedStores().length == 2);
        Status anonymous = StoreClient.statusOf(StoreClient.close(channel(), null, true));
        assertThat(anonymous.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(anonymous.getDescription()).contains("cannot be attributed to a store")
                .contains("does not count towards the close barrier");
        assertThat(adviser.closedStores()).containsExactly(1, 2);

        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(o.diagnosis().orElseThrow()).contains("store 3 never closed")
                .contains("1 close call(s) could not be attributed");
        for (CompletableFuture<CloseReply> f : List.of(one, two)) {
            assertThat(StoreClient.statusOf(f).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAnonymousCloseBeforeAnyReportIsRefusedAndTheSessionGoesOn(Transport t) throws Exception {
        start(t, b -> b.stores(2));
        Status early = StoreClient.statusOf(StoreClient.close(channel(), null, true));
        assertThat(early.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        // A failure report nobody can be named for does not end the session either.
        Status failure = StoreClient.statusOf(StoreClient.close(channel(), null, false));
        assertThat(failure.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(adviser.outcome()).isEmpty();
        Layout layout = Layout.simple(2, 20);
        reportAll(layout);
        List<CompletableFuture<CloseReply>> closes = List.of(StoreClient.close(channel(), 1L, true),
                StoreClient.close(channel(), 2L, true));
        closes.forEach(f -> assertThat(f.join().getOk()).isEqualTo("ok"));
        assertThat(outcome().exitCode()).isEqualTo(ExitCode.OK);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aCloseRetriedOnANewConnectionCountsOnce(Transport t) throws Exception {
        start(t, b -> b.stores(3));
        reportAll(Layout.simple(3, 30));
        // Store 1's agent lost its connection while its close was held, and closes again.
        CompletableFuture<CloseReply> first = StoreClient.close(channel(), 1L, true);
        CompletableFuture<CloseReply> retry = StoreClient.close(channel(), 1L, true);
        CompletableFuture<CloseReply> two = StoreClient.close(channel(), 2L, true);
        await().atMost(WAIT).until(() -> adviser.closedStores().length == 2);
        // Three calls, two stores: the barrier still waits for store 3.
        assertThat(adviser.closedStores()).containsExactly(1, 2);
        assertThat(adviser.outcome()).isEmpty();
        assertThat(List.of(first, retry, two)).noneMatch(CompletableFuture::isDone);
        CompletableFuture<CloseReply> three = StoreClient.close(channel(), 3L, true);
        for (CompletableFuture<CloseReply> f : List.of(first, retry, two, three)) {
            assertThat(f.get().getOk()).isEqualTo("ok");
        }
        assertThat(outcome().exitCode()).isEqualTo(ExitCode.OK);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreThatHasNotReportedCannotCloseWithWorkDone(Transport t) throws Exception {
        start(t, b -> b.storeIds(1, 2));
        StoreClient one = StoreClient.open(channel(), 1L); // connected, still reporting
        await().atMost(WAIT).until(() -> adviser.metasSoFar(1) == 0);
        Status s = StoreClient.statusOf(StoreClient.close(channel(), 1L, true));
        assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(s.getDescription()).startsWith("Store 1 called close(workdone=true)")
                .contains("has no complete region report");
        Status never = StoreClient.statusOf(StoreClient.close(channel(), 2L, true));
        assertThat(never.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(adviser.closedStores()).isEmpty();
        assertThat(adviser.outcome()).isEmpty();
        one.cancel();
    }

    @Test
    void anAgentWithoutIdClosingOnTheConnectionItReportedFromIsCounted() throws Exception {
        // The seed's tikv-phybr sends no phybr-store-id: the connection names it.
        start(Transport.LOOPBACK, b -> b.stores(1));
        ManagedChannel ch = channel();
        StoreClient.report(ch, null, Layout.simple(1, 10).of(1)).allCommands().join();
        assertThat(StoreClient.close(ch, null, true).get().getOk()).isEqualTo("ok");
        assertThat(adviser.closedStores()).containsExactly(1);
        assertThat(outcome().exitCode()).isEqualTo(ExitCode.OK);
    }
}
