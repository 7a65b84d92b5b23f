package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Plan;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.RegionRecover;
import io.phybr.proto.seed.ResolvedReply;
import io.phybr.mock.agent.StoreClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The seed-protocol adviser end to end: the close barrier, resolve, the plan file, shutting down. */
class SeedAdviserCloseTest extends SeedAdviserFixture {
    // ---- the close barrier ----------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theCloseBarrierHoldsEveryReplyUntilTheLastStoreCloses(Transport t) throws Exception {
        Layout layout = Layout.simple(3, 30);
        start(t, b -> b.stores(3));
        reportAll(layout).values().forEach(c -> c.allCommands().join());
        CompletableFuture<CloseReply> one = StoreClient.close(channel(), 1L, true);
        CompletableFuture<CloseReply> two = StoreClient.close(channel(), 2L, true);
        await().atMost(WAIT).until(() -> adviser.closedStores().length == 2);
        // Both closes are registered, and neither is answered while store 3 has not closed.
        assertThat(one).isNotDone();
        assertThat(two).isNotDone();
        assertThat(adviser.outcome()).isEmpty();
        CompletableFuture<CloseReply> three = StoreClient.close(channel(), 3L, true);
        assertThat(three.get().getOk()).isEqualTo("ok");
        assertThat(one.get().getOk()).isEqualTo("ok");
        assertThat(two.get().getOk()).isEqualTo("ok");
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(o.verdict()).contains("3 stores applied the plan");
    }

    @Test
    void agentsWithoutIdAreRecognisedAtCloseByTheirConnection() throws Exception {
        // The seed's tikv-phybr sends no phybr-store-id; it calls close on the connection it reported on.
        Layout layout = Layout.simple(2, 20);
        start(Transport.LOOPBACK, b -> b.stores(2));
        ManagedChannel a = channel();
        StoreClient first = StoreClient.open(a, null);
        await().atMost(WAIT).until(() -> adviser.knownStores().length == 1);
        ManagedChannel b = channel();
        StoreClient second = StoreClient.open(b, null);
        await().atMost(WAIT).until(() -> adviser.knownStores().length == 2);
        first.sendAll(layout.of(1), true);
        second.sendAll(layout.of(2), true);
        first.allCommands().get();
        second.allCommands().get();
        CompletableFuture<CloseReply> closeA = StoreClient.close(a, null, true);
        await().atMost(WAIT).until(() -> adviser.closedStores().length == 1);
        assertThat(adviser.closedStores()).containsExactly(1);
        assertThat(closeA).isNotDone();
        CompletableFuture<CloseReply> closeB = StoreClient.close(b, null, true);
        assertThat(closeB.get().getOk()).isEqualTo("ok");
        assertThat(closeA.get().getOk()).isEqualTo("ok");
        assertThat(adviser.closedStores()).containsExactly(1, 2);
        assertThat(outcome().exitCode()).isEqualTo(ExitCode.OK);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreThatNeverClosesTimesOutAndTheOthersAreAnswered(Transport t) throws Exception {
        Layout layout = Layout.simple(3, 30);
        start(t, b -> b.stores(3).closeTimeout(Duration.ofMillis(1500)));
        reportAll(layout).values().forEach(c -> c.allCommands().join());
        CompletableFuture<CloseReply> one = StoreClient.close(channel(), 1L, true);
        CompletableFuture<CloseReply> two = StoreClient.close(channel(), 2L, true);
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(o.plan()).isPresent();
        assertThat(o.diagnosis().orElseThrow()).contains("store 3 never closed");
        for (CompletableFuture<CloseReply> f : List.of(one, two)) {
            Status s = StoreClient.statusOf(f);
            assertThat(s.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(s.getDescription()).contains("store 3 never closed");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void closeWithWorkNotDoneIsAFailureNamingTheStore(Transport t) throws Exception {
        Layout layout = Layout.simple(3, 30);
        start(t, b -> b.stores(3));
        reportAll(layout).values().forEach(c -> c.allCommands().join());
        CompletableFuture<CloseReply> one = StoreClient.close(channel(), 1L, true);
        await().atMost(WAIT).until(() -> adviser.closedStores().length == 1);
        CompletableFuture<CloseReply> two = StoreClient.close(channel(), 2L, false);
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(o.diagnosis().orElseThrow()).startsWith("Store 2 reported failure");
        assertThat(StoreClient.statusOf(one).getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(StoreClient.statusOf(two).getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(StoreClient.statusOf(one).getDescription()).contains("Store 2 reported failure");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreThatReconnectsAfterThePlanGetsTheSameCommandsAgain(Transport t) throws Exception {
        Layout layout = Layout.random(5, 3, 80);
        Plan expected = layout.plan();
        start(t, b -> b.stores(3));
        Map<Long, StoreClient> clients = reportAll(layout);
        List<RegionRecover> first = clients.get(2L).allCommands().get();
        assertThat(first).isNotEmpty().containsExactlyElementsOf(Layout.commandsOf(expected, 2));
        // Rebooted after applying: reports again (its metas changed), gets the same commands.
        StoreClient again = StoreClient.report(channel(), 2L, layout.of(2).subList(0, 5));
        assertThat(again.allCommands().get()).containsExactlyElementsOf(first);
        // An agent without an id cannot be told its commands after the plan.
        Status anonymous = StoreClient.report(channel(), null, layout.of(1)).status();
        assertThat(anonymous.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(anonymous.getDescription()).contains("phybr-store-id");
        closeAll(clients.keySet()).values().forEach(CompletableFuture::join);
        assertThat(outcome().exitCode()).isEqualTo(ExitCode.OK);
    }

    // ---- resolve, plan output, shutdown ---------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void resolveAnswersTheConfiguredResolvedTs(Transport t) throws Exception {
        start(t, b -> b.stores(1).resolvedTs(434172134850871297L));
        ResolvedReply reply = StoreClient.resolve(channel()).get();
        assertThat(reply.getResolvedTs()).isEqualTo(434172134850871297L);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void resolveWithoutAConfiguredTsFailsSayingSo(Transport t) throws Exception {
        start(t, b -> b.stores(1));
        Status s = StoreClient.statusOf(StoreClient.resolve(channel()));
        assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(s.getDescription()).contains("--resolved-ts").contains("--backup-meta");
    }

    @Test
    void thePlanIsWrittenAsJsonLinesBeforeAnyCommandIsSent(@TempDir Path dir) throws Exception {
        Layout layout = Layout.random(9, 3, 50);
        Path out = dir.resolve("plan.jsonl");
        start(Transport.IN_PROCESS, b -> b.stores(3).planOutput(out));
        Map<Long, StoreClient> clients = reportAll(layout);
        clients.values().forEach(c -> c.allCommands().join());
        // The file exists as soon as any command was received.
        assertThat(Files.readString(out)).isEqualTo(jsonl(layout.plan()));
    }

    @Test
    void closingTheAdviserEarlyEndsTheSessionAndAnswersOpenStreams() throws Exception {
        start(Transport.LOOPBACK, b -> b.stores(2));
        StoreClient one = StoreClient.open(channel(), 1L);
        await().atMost(WAIT).until(() -> adviser.metasSoFar(1) == 0);
        adviser.close();
        adviser.close(); // idempotent
        assertThat(adviser.isTerminated()).isTrue();
        assertThat(one.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(o.diagnosis().orElseThrow()).contains("shut down before the session ended");
    }

    @Test
    void theBuilderRejectsNonsense() {
        assertThatThrownBy(() -> SeedAdviser.builder().build()).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> SeedAdviser.builder().storeIds(1, 1).build()).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> SeedAdviser.builder().storeIds(0).build()).hasMessageContaining("out of range");
        assertThatThrownBy(() -> SeedAdviser.builder().stores(1).listen("nohost").build())
                .hasMessageContaining("is not HOST:PORT");
        assertThatThrownBy(() -> SeedAdviser.builder().stores(1).listen("127.0.0.1:99999").build())
                .hasMessageContaining("outside 0..65535");
        assertThatThrownBy(() -> SeedAdviser.builder().stores(1).collectTimeout(Duration.ZERO).build())
                .hasMessageContaining("collect timeout must be positive");
        assertThatThrownBy(() -> SeedAdviser.builder().stores(1).listen("127.0.0.1:0").inProcess("x").build())
                .hasMessageContaining("not both");
    }

    @Test
    void listeningOnABusyPortFailsWithAClearMessage() throws Exception {
        start(Transport.LOOPBACK, b -> b.stores(1));
        SeedAdviser second = cleanup.register(SeedAdviser.builder().stores(1)
                .listen("127.0.0.1:" + adviser.port()).build());
        assertThatThrownBy(second::start).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + adviser.port());
    }
}
