package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.phybr.mock.pd.MockPd;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockLayouts;
import io.phybr.mock.stock.StockReplica;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code java -jar phybr-adviser.jar recover --pd …} as a process against a mock PD and mock stock-TiKV
 * stores on loopback (protocol B).
 */
@ExtendWith(DumpsClusterOnFailure.class)
class StockRecoverIT {
    private static final long RESOLVED_TS = 150;
    private static final Duration EXIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(cluster);
    }

    private List<StockReplica> start(long seed) throws Exception {
        System.out.println("layout seed " + seed);
        int regions = 10 + new Random(seed).nextInt(50);
        List<StockReplica> layout = StockLayouts.withStaleOverlap(StockLayouts.healthy(3, regions, seed), 77);
        start(layout);
        return layout;
    }

    private void start(List<StockReplica> layout) throws Exception {
        cluster = MockStockCluster.start(layout);
        for (MockStockStore s : cluster.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            for (int i = 0; i < 30; i++) {
                b.addKv(new InMemoryStoreBackend.Kv(("key" + i).getBytes(), 120 + i * 2, i == 3));
            }
        }
    }

    private RecoverProcess adviser(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("recover", "--finish", "resolve", "--pd", cluster.pdAddress(),
                "--retry-backoff", "50ms", "--progress-interval", "1s", "--store-watch-interval", "1s",
                "--summary-json", tmp.resolve("summary.json").toString()));
        if (!List.of(extra).contains("--max-attempts")) {
            args.addAll(List.of("--max-attempts", "5"));
        }
        if (!List.of(extra).contains("--dry-run") && !List.of(extra).contains("--expected-stores")) {
            args.addAll(List.of("--expected-stores", Integer.toString(cluster.stores().size())));
        }
        args.addAll(List.of(extra));
        return RecoverProcess.start(tmp, args.toArray(String[]::new));
    }

    private JsonNode summary() throws Exception {
        return new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
    }

    /** The checker's view for these layouts: every kept region led exactly once, all applied, nothing newer than the ts. */
    private void assertPass(List<StockReplica> layout) {
        Set<Long> expected = new TreeSet<>();
        layout.forEach(r -> expected.add(r.peer().regionId()));
        expected.remove(77L);
        List<Long> led = new ArrayList<>();
        for (MockStockStore s : cluster.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            led.addAll(b.leaders());
            assertThat(b.allApplied()).isTrue();
            assertThat(b.kvs()).allSatisfy(k -> assertThat(k.commitTs() <= RESOLVED_TS && !k.lock()).isTrue());
        }
        assertThat(led).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void R14_recoverStartedBeforeEveryTikvRegisteredWaitsAndEndsSafe() throws Exception {
        // tidb-operator#5242: PD lists only store 1 when recover starts; stores 2 and 3 register one by one later.
        List<StockReplica> layout = start(20261126L);
        List<MockPd.Store> all = cluster.stores().stream().map(s -> MockPd.Store.tikv(s.storeId(), s.address())).toList();
        cluster.pd().setStores(List.of(all.get(0)));
        cluster.pd().registerLater(2, all.subList(1, 3));
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS))) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
            assertThat(p.out()).contains("phybr recover: recovered 3 stores");
            assertThat(p.err()).contains("expected TiKV stores up in PD [1], waiting");
        }
        assertPass(layout);
    }

    @Test
    void sigtermWhileAPdCallStallsMidBodyRestoresPdWithinTheBound() throws Exception {
        // Issue 14 item 3: the pause's config write gets headers and half a body, then nothing. Before the fix
        // --pd-timeout bounded only the headers and the shutdown hook waited on the lock the hung call held: only
        // SIGKILL ended the process, leaving PD paused.
        start(41);
        PdState before = cluster.pd().state();
        cluster.pd().inject(new Fault.PdStall("POST", "/pd/api/v1/config", 1, true));
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS), "--pd-timeout", "4s")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.pd().calls().stream().anyMatch(c -> c.status() == 0));
            long t0 = System.nanoTime();
            p.process.destroy(); // SIGTERM while the call hangs
            p.await(Duration.ofSeconds(30)); // the hook's bound: 3 x 4 s + 5 s
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(25));
            assertThat(p.err()).contains("PD scheduling is as before the run, verified");
        }
        assertThat(cluster.pd().state().diff(before)).isEmpty();
    }

    @Test
    void R12_sigkillMidRunThenARerunLeavesPdExactlyAsTheOperatorHadIt() throws Exception {
        // Issue 12 item 7 / issue 14 item 2: before the fix a SIGKILL left the limits persisted at 0 and the balancing
        // schedulers deleted (their settings lost); the rerun then read 0 as the operator's value and said "restored".
        List<StockReplica> layout = start(42);
        PdState before = cluster.pd().state();
        Path runs = tmp.resolve("runs");
        cluster.store(1).faults().slow(Duration.ofSeconds(5)); // collect hangs on store 1
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS), "--record",
                runs.resolve("2026-11-26T120000Z-recover").toString())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.store(1).calls().contains("ReadRegionMeta"));
            p.process.destroyForcibly(); // SIGKILL: no hook, no restore
            p.process.waitFor();
        }
        assertThat(cluster.pd().state().paused()).contains("balance-leader-scheduler");
        assertThat(cluster.pd().state().ttlConfig()).containsEntry("schedule.leader-schedule-limit", "0");
        assertThat(cluster.pd().state().scheduleConfig()).as("nothing persisted changed").isEqualTo(before.scheduleConfig());
        cluster.store(1).faults().slow(Duration.ZERO);

        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS), "--record",
                runs.resolve("2026-11-26T120500Z-recover").toString())) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
            assertThat(p.err()).contains("from an earlier run that was never restored").contains("PD put back and verified");
        }
        assertThat(cluster.pd().state().withoutAllocId().diff(before.withoutAllocId().withMarker(false))).isEmpty();
        assertPass(layout);
    }

    @Test
    void recoversAndPdEndsAsItStarted() throws Exception {
        List<StockReplica> layout = start(20261125L);
        PdState before = cluster.pd().state();
        Path plan = tmp.resolve("plan.jsonl");
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS), "--output", plan.toString())) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
            assertThat(p.out()).contains("phybr recover: recovered 3 stores");
            assertThat(p.err()).contains("prepare: skipping TiFlash store 9999").contains("collect: all 3 stores done")
                    .contains("recover: store 1 (").contains("resolve: all 3 stores done");
        }
        assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(before.withoutAllocId().withMarker(false));
        assertThat(cluster.pd().state().baseAllocId()).isGreaterThanOrEqualTo(9001);
        assertPass(layout);
        JsonNode s = summary();
        assertThat(s.path("exit_code").asInt()).isZero();
        assertThat(s.path("pd_restored").asBoolean()).isTrue();
        assertThat(s.path("plan").path("regions_dropped").asInt()).isEqualTo(1);
        assertThat(Files.readAllLines(plan)).contains("{\"store\":1,\"region_id\":77,\"as_leader\":false,\"tombstone\":true}");
    }

    @Test
    void aRecordedRecoverReplaysThroughPlanToTheSamePlan() throws Exception {
        List<StockReplica> layout = start(20261126L);
        Path run = tmp.resolve("run");
        Path plan = tmp.resolve("plan.jsonl");
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS), "--output", plan.toString(),
                "--record", run.toString())) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
            assertThat(p.err()).contains("replay it with: phybr plan --input " + run.resolve("reports.jsonl"));
        }
        assertPass(layout);
        assertThat(Files.readAllLines(run.resolve("reports.jsonl"))).hasSize(layout.size());
        assertThat(Files.readString(run.resolve("plan.jsonl"))).isEqualTo(Files.readString(plan));
        assertThat(Files.readString(run.resolve("manifest.json"))).contains("\"command\" : \"recover\"",
                "\"status\" : \"finished\"", "\"exit_code\" : 0", "\"protocol\" : \"stock\"");
        Path replay = tmp.resolve("replay.jsonl");
        try (RecoverProcess p = RecoverProcess.start(tmp, "plan", "--input", run.resolve("reports.jsonl").toString(),
                "--output", replay.toString())) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
            assertThat(p.out()).contains("policy br, protocol stock, no-accept-holes taken from its manifest.json",
                    "byte-identical to the recorded");
        }
        assertThat(Files.readString(replay)).isEqualTo(Files.readString(plan));
    }

    @Test
    void aRefusedPlanLeavesPdExactlyAsBeforeAndSendsNothing() throws Exception {
        start(StockLayouts.withHole(StockLayouts.healthy(3, 12, 7), 105));
        PdState before = cluster.pd().state();
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS))) {
            assertThat(p.await(EXIT)).as(p.err()).isEqualTo(3);
            assertThat(p.err()).contains("hole [\"" + java.util.HexFormat.of().formatHex(StockLayouts.key(5)) + "\", \""
                + java.util.HexFormat.of().formatHex(StockLayouts.key(6)) + "\")").doesNotContain("Exception");
        }
        assertThat(cluster.pd().state()).isEqualTo(before);
        for (MockStockStore s : cluster.stores()) {
            assertThat(s.calls()).containsOnly("ReadRegionMeta");
        }
        assertThat(summary().path("result").asText()).isEqualTo("refused");
    }

    @Test
    void transientStoreAndPdErrorsAreRetried() throws Exception {
        List<StockReplica> layout = start(31);
        cluster.store(1).faults().failNext(Fault.Rpc.READ_REGION_META, Status.Code.UNAVAILABLE, 2);
        // (a broken WaitApply is not transient: a retry may be a Duplicated early success, R10 — see the
        // stock-wait-apply-connection-lost scenario, which expects a failure naming the store)
        cluster.store(2).faults().resetStream(Fault.Rpc.READ_REGION_META, 4, 1);
        cluster.store(3).faults().errorReply(Fault.Rpc.RESOLVE_KV_DATA, "engine busy", 1);
        cluster.pd().inject(new Fault.PdStatus("*", "/pd/api/v1/schedulers", 1, 500));
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS))) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
            assertThat(p.err()).contains("retrying");
        }
        assertPass(layout);
        cluster.stores().forEach(s -> assertThat(s.faults().pending()).isZero());
    }

    @Test
    void anAbortedRecoverIsNamedNotTrusted() throws Exception {
        // ABORTED is what TiKV answers a RecoverRegion that a newer call took over (R6): its leader-apply wait may
        // still be pending, and a retry could be a Duplicated early success (R10). Without a restart of store 3
        // nothing proves its apply, so the run fails naming it, before any ResolveKvData deletes outside Raft.
        start(32);
        PdState before = cluster.pd().state();
        cluster.store(3).faults().failNext(Fault.Rpc.RECOVER_REGION, Status.Code.ABORTED, 1);
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS), "--wait-apply-timeout", "5s")) {
            assertThat(p.await(EXIT)).as(p.err()).isEqualTo(5);
            assertThat(p.err()).contains("store 3 (").contains("not proven").doesNotContain("Exception");
        }
        cluster.stores().forEach(s -> assertThat(s.calls()).doesNotContain("ResolveKvData"));
        assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(before.withoutAllocId());
    }

    @Test
    void aStoreKilledAndRestartedDuringRecoverStillPasses() throws Exception {
        List<StockReplica> layout = start(33);
        MockStockStore victim = cluster.store(2);
        victim.faults().slow(Duration.ofMillis(300)); // campaigns are slow: RecoverRegion stays in flight
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS), "--max-attempts", "20")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> victim.calls().contains("RecoverRegion"));
            victim.faults().slow(Duration.ZERO);
            victim.reboot();        // killed mid-recover, back on the same port without its forced leaders
            assertThat(p.await(EXIT)).as(p.err()).isZero();
        }
        assertThat(victim.recoverCalls()).hasSizeGreaterThanOrEqualTo(1);
        assertThat(victim.calls().stream().filter("RecoverRegion"::equals).count()).isGreaterThanOrEqualTo(2);
        assertPass(layout);
    }

    @Test
    void aStoreRebootingMidRecoverGetsItsPlanAgain() throws Exception {
        List<StockReplica> layout = start(34);
        cluster.store(1).faults().rebootDuringRecover(1);
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS))) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
        }
        assertThat(cluster.store(1).reboots()).isEqualTo(1);
        // Again after the broken call; and since the mock PD now shows the restart (R9, a new start timestamp), the
        // adviser's PD watch may send the same plan once more.
        assertThat(cluster.store(1).recoverCalls()).hasSizeBetween(2, 3).allSatisfy(c -> assertThat(c)
                .isEqualTo(cluster.store(1).recoverCalls().get(0)));
        assertPass(layout);
    }

    @Test
    void anUnreachableStoreIsNamedAndPdIsRestored() throws Exception {
        start(35);
        PdState before = cluster.pd().state();
        String addr = cluster.store(2).address();
        cluster.store(2).stop();
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS))) {
            assertThat(p.await(EXIT)).isEqualTo(5);
            assertThat(p.err()).contains("store 2 (" + addr + ") is unreachable after 5 attempts")
                    .contains("PD scheduling was restored").doesNotContain("\tat ");
        }
        assertThat(cluster.pd().state()).isEqualTo(before);
    }

    @Test
    void ctrlCRestoresPd() throws Exception {
        start(36);
        PdState before = cluster.pd().state();
        cluster.store(1).faults().slow(Duration.ofSeconds(5)); // collect hangs on store 1
        try (RecoverProcess p = adviser("--resolved-ts", Long.toString(RESOLVED_TS))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.store(1).calls().contains("ReadRegionMeta"));
            assertThat(cluster.pd().state().paused()).contains("balance-leader-scheduler"); // paused, never deleted
            p.process.destroy(); // SIGTERM, as Ctrl-C / kill: the shutdown hook runs
            p.await(Duration.ofSeconds(30));
            assertThat(p.err()).contains("interrupted during collect").contains("PD scheduling is as before the run");
        }
        assertThat(cluster.pd().state()).isEqualTo(before);
        cluster.store(1).faults().slow(Duration.ZERO);
    }

    @Test
    void dryRunAndUsageErrors() throws Exception {
        start(37);
        try (RecoverProcess p = adviser("--dry-run")) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
            assertThat(p.out()).contains("dry run");
        }
        assertThat(cluster.pd().mutatingCalls()).isEmpty();
        try (RecoverProcess p = adviser()) {
            assertThat(p.await(EXIT)).isEqualTo(2);
            assertThat(p.err()).contains("--resolved-ts");
        }
        Path meta = tmp.resolve("backupmeta.json");
        Files.writeString(meta, "{\"cluster_id\": 1}");
        try (RecoverProcess p = adviser("--backup-meta", meta.toString())) {
            assertThat(p.await(EXIT)).isEqualTo(6);
            assertThat(p.err()).contains("resolved_ts");
        }
    }

    @Test
    void theResolvedTsComesFromTheBackupMeta() throws Exception {
        List<StockReplica> layout = start(38);
        Path meta = tmp.resolve("backupmeta.json");
        Files.writeString(meta, "{\"resolved_ts\": " + RESOLVED_TS + "}");
        try (RecoverProcess p = adviser("--backup-meta", meta.toString())) {
            assertThat(p.await(EXIT)).as(p.err()).isZero();
        }
        assertPass(layout);
    }
}
