package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.Refusal;
import io.phybr.contract.SeedHeaders;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import io.phybr.proto.seed.ResolvedReply;
import io.phybr.mock.agent.StoreClient;
import com.google.protobuf.UnknownFieldSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The seed-protocol adviser end to end, over loopback TCP (ephemeral ports) and in-process channels. */
class SeedAdviserTest {
    enum Transport { LOOPBACK, IN_PROCESS }

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** One random seed per run besides the fixed ones; printed in the test name, replay with -Dphybr.seed=N. */
    private static final long RANDOM_SEED = Long.getLong("phybr.seed", System.nanoTime());

    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    private Transport transport;
    private String inProcessName;
    private SeedAdviser adviser;

    private SeedAdviser start(Transport t, Consumer<SeedAdviser.Builder> config) throws IOException {
        transport = t;
        SeedAdviser.Builder b = SeedAdviser.builder().collectTimeout(WAIT).closeTimeout(WAIT);
        if (t == Transport.LOOPBACK) {
            b.listen("127.0.0.1:0");
        } else {
            inProcessName = "seed-adviser-test-" + UUID.randomUUID();
            b.inProcess(inProcessName);
        }
        config.accept(b);
        adviser = cleanup.register(b.build());
        return adviser.start();
    }

    /** A new connection, as each agent has its own. */
    private ManagedChannel channel() {
        ManagedChannel ch = transport == Transport.LOOPBACK
                ? NettyChannelBuilder.forAddress("127.0.0.1", adviser.port()).usePlaintext().build()
                : InProcessChannelBuilder.forName(inProcessName).build();
        return cleanup.register(ch);
    }

    private Outcome outcome() throws InterruptedException {
        return adviser.awaitOutcome(WAIT).orElseThrow(() -> new AssertionError("no outcome in " + WAIT));
    }

    /** Every store reports its layout (in parallel), returns the clients. */
    private Map<Long, StoreClient> reportAll(Layout layout) {
        Map<Long, StoreClient> clients = new TreeMap<>();
        layout.byStore.forEach((s, metas) -> clients.put(s, StoreClient.report(channel(), s, metas)));
        return clients;
    }

    private Map<Long, CompletableFuture<CloseReply>> closeAll(Iterable<Long> stores) {
        Map<Long, CompletableFuture<CloseReply>> out = new TreeMap<>();
        for (long s : stores) {
            out.put(s, StoreClient.close(channel(), s, true));
        }
        return out;
    }

    static Stream<Arguments> transportsAndSeeds() {
        List<Arguments> out = new ArrayList<>();
        for (Transport t : Transport.values()) {
            for (long seed : new long[] {1, 2, RANDOM_SEED}) {
                out.add(Arguments.of(t, seed));
            }
        }
        return out.stream();
    }

