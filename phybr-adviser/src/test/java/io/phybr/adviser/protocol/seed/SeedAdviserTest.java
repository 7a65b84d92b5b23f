package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.Refusal;
import io.phybr.contract.SeedHeaders;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.mock.agent.StoreClient;
import com.google.protobuf.UnknownFieldSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The seed-protocol adviser end to end: the session, store identity, timeouts and lost stores, refusals. */
class SeedAdviserTest extends SeedAdviserFixture {
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
        for (long s = 1; s <= 3; s++) {
            // Every stream delivered its commands and completed; the reports' counts stay (CI once read -1 here:
            // CollectBenchmarksSmokeTest polled just as a store's stream completed).
            assertThat(adviser.metasSoFar(s)).as("seed %d: metas of store %d after the session", seed, s)
                    .isEqualTo(layout.of(s).size());
        }
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
}
