package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.pd.SchedulingPause;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.mock.pd.ManualClock;
import io.phybr.mock.pd.MockPd;
import io.phybr.mock.pd.PdCall;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.pd.PdState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockLayouts;

/**
 * Issue 12 item 7 / issue 14 items 2–3: PD is paused as BR does (tidb br/pkg/pdutil/pd.go, br/pkg/task/restore_data.go),
 * a killed adviser leaves it paused for at most the TTL, a rerun puts back exactly what the operator had, and a
 * restore from a shutdown hook never waits on a hung call. Against the mock PD that behaves like tikv/pd (R12).
 */
class PdPauseTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PdRetry RETRY = new PdRetry(3, Duration.ofMillis(20), Duration.ofMillis(100));

    @TempDir
    Path runs;

    private MockStockCluster cluster;
    private MockPd pd;
    private final TrackingChannels channels = new TrackingChannels();

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        if (pd != null) {
            pd.close();
        }
        channels.assertAllClosed();
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    private MockPd tunedPd(ManualClock clock) throws Exception {
        return MockPd.builder().clock(clock).marked(true).schedule(MockStockCluster.operatorSchedule())
                .schedulerSettings(MockStockCluster.operatorSchedulers()).start();
    }

    private static PdClient client(MockPd pd, Duration timeout) {
        return new PdClient(List.of(pd.address()), null, timeout);
    }

    private StockRecovery.Builder recovery(Path recordDir) {
        RunRecorder rec = RunRecorder.open(recordDir, new RunInfo("recover", Policy.BR, Protocol.STOCK, false, List.of(),
                OptionalLong.of(150), "TiKV stores listed by PD"));
        return StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE).pd(client(cluster.pd(), Duration.ofSeconds(5))).channels(channels).resolvedTs(150)
                .retry(new RetryPolicy(5, Duration.ofMillis(50), Duration.ofMillis(400)))
                .timeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20)))
                .progressInterval(Duration.ofMillis(200)).pdPauseTtl(Duration.ofSeconds(30)).recorder(rec);
    }

    @Test
    void R12_aRecoveryPausesWithTtlsNeverDeletesAndLeavesPdExactlyAsTheOperatorHadIt() throws Exception {
        cluster = MockStockCluster.start(StockLayouts.healthy(3, 12, 5));
        PdState before = cluster.pd().state();
        cluster.store(1).faults().slow(Duration.ofMillis(300));
        StockRecovery r = recovery(runs.resolve("run-1")).build();
        CompletableFuture<Outcome> run = CompletableFuture.supplyAsync(r::run);

        // mid-run: paused as BR does — schedulers paused, limits/merge/split as TTL items, nothing persisted changed
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(1).calls().contains("ReadRegionMeta"));
        PdState during = cluster.pd().state();
        assertThat(during.paused()).contains("balance-leader-scheduler", "balance-region-scheduler", "balance-hot-region-scheduler");
        assertThat(during.ttlConfig()).containsEntry("schedule.leader-schedule-limit", "0")
                .containsEntry("schedule.region-schedule-limit", "0").containsEntry("schedule.max-merge-region-size", "0")
                .containsEntry("schedule.enable-tikv-split-region", "false");
        assertThat(during.scheduleConfig()).isEqualTo(before.scheduleConfig());
        assertThat(during.schedulers()).isEqualTo(before.schedulers());
        JsonNode ledger = JSON.readTree(runs.resolve("run-1/pd-pause.json").toFile());
        assertThat(ledger.path("state").asText()).isEqualTo("paused");
        assertThat(ledger.path("operator").path("config").path("leader-schedule-limit").asLong()).isEqualTo(6);

        cluster.store(1).faults().slow(Duration.ZERO);
        Outcome out = run.get(60, TimeUnit.SECONDS);
        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(cluster.pd().state().withoutAllocId().diff(before.withoutAllocId().withMarker(false))).isEmpty();
        assertThat(cluster.pd().calls()).filteredOn(c -> c.method().equals("DELETE")).extracting(PdCall::path)
                .as("no scheduler is ever deleted").containsExactly(PdClient.MARKER);
        assertThat(JSON.readTree(runs.resolve("run-1/pd-pause.json").toFile()).path("state").asText()).isEqualTo("restored");
    }

    @Test
    void R12_aKilledAdviserLeavesPdPausedForAtMostTheTtl() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-26T12:00:00Z"));
        pd = tunedPd(clock);
        PdState before = pd.state();
        SchedulingPause killed = new SchedulingPause(client(pd, Duration.ofSeconds(5)), RETRY, Duration.ofSeconds(300),
                runs.resolve("run-1"));
        killed.pause();
        killed.abandon(); // SIGKILL: no refresh, no restore

        assertThat(pd.state().diff(before)).isNotEmpty();
        clock.advance(Duration.ofSeconds(300));
        assertThat(pd.state().diff(before)).as("everything expired by itself").isEmpty();
        // What today's adviser did before this fix (limits persisted at 0, schedulers deleted) never expired.
    }

    @Test
    void R12_aRerunAfterAKillPutsBackExactlyWhatTheOperatorHad() throws Exception {
        cluster = MockStockCluster.start(StockLayouts.healthy(3, 12, 6));
        // the operator had paused balance-hot-region for an hour before the first run: that stays theirs
        client(cluster.pd(), Duration.ofSeconds(5)).pauseScheduler("balance-hot-region-scheduler", 3600);
        PdState before = cluster.pd().state();
        SchedulingPause killed = new SchedulingPause(client(cluster.pd(), Duration.ofSeconds(5)), RETRY,
                Duration.ofSeconds(300), runs.resolve("2026-11-26T120000Z-recover"));
        killed.pause();
        killed.abandon(); // the first run is killed after pausing PD
        assertThat(cluster.pd().state().paused()).contains("balance-leader-scheduler");

        // the rerun: its own recording directory beside the killed run's
        Outcome out = recovery(runs.resolve("2026-11-26T120500Z-recover")).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        PdState after = cluster.pd().state();
        assertThat(after.withoutAllocId().diff(before.withoutAllocId().withMarker(false))).isEmpty();
        assertThat(after.paused()).containsExactly("balance-hot-region-scheduler");
        assertThat(JSON.readTree(runs.resolve("2026-11-26T120000Z-recover/pd-pause.json").toFile()).path("state").asText())
                .as("the killed run's pause is recorded as put back").isEqualTo("restored");
        JsonNode rerun = JSON.readTree(runs.resolve("2026-11-26T120500Z-recover/pd-pause.json").toFile());
        assertThat(rerun.path("inherited_from").toString()).contains("2026-11-26T120000Z-recover");
        assertThat(rerun.path("operator").path("paused_schedulers").toString()).isEqualTo("[\"balance-hot-region-scheduler\"]");
    }

    @Test
    void restoreFromAShutdownHookNeverWaitsOnAHungPauseCall() throws Exception {
        pd = tunedPd(new ManualClock(Instant.parse("2026-11-26T12:00:00Z")));
        PdState before = pd.state();
        // the pause of balance-region hangs: no answer at all (a PD that stalls)
        pd.inject(new Fault.PdStall("POST", "/pd/api/v1/schedulers/balance-region-scheduler", 1, false));
        SchedulingPause p = new SchedulingPause(client(pd, Duration.ofSeconds(2)), RETRY, Duration.ofSeconds(300),
                runs.resolve("run-1"));
        CompletableFuture<Void> pausing = CompletableFuture.runAsync(() -> {
            try {
                p.pause();
            } catch (Exception e) {
                // expected: the restore stopped it
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> pd.calls().stream().anyMatch(c -> c.status() == 0));

        long t0 = System.nanoTime();
        String problem = p.restore(); // what the shutdown hook calls while pause() is stuck in its call
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(problem).isNull();
        assertThat(took).as("bounded by one PD timeout plus the restore's own calls").isLessThan(Duration.ofSeconds(8));
        pausing.get(10, TimeUnit.SECONDS);
        assertThat(pd.state().diff(before)).isEmpty();
    }
}
