package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Item 8 and 9 of issue 12: a recover killed at any phase boundary and run again converges (same plan, one leader per
 * region, the one the plan names), a run that left waits unproven makes its rerun wait for the stores' restart (R10),
 * and a dry run never interrupts a live recovery silently (R6).
 */
class RerunAndLiveRecoveryTest {
    private FakeCluster cluster;
    private List<FakeStore> stores;
    private FakePd pd;
    @TempDir
    Path runs;
    private int runNo;

    @BeforeEach
    void start() throws Exception {
        cluster = new FakeCluster();
        stores = cluster.stores;
        pd = cluster.pd;
        for (FakeStore s : stores) {
            s.replica(1, 8, 100, "", "g").replica(2, 8, 100, "g", "p").replica(3, 8, 100, "p", "");
        }
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    /** A recovery recording into the next run directory (names sort by time, as real ones do). */
    private StockRecovery.Builder recovery() {
        Path dir = runDir(++runNo);
        return cluster.recovery().roundTimeout(Duration.ofSeconds(2))
                .planOutput(dir.resolve("plan-out.jsonl"))
                .recorder(RunRecorder.open(dir, new RunInfo("recover", Policy.BR, Protocol.STOCK, false,
                        List.of("recover"), OptionalLong.of(400), "test")));
    }

    private Path runDir(int run) {
        return runs.resolve("2026-11-26T10-00-" + String.format("%02d", run) + "-recover");
    }

    private Path planOf(int run) {
        return runDir(run).resolve("plan-out.jsonl");
    }

    /** The killed run's process is gone: its state file names a pid that no longer runs (this JVM still does). */
    private static void processGone(Path dir) throws Exception {
        Path f = dir.resolve(RunState.FILE);
        if (!Files.exists(f)) {
            return; // killed before it sent anything: nothing recorded
        }
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Files.writeString(f, Files.readString(f).replaceFirst("\"pid\":\\d+", "\"pid\":" + p.pid()));
    }

    /** The checker's view of leadership: every region led by exactly one store, the one the plan names. */
    private void assertOneLeaderEach(Path plan) throws Exception {
        for (long region = 1; region <= 3; region++) {
            long r = region;
            List<Long> leaders = stores.stream().filter(s -> s.leads(r)).map(s -> s.id).toList();
            assertThat(leaders).as("leaders of region %d", region).hasSize(1);
            assertThat(Files.readAllLines(plan)).as("the plan forces region %d on store %d", r, leaders.get(0))
                    .anyMatch(l -> l.contains("\"store\":" + leaders.get(0) + ",") && l.contains("\"region_id\":" + r + ",")
                            && l.contains("\"as_leader\":true"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"COLLECT", "PLAN", "ALLOC_ID", "RECOVER", "WAIT_APPLY", "RESOLVE", "FINISH", "DONE"})
    void killedAtAPhaseBoundaryTheRerunConvergesOnTheSamePlan(Phase killedBefore) throws Exception {
        // Before: a rerun after a kill in or after recover could trust a Duplicated WaitApply (R10) and nothing
        // recorded what the killed run had sent.
        StockRecovery first = recovery().killAt(killedBefore).build();
        assertThatThrownBy(first::run).isInstanceOf(StockRecovery.Killed.class);
        processGone(runDir(1));

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        // issue 14: the rerun's plan is byte-identical to the killed run's, whenever the killed run got to write one
        assertThat(Files.exists(planOf(1))).as("the killed run wrote its plan").isEqualTo(killedBefore.compareTo(Phase.PLAN) > 0);
        if (Files.exists(planOf(1))) {
            assertThat(Files.readAllBytes(planOf(2))).as("the rerun's plan, byte for byte against the killed run's:%n%s%nvs%n%s",
                    Files.readString(planOf(2)), Files.readString(planOf(1))).isEqualTo(Files.readAllBytes(planOf(1)));
        }
        assertOneLeaderEach(planOf(2));
    }

    @Test
    void aRunThatLeftAWaitPendingMakesTheRerunWaitForThatStoresRestart() throws Exception {
        // Run 1: store 3's WaitApply hangs until the timeout; the wait stays pending in that TiKV.
        // The wait-apply deadline must leave stores 1 and 2 time to answer on a loaded CI machine (500 ms did
        // not): only store 3 may be left unproven, or run 2 fails for the wrong store.
        stores.get(2).waitMode = FakeStore.WaitMode.HANG;
        Outcome first = recovery().timeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20),
                Duration.ofSeconds(3), Duration.ofSeconds(20))).build().run();
        assertThat(first.verdict()).as("only store 3 timed out").contains("store 3").doesNotContain("store 1 (")
                .doesNotContain("store 2 (");
        assertThat(first.exitCode()).as(first.verdict()).isEqualTo(ExitCode.TIMEOUT);
        stores.get(2).waitMode = FakeStore.WaitMode.ANSWER;

        // Run 2: store 3 has not restarted: its pending wait would make a new WaitApply answer at once (R10).
        Outcome second = recovery().build().run();
        assertThat(second.exitCode()).as(second.verdict()).isEqualTo(ExitCode.FAILURE);
        assertThat(second.verdict()).contains("store 3 (" + stores.get(2).address + ")").contains("has not restarted since");
        assertThat(stores.stream().mapToLong(s -> s.calls("ResolveKvData")).sum()).isZero();

        // The operator restarts store 3; run 3 converges.
        stores.get(2).restart();
        Outcome third = recovery().build().run();
        assertThat(third.exitCode()).as(third.verdict()).isEqualTo(ExitCode.OK);
        assertOneLeaderEach(planOf(3));
    }

    @Test
    void R6_aDryRunRefusesWhileAnotherRecoverIsAliveUnlessForced() throws Exception {
        // Before: the dry run's ReadRegionMeta silently aborted the live recovery's RecoverRegion.
        Path live = runs.resolve("2026-11-26T09-00-00-recover");
        Files.createDirectories(live);
        new RunState(live).write(Phase.RECOVER, false, false, false, java.util.Map.of(1L, 5L), java.util.Map.of()); // this JVM: alive

        Outcome refused = recovery().dryRun(true).build().run();

        assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(refused.verdict()).contains("dry run refused").contains(live.toString()).contains("recover phase")
                .contains("aborts every RecoverRegion in flight (R6)").contains("--force");
        stores.forEach(s -> assertThat(s.calls).isEmpty());

        Outcome forced = recovery().dryRun(true).force(true).build().run();
        assertThat(forced.exitCode()).as(forced.verdict()).isEqualTo(ExitCode.OK);
    }

    @Test
    void R6_aDryRunRefusesWhilePdShowsPausedSchedulers() {
        pd.pausedSchedulers = List.of("balance-leader-scheduler");

        Outcome refused = recovery().dryRun(true).build().run();

        assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(refused.verdict()).contains("PD has paused schedulers [balance-leader-scheduler]");
        stores.forEach(s -> assertThat(s.calls).isEmpty());
    }

    @Test
    void anEndedRunIsNoSignOfALiveRecovery() {
        Outcome first = recovery().build().run();
        assertThat(first.exitCode()).as(first.verdict()).isEqualTo(ExitCode.OK);

        Outcome dry = recovery().dryRun(true).build().run();
        assertThat(dry.exitCode()).as(dry.verdict()).isEqualTo(ExitCode.OK);
    }
}
