package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.mock.pd.PdCall;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.pd.PdState;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.mock.stock.StockReplica;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The adviser's stock recovery, as a library, against the mock PD and mock stores on loopback. */
class StockRecoveryTest extends StockRecoveryFixture {
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 20261125})
    void recoversAndLeavesPdAsItStarted(long seed) throws Exception {
        List<StockReplica> layout = layout(seed);
        start(layout);
        PdState before = cluster.pd().state();
        Path planFile = tmp.resolve("plan.jsonl");

        Outcome out = recovery().planOutput(planFile).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(out.verdict()).contains("recovered 3 stores");
        assertThat(out.counts().pdRestored()).isTrue();
        PdState after = cluster.pd().state();
        assertThat(after.withoutAllocId()).isEqualTo(before.withoutAllocId().withMarker(false));
        long maxPeer = layout.stream().mapToLong(r -> r.peer().maxPeerId()).max().orElseThrow();
        assertThat(after.baseAllocId()).isEqualTo(maxPeer);
        assertRecovered(layout);
        // the stale overlapping region gets a tombstone request with its real id, on store 1
        assertThat(cluster.store(1).recoverCalls()).singleElement().satisfies(reqs -> assertThat(reqs)
                .contains(RecoverRegionRequest.newBuilder().setRegionId(77).setTombstone(true).build()));
        assertThat(Files.readAllLines(planFile)).contains("{\"store\":1,\"region_id\":77,\"as_leader\":false,\"tombstone\":true}");
        assertThat(out.counts().resolvedKeys()).isPositive();
        List<String> order = cluster.pd().mutatingCalls().stream().map(c -> c.method() + " " + c.path()).toList();
        assertThat(order.get(order.size() - 1)).isEqualTo("DELETE " + PdClient.MARKER);
        assertThat(order).contains("POST " + PdClient.BASE_ALLOC_ID);
    }

    /**
     * SPEC §3: PD's base alloc id is raised before any RecoverRegion, so no id a store holds is handed out again
     * once regions start electing. PD and the stores share one call log; raising it after RecoverRegion passed
     * every other test (issue 14).
     */
    @Test
    void pdAllocIdIsRaisedBeforeAnyRecoverRegionAndTheMarkerRemovedLast() throws Exception {
        start(layout(3));

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        io.phybr.mock.CallLog log = cluster.callLog();
        List<String> entries = log.entries();
        int alloc = log.first("pd POST " + PdClient.BASE_ALLOC_ID);
        int firstRecover = log.firstEndingWith(" RecoverRegion");
        assertThat(alloc).as("alloc id raised, in %s", entries).isNotNegative();
        assertThat(firstRecover).as("RecoverRegion sent, in %s", entries).isNotNegative();
        assertThat(alloc).as("alloc id raised before the first RecoverRegion, in %s", entries).isLessThan(firstRecover);
        // every store reported before the alloc id was computed from what they reported
        assertThat(entries.subList(0, alloc)).filteredOn(e -> e.endsWith(" ReadRegionMeta")).hasSize(3);
        assertThat(entries.get(entries.size() - 1)).isEqualTo("pd DELETE " + PdClient.MARKER);
    }

    @Test
    void aHoleIsRefusedAndNothingIsSentOrLeftChanged() throws Exception {
        start(StockLayouts.withHole(StockLayouts.healthy(3, 10, 5), 104));
        PdState before = cluster.pd().state();

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(out.verdict()).contains("hole [\"" + java.util.HexFormat.of().formatHex(StockLayouts.key(4)) + "\", \""
                + java.util.HexFormat.of().formatHex(StockLayouts.key(5)) + "\")").contains("no command was sent to any store");
        assertThat(cluster.pd().state()).isEqualTo(before);
        assertThat(cluster.pd().calls()).extracting(PdCall::path).doesNotContain(PdClient.BASE_ALLOC_ID);
        for (MockStockStore s : cluster.stores()) {
            assertThat(s.calls()).containsOnly("ReadRegionMeta");
        }
    }

    @Test
    void transientErrorsAreRetried() throws Exception {
        List<StockReplica> layout = layout(11);
        start(layout);
        cluster.store(2).faults().failNext(Fault.Rpc.READ_REGION_META, Status.Code.UNAVAILABLE, 2);
        cluster.store(3).faults().resetStream(Fault.Rpc.READ_REGION_META, 3, 1)
                .errorReply(Fault.Rpc.WAIT_APPLY, "raft not ready", 1)
                .failNext(Fault.Rpc.RESOLVE_KV_DATA, Status.Code.UNAVAILABLE, 1);
        cluster.pd().inject(new Fault.PdStatus("GET", "/pd/api/v1/stores", 2, 500));
        cluster.pd().inject(new Fault.PdStatus("POST", PdClient.BASE_ALLOC_ID, 1, 503));
        PdState before = cluster.pd().state();

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(cluster.store(2).calls()).filteredOn("ReadRegionMeta"::equals).hasSize(3);
        assertThat(cluster.store(3).calls()).filteredOn("WaitApply"::equals).hasSize(2);
        assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(before.withoutAllocId().withMarker(false));
        assertThat(out.counts().replicas()).isEqualTo(layout.size());
        assertRecovered(layout);
    }

    @Test
    void anAbortedRecoverLeavesTheApplyUnprovenSoNothingIsResolved() throws Exception {
        // ABORTED comes from a newer call this run did not make (R6); the aborted call's leader-apply waits may
        // still be pending, and a later WaitApply would answer at once (R10). Before: retried and resolved.
        List<StockReplica> layout = layout(12);
        start(layout);
        cluster.store(1).faults().failNext(Fault.Rpc.RECOVER_REGION, Status.Code.ABORTED, 1);

        Outcome out = recovery().restartGrace(Duration.ofMillis(300)).watchInterval(Duration.ofMillis(50)).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("store 1 (" + cluster.store(1).address() + ")").contains("ABORTED")
                .contains("not proven").contains("Restart the named TiKVs");
        List<List<RecoverRegionRequest>> calls = cluster.store(1).recoverCalls();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).isEqualTo(calls.get(0)).isNotEmpty();
        cluster.stores().forEach(s -> assertThat(s.calls()).doesNotContain("ResolveKvData"));
    }

    @Test
    void aStoreRebootingDuringRecoverGetsItsPlanAgain() throws Exception {
        List<StockReplica> layout = layout(13);
        start(layout);
        cluster.store(2).faults().rebootDuringRecover(1);
        // PD sees the reboot as a new start timestamp (R9); the stock store does not tell PD itself yet.
        Thread pdSees = new Thread(() -> {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> cluster.store(2).reboots() == 1);
            cluster.pd().storeRestarted(2);
        });
        pdSees.start();

        Outcome out = recovery().watchInterval(Duration.ofMillis(50)).build().run();
        pdSees.join();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(cluster.store(2).reboots()).isEqualTo(1);
        assertThat(cluster.store(2).recoverCalls()).hasSizeGreaterThanOrEqualTo(2);
        assertRecovered(layout);
    }

    @Test
    void anUnreachableStoreIsNamedAndPdIsRestored() throws Exception {
        start(layout(14));
        PdState before = cluster.pd().state();
        String addr = cluster.store(3).address();
        cluster.store(3).stop();

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("store 3 (" + addr + ") is unreachable after 5 attempts")
                .contains("PD scheduling was restored");
        assertThat(cluster.pd().state()).isEqualTo(before);
        assertThat(cluster.store(1).calls()).doesNotContain("RecoverRegion");
    }

    @Test
    void withoutTheMarkerNothingIsTouched() throws Exception {
        start(layout(15));
        cluster.pd().setMarked(false);
        PdState before = cluster.pd().state();

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("not marked snapshot-recovering");
        assertThat(cluster.pd().mutatingCalls()).isEmpty();
        assertThat(cluster.pd().state()).isEqualTo(before);
        cluster.stores().forEach(s -> assertThat(s.calls()).isEmpty());
    }

    @Test
    void aDryRunPlansAndChangesNothing() throws Exception {
        start(layout(16));
        Path planFile = tmp.resolve("dry.jsonl");

        Outcome out = StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE)
                // a hang bound, as recover's default --pd-timeout (nothing here stalls PD): at 5 s a loaded machine
                // could exceed it on a JVM's first PD call (its first channel or HTTP client)
                .pd(new PdClient(List.of(cluster.pdAddress()), null, Duration.ofSeconds(30)))
                .channels(channels).dryRun(true).planOutput(planFile).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(out.verdict()).contains("dry run").contains("nothing was changed");
        assertThat(cluster.pd().mutatingCalls()).isEmpty();
        assertThat(Files.readAllLines(planFile)).isNotEmpty().allMatch(l -> l.startsWith("{\"store\":"));
        cluster.stores().forEach(s -> assertThat(s.calls()).containsOnly("ReadRegionMeta"));
    }

    @Test
    void aSlowStoreTimesOutByNameAndPdIsRestored() throws Exception {
        start(layout(17));
        PdState before = cluster.pd().state();
        cluster.store(2).faults().slow(Duration.ofMillis(200));

        Outcome out = recovery()
                .timeouts(new Timeouts(Duration.ofMillis(600), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5)))
                .build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.verdict()).contains("store 2 (").contains("collect timeout");
        assertThat(cluster.pd().state()).isEqualTo(before);
        cluster.store(2).faults().slow(Duration.ZERO);
    }

    @Test
    void restorePdFromAShutdownHookPutsSchedulingBackMidRun() throws Exception {
        start(layout(18));
        PdState before = cluster.pd().state();
        cluster.store(1).faults().slow(Duration.ofMillis(100));
        StockRecovery r = recovery().build();
        CompletableFuture<Outcome> run = CompletableFuture.supplyAsync(r::run);

        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(1).calls().contains("ReadRegionMeta"));
        assertThat(cluster.pd().effectiveConfig("leader-schedule-limit")).isEqualTo("0"); // a TTL item: persisted value untouched
        assertThat(cluster.pd().state().paused()).contains("balance-leader-scheduler");
        assertThat(r.restorePd()).isNull(); // what the CLI's shutdown hook calls on Ctrl-C
        assertThat(cluster.pd().state()).isEqualTo(before);

        cluster.store(1).faults().slow(Duration.ZERO);
        Outcome out = run.get(30, TimeUnit.SECONDS);
        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 2})
    void noMoreStoresAtOnceThanTheConcurrency(int concurrency) throws Exception {
        var now = new java.util.concurrent.atomic.AtomicInteger();
        var max = new java.util.concurrent.atomic.AtomicInteger();
        List<StockReplica> layout = StockLayouts.healthy(4, 8, 21);
        cluster = MockStockCluster.start(layout);
        cluster.stores().forEach(s -> s.faults().slow(Duration.ofMillis(20)));

        Outcome out = recovery().channels(new CountingChannels(channels, now, max)).concurrency(concurrency).build()
                .run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(max.get()).isBetween(1, concurrency);
        assertThat(out.counts().stores()).isEqualTo(4);
    }

    @Test
    void pdThatKeepsFailingIsAFailureNamingTheCall() throws Exception {
        start(layout(19));
        cluster.pd().inject(new Fault.PdStatus("GET", "/pd/api/v1/stores", 100, 500));

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("GET /pd/api/v1/stores").contains("HTTP 500").contains("after 5 attempts");
        assertThat(cluster.pd().mutatingCalls()).isEmpty();
    }
}
