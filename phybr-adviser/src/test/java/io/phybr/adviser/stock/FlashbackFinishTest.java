package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Deadline;
import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.flashback.FlashbackTs;
import io.phybr.adviser.flashback.RegionCalls;
import io.phybr.adviser.flashback.RegionRoute;
import io.phybr.adviser.flashback.Reply;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.contract.ExitCode;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.ModelStoreBackend;
import io.phybr.mock.stock.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flashback finish end to end against the model-backed mock (stores serving tikvpb's flashback calls with TiKV's
 * semantics, PD serving pdpb): the default finish on TiKV 7.5.1, what the recording says, the failures of issue 13
 * (TiKV too old, PD without TSO, a region that stays unprepared) and a recover killed in the middle of the flashback
 * stage finished by a rerun.
 */
class FlashbackFinishTest {
    private static final Path SCENARIOS = Path.of("../mock-tikv/scenarios");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path runs;
    private MockStockCluster cluster;
    private Backup backup;
    private Map<Long, StoreImage> images;
    private int runNo;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    private void start(String scenario) throws Exception {
        Scenario s = ScenarioParser.parse(SCENARIOS.resolve(scenario));
        backup = s.run();
        images = backup.freshImages();
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        cluster = MockStockCluster.builder(backends).tiflash(true).faults(s.faults()).start();
    }

    private Path runDir(int run) {
        return runs.resolve("2026-11-26T10-00-" + String.format("%02d", run) + "-recover");
    }

    private StockRecovery.Builder recovery() {
        Path dir = runDir(++runNo);
        // a hang bound, as recover's default --pd-timeout (nothing here stalls PD): at 5 s a loaded machine
        // could exceed it on a JVM's first PD call (its first channel or HTTP client)
        return StockRecovery.builder().pd(new PdClient(List.of(cluster.pdAddress()), null, Duration.ofSeconds(30)))
                .resolvedTs(Math.max(1, backup.resolvedTs()))
                .retry(new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(100)))
                .timeouts(new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .recorder(RunRecorder.open(dir, new RunInfo("recover", Policy.BR, Protocol.STOCK, false, List.of("recover"),
                        OptionalLong.of(backup.resolvedTs()), "test")));
    }

    /** The killed run's process is gone: its state file names a pid that no longer runs (this JVM still does). */
    private static void processGone(Path dir) throws Exception {
        Path f = dir.resolve(RunState.FILE);
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Files.writeString(f, Files.readString(f).replaceFirst("\"pid\":\\d+", "\"pid\":" + p.pid()));
    }

    private JsonNode manifest(int run) throws Exception {
        return JSON.readTree(Files.readString(runDir(run).resolve("manifest.json")));
    }

    @Test
    void theDefaultOnTikv7_5IsFlashbackAndTheRecordingSaysSoWithItsTimestamps() throws Exception {
        start("lagging-peer-across-split.scn");
        PdState before = cluster.pd().state();

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(out.verdict()).contains("finished by flashback");
        assertThat(ModelStoreBackend.check(backup, images, cluster.stores())).isEmpty();
        cluster.stores().forEach(st -> assertThat(st.calls()).doesNotContain("WaitApply", "ResolveKvData"));
        assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(before.withoutAllocId().withMarker(false));
        JsonNode finish = manifest(1).path("finish");
        assertThat(finish.path("by").asText()).isEqualTo("flashback");
        assertThat(finish.path("why").asText()).contains("default");
        assertThat(finish.path("flashback").path("version").asLong()).isEqualTo(backup.resolvedTs());
        assertThat(finish.path("flashback").path("commit_ts").asLong())
                .isEqualTo(finish.path("flashback").path("start_ts").asLong() + 1);
        assertThat(finish.path("flashback").path("regions_flashed_back").asLong()).isPositive();
    }