    // ---- the whole session ----------------------------------------------------------------

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("transportsAndSeeds")
    void everyStoreGetsExactlyThePlannersCommandsAndTheCloseReply(Transport t, long seed) throws Exception {
        Layout layout = Layout.random(seed, 3, 300);
        Plan expected = layout.plan();
        assertThat(expected.summary().tombstoneCommands()).as("seed %d: the layout drops regions", seed).isPositive();
        start(t, b -> b.stores(3));

        Map<Long, StoreClient> clients = reportAll(layout);
        for (var e : clients.entrySet()) {
            assertThat(e.getValue().allCommands().get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("seed %d: commands to store %d", seed, e.getKey())
                    .containsExactlyElementsOf(Layout.commandsOf(expected, e.getKey()));
        }
        Map<Long, CompletableFuture<CloseReply>> closes = closeAll(clients.keySet());
        for (var e : closes.entrySet()) {
            assertThat(e.getValue().get(30, java.util.concurrent.TimeUnit.SECONDS).getOk())
                    .as("close reply of store %d", e.getKey()).isEqualTo("ok");
        }
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(o.diagnosis()).isEmpty();
        assertThat(o.plan()).isPresent();
        assertThat(jsonl(o.plan().get())).as("seed %d: plan independent of arrival order", seed)
                .isEqualTo(jsonl(expected));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void storesWithoutIdAreNumberedInArrivalOrderWithoutCollidingWithExplicitIds(Transport t) throws Exception {
        Layout layout = Layout.random(7, 3, 40);
        Plan expected = layout.plan();
        start(t, b -> b.stores(3));
        StoreClient two = StoreClient.open(channel(), 2L);
        await().atMost(WAIT).until(() -> adviser.knownStores().length == 1);
        StoreClient first = StoreClient.open(channel(), null);
        await().atMost(WAIT).until(() -> adviser.knownStores().length == 2);
        StoreClient second = StoreClient.open(channel(), null);
        await().atMost(WAIT).until(() -> adviser.knownStores().length == 3);
        assertThat(adviser.knownStores()).containsExactly(1, 2, 3);
        // Arrival order: the first anonymous agent is store 1, the next skips the explicit 2 and is store 3.
        two.sendAll(layout.of(2), true);
        first.sendAll(layout.of(1), true);
        second.sendAll(layout.of(3), true);
        assertThat(first.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 1));
        assertThat(two.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 2));
        assertThat(second.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 3));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void storeIdsModeWaitsForExactlyThoseStores(Transport t) throws Exception {
        Layout source = Layout.random(11, 3, 30);
        Layout layout = new Layout();
        long[] ids = {4, 7, 9};
        for (int i = 0; i < 3; i++) {
            layout.byStore.put(ids[i], source.of(i + 1));
        }
        Plan expected = layout.plan();
        start(t, b -> b.storeIds(4, 7, 9));
        Map<Long, StoreClient> clients = reportAll(layout);
        for (long s : ids) {
            assertThat(clients.get(s).allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, s));
        }
        closeAll(clients.keySet()).values().forEach(CompletableFuture::join);
        assertThat(outcome().exitCode()).isEqualTo(ExitCode.OK);
        assertThat(outcome().plan().orElseThrow().summary().leadersPerStore()).containsOnlyKeys(4L, 7L, 9L);
    }

    // ---- identity errors ------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aSecondStreamForTheSameStoreIsRefusedWithAlreadyExists(Transport t) throws Exception {
        Layout layout = Layout.simple(2, 20);
        Plan expected = layout.plan();
        start(t, b -> b.stores(2));
        StoreClient first = StoreClient.open(channel(), 1L);
        await().atMost(WAIT).until(() -> adviser.metasSoFar(1) == 0);
        StoreClient dup = StoreClient.open(channel(), 1L);
        Status s = dup.status();
        assertThat(s.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(s.getDescription()).contains("Store 1 already has an open recover_regions stream")
                .contains("does not plan while a store is claimed twice");
        // The first stream goes on, but its report is not trusted while the claim stands: every store reported and
        // nothing is planned.
        first.sendAll(layout.of(1), true);
        StoreClient other = StoreClient.report(channel(), 2L, layout.of(2));
        await().atMost(WAIT).until(() -> adviser.reportedStores().length == 2);
        // The claimed stream goes away (the operator stopped one of the two agents): its report goes with it, and
        // the store's next report is planned with.
        first.cancel();
        await().atMost(WAIT).until(() -> adviser.metasSoFar(1) == -1);
        assertThat(first.received()).isEmpty();
        assertThat(other.received()).isEmpty();
        StoreClient again = StoreClient.report(channel(), 1L, layout.of(1));
        assertThat(again.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 1));
        assertThat(other.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 2));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreOutsideStoreIdsOrABadHeaderIsRefused(Transport t) throws Exception {
        start(t, b -> b.storeIds(1, 2));
        Status unknown = StoreClient.open(channel(), 9L).status();
        assertThat(unknown.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(unknown.getDescription()).contains("Store 9 is not one of the expected stores 1, 2");

        io.grpc.Metadata md = new io.grpc.Metadata();
        md.put(SeedHeaders.STORE_ID, "kv-3");
        StoreClient bad = StoreClient.open(io.grpc.ClientInterceptors.intercept(channel(),
                io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(md)), null);
        Status badStatus = bad.status();
        assertThat(badStatus.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(badStatus.getDescription()).contains("phybr-store-id 'kv-3' is not a store id");
        assertThat(adviser.knownStores()).isEmpty();
        assertThat(adviser.outcome()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void oneStoreTooManyIsRefused(Transport t) throws Exception {
        start(t, b -> b.stores(2));
        StoreClient.open(channel(), 1L);
        StoreClient.open(channel(), 2L);
        await().atMost(WAIT).until(() -> adviser.knownStores().length == 2);
        Status extra = StoreClient.open(channel(), 3L).status();
        assertThat(extra.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(extra.getDescription()).contains("Store 3").contains("expects 2 stores");
        Status anonymous = StoreClient.open(channel(), null).status();
        assertThat(anonymous.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    // ---- timeouts and lost stores ---------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreThatNeverConnectsTimesOutNamingItAndNothingIsSent(Transport t) throws Exception {
        Layout layout = Layout.simple(3, 20);
        start(t, b -> b.storeIds(1, 2, 3).collectTimeout(Duration.ofMillis(1500)));
        StoreClient one = StoreClient.report(channel(), 1L, layout.of(1));
        StoreClient two = StoreClient.report(channel(), 2L, layout.of(2));
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(o.plan()).isEmpty();
        assertThat(o.diagnosis().orElseThrow()).contains("2 of 3 stores finished reporting (stores 1, 2)")
                .contains("store 3 never connected").contains("No command was sent to any store");
        for (StoreClient c : List.of(one, two)) {
            Status s = c.status();
            assertThat(s.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(s.getDescription()).contains("store 3 never connected");
            assertThat(c.received()).isEmpty();
        }
        // A late store gets the same answer.
        Status late = StoreClient.open(channel(), 3L).status();
        assertThat(late.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void withAStoreCountTheTimeoutSaysHowManyNeverConnected(Transport t) throws Exception {
        start(t, b -> b.stores(3).collectTimeout(Duration.ofMillis(1000)));
        StoreClient one = StoreClient.report(channel(), 5L, Layout.simple(1, 5).of(1));
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(o.diagnosis().orElseThrow()).contains("2 stores never connected (expected 3 stores, only 5 connected)");
        assertThat(one.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreThatDisconnectsMidStreamAndNeverReturnsIsNamedByTheTimeout(Transport t) throws Exception {
        Layout layout = Layout.simple(3, 40);
        start(t, b -> b.stores(3).collectTimeout(Duration.ofMillis(1500)));
        StoreClient one = StoreClient.report(channel(), 1L, layout.of(1));
        StoreClient two = StoreClient.report(channel(), 2L, layout.of(2));
        StoreClient three = StoreClient.open(channel(), 3L);
        three.send(layout.of(3).subList(0, 12));
        await().atMost(WAIT).until(() -> adviser.metasSoFar(3) == 12);
        three.cancel();
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(o.diagnosis().orElseThrow())
                .contains("store 3 disconnected after 12 metas and did not reconnect");
        assertThat(one.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(two.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(one.received()).isEmpty();
        assertThat(two.received()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreThatDisconnectsMidStreamAndReconnectsHasItsPartialReportDiscarded(Transport t) throws Exception {
        Layout layout = Layout.random(3, 3, 60);
        Plan expected = layout.plan();
        start(t, b -> b.stores(3));
        StoreClient one = StoreClient.report(channel(), 1L, layout.of(1));
        StoreClient crashing = StoreClient.open(channel(), 2L);
        crashing.send(layout.of(2).subList(0, 10));
        await().atMost(WAIT).until(() -> adviser.metasSoFar(2) == 10);
        crashing.cancel();
        await().atMost(WAIT).until(() -> adviser.metasSoFar(2) == -1);
        StoreClient again = StoreClient.report(channel(), 2L, layout.of(2));
        StoreClient three = StoreClient.report(channel(), 3L, layout.of(3));
        assertThat(one.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 1));
        assertThat(again.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 2));
        assertThat(three.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 3));
        assertThat(crashing.received()).isEmpty();
    }

    // ---- refusals -------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aGarbageMetaRefusesThePlanNamingStoreAndRegionAndNothingIsSentToAnybody(Transport t) throws Exception {
        Layout layout = Layout.simple(3, 20);
        List<RegionMeta> two = new ArrayList<>(layout.of(2));
        RegionMeta victim = two.get(0);
        two.set(0, victim.toBuilder().setStartKey(com.google.protobuf.ByteString.copyFrom(new byte[] {0x7f}))
                .setEndKey(com.google.protobuf.ByteString.copyFrom(new byte[] {0x10})).build());
        layout.byStore.put(2L, two);
        start(t, b -> b.stores(3));
        Map<Long, StoreClient> clients = reportAll(layout);
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(o.plan()).isEmpty();
        String region = "store 2 region " + victim.getRegionId() + ": start_key 7f is not below end_key 10";
        assertThat(o.diagnosis().orElseThrow()).contains(region).contains("No command was sent to any store");
        for (var e : clients.entrySet()) {
            Status s = e.getValue().status();
            assertThat(s.getCode()).as("store %d", e.getKey()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(s.getDescription()).isEqualTo(o.diagnosis().get());
            assertThat(e.getValue().received()).as("commands to store %d", e.getKey()).isEmpty();
        }
        // A close after the refusal gets the diagnosis too.
        Status close = StoreClient.statusOf(StoreClient.close(channel(), 1L, true));
        assertThat(close.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aMetaWithUnknownFieldsIsMalformed(Transport t) throws Exception {
        Layout layout = Layout.simple(2, 10);
        List<RegionMeta> one = new ArrayList<>(layout.of(1));
        RegionMeta victim = one.get(3);
        one.set(3, victim.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()).build());
        layout.byStore.put(1L, one);
        start(t, b -> b.stores(2));
        Map<Long, StoreClient> clients = reportAll(layout);
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(o.diagnosis().orElseThrow())
                .startsWith("Refusing to plan: 1 malformed region report: store 1 region " + victim.getRegionId()
                        + ": the meta carries unknown protobuf field(s) [99]");
        for (StoreClient c : clients.values()) {
            assertThat(c.status().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(c.received()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aHoleRefusesThePlanUnlessAccepted(Transport t) throws Exception {
        // Regions [,"b") and ["c",): ["b","c") is covered by nobody.
        Layout layout = new Layout();
        for (long s = 1; s <= 2; s++) {
            layout.add(s, 1, 10, 5, 3, false, new byte[0], "b".getBytes());
            layout.add(s, 2, 10, 5, 3, false, "c".getBytes(), new byte[0]);
        }
        start(t, b -> b.stores(2));
        Map<Long, StoreClient> clients = reportAll(layout);
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(o.diagnosis().orElseThrow()).isEqualTo(((Refusal) layout.plan(false)).message()).contains("hole");
        for (StoreClient c : clients.values()) {
            assertThat(c.status().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(c.received()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void acceptHolesPlansAnyway(Transport t) throws Exception {
        Layout layout = new Layout();
        for (long s = 1; s <= 2; s++) {
            layout.add(s, 1, 10 + s, 5, 3, false, new byte[0], "b".getBytes());
            layout.add(s, 2, 10, 5 + s, 3, false, "c".getBytes(), new byte[0]);
        }
        Plan expected = (Plan) layout.plan(true);
        start(t, b -> b.stores(2).acceptHoles(true));
        assertThat(expected.acceptedHoles()).hasSize(1);
        assertThat(expected.commandCount()).isPositive();
        Map<Long, StoreClient> clients = reportAll(layout);
        for (var e : clients.entrySet()) {
            assertThat(e.getValue().allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, e.getKey()));
        }
        closeAll(clients.keySet()).values().forEach(CompletableFuture::join);
        assertThat(outcome().exitCode()).isEqualTo(ExitCode.OK);
    }

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

    static String jsonl(Plan p) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        p.writeJsonLines(b);
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
