package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12 item 8 beyond the phase boundaries: the real {@code phybr-adviser.jar recover} is SIGKILLed while a store
 * call of a phase is in flight on a real mock stock store (RecoverRegion campaigning, WaitApply waiting, ResolveKvData
 * deleting), then run again beside the killed run's recording. Whatever the killed call left on the store (a pending
 * forced election or apply wait, R6/R10; half a resolve, R11), the rerun must converge to the same safe end: PD
 * exactly as the operator had it, every region led once, everything applied, nothing newer than the resolved ts.
 * Where the killed call may have left an apply wait pending, the rerun resolves nothing until the stores restart.
 */
@ExtendWith(DumpsClusterOnFailure.class)
class MidPhaseKillIT {
    private static final long RESOLVED_TS = 150;
    private static final Duration EXIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(cluster);
    }

    @ParameterizedTest(name = "SIGKILL during {0}")
    @ValueSource(strings = {"RecoverRegion", "WaitApply", "ResolveKvData"})
    void aRecoverKilledMidPhaseConvergesOnTheRerun(String rpc) throws Exception {
        List<StockReplica> layout = StockLayouts.healthy(3, 6, 20261126L);
        cluster = MockStockCluster.start(layout);
        for (MockStockStore s : cluster.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            for (int i = 0; i < 30; i++) {
                b.addKv(new InMemoryStoreBackend.Kv(("key" + i).getBytes(), 120 + i * 2, i == 3));
            }
        }
        PdState before = cluster.pd().state();
        MockStockStore victim = cluster.store(2);
        victim.faults().slow(Duration.ofMillis(600)); // every step of store 2 takes 0.6 s: its calls stay in flight
        Path runs = tmp.resolve("runs");

        try (RecoverProcess killed = adviser(runs.resolve("2026-11-26T120000Z-recover"))) {
            // the kill lands while store 2 serves the call: after its request was read, before its first step ends.
            // RecoverRegion is a client stream: killed before store 2 read the whole upload, the call breaks and
            // the store restarts (R7) — a trusted store on the rerun, not the pending wait this test is about (CI
            // of session 8 killed there once: the rerun never had to watch PD)
            await().atMost(Duration.ofSeconds(60)).until(() -> rpc.equals("RecoverRegion")
                    ? !victim.recoverCalls().isEmpty() : victim.calls().contains(rpc));
            killed.process.destroyForcibly(); // SIGKILL: no hook, no PD restore, no recording end
            killed.process.waitFor();
        }
        victim.faults().slow(Duration.ZERO);
        assertThat(cluster.pd().state().paused()).as("the killed run left PD paused").isNotEmpty();

        try (RecoverProcess rerun = adviser(runs.resolve("2026-11-26T120500Z-recover"))) {
            if (!rpc.equals("ResolveKvData")) {
                // R10: the killed run's RecoverRegion (its leader-apply wait) or WaitApply may still be pending on
                // every store it reached, and a retried wait there answers at once without proving anything. The
                // rerun does not trust those stores: it watches PD for their restart (a new start timestamp drops
                // the pending waits, R9), which is the operator's documented way out — so the TiKVs restart now.
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> rerun.err().contains("unproven, watching PD for a restart"));
                assertThat(countCalls("ResolveKvData")).as("nothing resolved on an unproven apply").isZero();
                cluster.stores().forEach(MockStockStore::reboot);
            }
            assertThat(rerun.await(EXIT)).as(rerun.err()).isZero();
        }
        // issue 14: the killed run's RecoverRegion reached the stores (forced leaders won, followers caught up), so
        // the rerun plans from moved ranks: the same regions kept and dropped (CrashRerunIT checks byte identity
        // where the state is the killed run's)
        Path killedPlan = planOf(runs.resolve("2026-11-26T120000Z-recover"));
        Path rerunPlan = planOf(runs.resolve("2026-11-26T120500Z-recover"));
        assertThat(CrashRerunIT.regions(rerunPlan)).as("regions kept and dropped by the rerun")
                .isEqualTo(CrashRerunIT.regions(killedPlan));
        assertThat(cluster.pd().state().withoutAllocId().diff(before.withoutAllocId().withMarker(false))).isEmpty();
        assertRecovered(layout);
    }

    private long countCalls(String rpc) {
        return cluster.stores().stream().mapToLong(s -> s.calls().stream().filter(rpc::equals).count()).sum();
    }

    /** Where a run's {@code --output} goes: beside its recording (which the recorder creates itself). */
    private Path planOf(Path record) {
        return tmp.resolve(record.getFileName() + "-plan.jsonl");
    }

    private RecoverProcess adviser(Path record) throws Exception {
        List<String> args = new ArrayList<>(List.of("recover", "--finish", "resolve", "--pd", cluster.pdAddress(), "--retry-backoff", "50ms",
                "--progress-interval", "1s", "--max-attempts", "5", "--expected-stores", "3",
                "--store-watch-interval", "1s", // the restarts this IT makes are seen within a second, not BR's 30 s
                "--resolved-ts", Long.toString(RESOLVED_TS), "--record", record.toString(), "--output", planOf(record).toString()));
        return RecoverProcess.start(tmp, args.toArray(String[]::new));
    }

    /** Every region led exactly once, every peer applied, no lock and nothing newer than the resolved ts. */
    private void assertRecovered(List<StockReplica> layout) {
        Set<Long> expected = new TreeSet<>();
        layout.forEach(r -> expected.add(r.peer().regionId()));
        List<Long> led = new ArrayList<>();
        for (MockStockStore s : cluster.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            led.addAll(b.leaders());
            assertThat(b.allApplied()).as("store %d applied", s.storeId()).isTrue();
            assertThat(b.kvs()).allSatisfy(k -> assertThat(k.commitTs() <= RESOLVED_TS && !k.lock()).isTrue());
        }
        assertThat(led).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }
}