    @Test
    void askedFlashbackOnATikvTooOldIsRefusedBeforeAnythingChanges() throws Exception {
        start("flashback-tikv-too-old.scn");
        PdState before = cluster.pd().state();

        Outcome out = recovery().finish(Finish.FLASHBACK).build().run();

        assertThat(out.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("store 3").contains("6.1.0").contains("--finish resolve");
        assertThat(cluster.pd().state()).isEqualTo(before);
        cluster.stores().forEach(st -> assertThat(st.calls()).isEmpty());
    }

    @Test
    void aPdWithoutTsoIsNamedBeforeAnyStoreChanges() throws Exception {
        start("flashback-pd-without-tso.scn");
        PdState before = cluster.pd().state();

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("gave no timestamp").contains("--finish resolve");
        assertThat(cluster.pd().state().snapshotRecovering()).isTrue();
        assertThat(cluster.pd().state()).isEqualTo(before);
        cluster.stores().forEach(st -> assertThat(st.calls()).doesNotContain("RecoverRegion"));
    }

    @Test
    void aRegionThatStaysUnpreparedIsNamedPdIsRestoredAndTheMarkerStays() throws Exception {
        start("flashback-region-stays-unprepared.scn");
        PdState before = cluster.pd().state();

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("Regions stay unprepared").contains("store 1").contains("ServerIsBusy");
        assertThat(out.counts().pdRestored()).isTrue();
        assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(before.withoutAllocId());
        assertThat(cluster.pd().state().snapshotRecovering()).isTrue();
        cluster.stores().forEach(st -> assertThat(st.calls()).doesNotContain("KvFlashbackToVersion"));
    }

    @Test
    void aRecoverKilledInTheMiddleOfTheFlashbackIsFinishedByARerunWithTheSameTimestamps() throws Exception {
        start("lagging-peer-across-split.scn");
        PdState before = cluster.pd().state();
        AtomicInteger flashedBack = new AtomicInteger();
        StockRecovery first = recovery().flashbackCalls(calls -> new RegionCalls() {
            @Override
            public Reply prepare(RegionRoute r, byte[] s, byte[] e, FlashbackTs ts, Deadline d) {
                return calls.prepare(r, s, e, ts, d);
            }

            @Override
            public Reply flashback(RegionRoute r, byte[] s, byte[] e, FlashbackTs ts, Deadline d) {
                if (flashedBack.getAndIncrement() >= 1) {
                    throw new StockRecovery.Killed(Phase.FLASHBACK); // SIGKILL once one region's flashback was sent
                }
                return calls.flashback(r, s, e, ts, d);
            }
        }).build();
        assertThatThrownBy(first::run).isInstanceOf(StockRecovery.Killed.class);
        processGone(runDir(1));
        JsonNode firstTs = manifest(1).path("finish").path("flashback");

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(manifest(2).path("finish").path("flashback").path("start_ts")).isEqualTo(firstTs.path("start_ts"));
        assertThat(manifest(2).path("finish").path("flashback").path("commit_ts")).isEqualTo(firstTs.path("commit_ts"));
        assertThat(ModelStoreBackend.check(backup, images, cluster.stores())).isEmpty();
        assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(before.withoutAllocId().withMarker(false));
    }
    /**
     * Regions a killed run prepared refuse every read and write until a flashback finishes them (tikv util.rs
     * check_flashback_state), and the resolve finish never does: a rerun asked to finish by resolve is refused with
     * nothing changed, naming the run and the way out; the rerun by flashback then finishes it.
     */
    @Test
    void aResolveRerunAfterARunThatPreparedRegionsIsRefusedAndTheFlashbackRerunFinishesIt() throws Exception {
        start("lagging-peer-across-split.scn");
        PdState before = cluster.pd().state();
        // SIGKILL right after the first region a store answered as prepared: a call that answered an error (a
        // forced leader not elected yet, under load) or that was still in flight proves nothing prepared. Prepares
        // run on several threads: after the kill no call goes through, and the ones in flight are awaited.
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger inFlight = new AtomicInteger();
        StockRecovery first = recovery().flashbackCalls(calls -> new RegionCalls() {
            @Override
            public Reply prepare(RegionRoute r, byte[] s, byte[] e, FlashbackTs ts, Deadline d) {
                if (killed.get()) {
                    throw new StockRecovery.Killed(Phase.FLASHBACK_PREPARE);
                }
                inFlight.incrementAndGet();
                try {
                    Reply reply = calls.prepare(r, s, e, ts, d);
                    if (reply instanceof Reply.Done && killed.compareAndSet(false, true)) {
                        throw new StockRecovery.Killed(Phase.FLASHBACK_PREPARE);
                    }
                    return reply;
                } finally {
                    inFlight.decrementAndGet();
                }
            }

            @Override
            public Reply flashback(RegionRoute r, byte[] s, byte[] e, FlashbackTs ts, Deadline d) {
                return calls.flashback(r, s, e, ts, d);
            }
        }).build();
        assertThatThrownBy(first::run).isInstanceOf(StockRecovery.Killed.class);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.get() == 0);
        processGone(runDir(1));
        assertThat(cluster.stores().stream().mapToInt(st -> ((ModelStoreBackend) st.backend()).ledger()
                .preparedRegions().size()).sum()).as("the killed run left a region prepared").isPositive();
        PdState afterKill = cluster.pd().state();
        List<List<String>> callsBefore = cluster.stores().stream().map(st -> st.calls()).toList();

        Outcome resolve = recovery().finish(Finish.RESOLVE).build().run();

        assertThat(resolve.exitCode()).as(resolve.verdict()).isEqualTo(ExitCode.FAILURE);
        assertThat(resolve.verdict()).contains(runDir(1).toString()).contains("flashback-prepare stage")
                .contains("--finish resolve was given").contains("Nothing was changed on any store")
                .contains("--finish flashback");
        assertThat(cluster.stores().stream().map(st -> st.calls()).toList()).as("no store was called")
                .isEqualTo(callsBefore);
        assertThat(cluster.pd().state()).isEqualTo(afterKill);

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(out.verdict()).contains("finished by flashback");
        assertThat(ModelStoreBackend.check(backup, images, cluster.stores())).isEmpty();
        assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(before.withoutAllocId().withMarker(false));
    }
}
