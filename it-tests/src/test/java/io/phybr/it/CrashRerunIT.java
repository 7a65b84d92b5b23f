package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.phybr.adviser.pd.PdClient;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14: SIGKILL of the real {@code recover} process at every phase boundary, then a rerun, against mock PD and
 * mock stock stores. Each boundary is found by what the mock sees, never by sleeping: the first call of the next
 * phase reaching a store (slowed, so the phase lasts while we look), or a PD call the mock holds (the alloc id,
 * the finishing config). After the kill the operator does what the README says — restart the TiKVs when the
 * killed run may have left a RecoverRegion or WaitApply pending (R10) — and runs recover again: it must end 0,
 * the stores must pass the checker's view and PD must end exactly as the operator had it (no pause, no limit at 0).
 */
@ExtendWith(DumpsClusterOnFailure.class)
class CrashRerunIT {
    private static final long RESOLVED_TS = StockFixture.RESOLVED_TS;
    private static final Duration EXIT = Duration.ofSeconds(90);
    private static final Duration SLOW = Duration.ofMillis(200);

    /** Where the kill lands: just after the adviser crossed into this phase. */
    enum Boundary {
        COLLECT, ALLOC_ID, RECOVER, WAIT_APPLY, RESOLVE, FINISH;

        /** Whether a RecoverRegion or WaitApply of the killed run may still be pending on the stores (R10). */
        boolean leavesWaitsPending() {
            return compareTo(RECOVER) >= 0;
        }
    }

    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(cluster);
    }

    @ParameterizedTest
    @EnumSource(Boundary.class)
    void aSigkillAtThePhaseBoundaryThenARerunRecoversAndRestoresPd(Boundary at) throws Exception {
        StockFixture fixture = StockFixture.start(24, 4_200 + at.ordinal());
        cluster = fixture.cluster;
        PdState before = cluster.pd().state();
        Path runs = tmp.resolve("runs");
        BooleanSupplier reached = arm(at);
        try (RecoverProcess p = RecoverProcess.start(tmp, args(runs.resolve("2026-11-26T120000Z-recover")))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> reached.getAsBoolean() || !p.process.isAlive());
            assertThat(p.process.isAlive()).as("the run reached %s alive; stderr:%n%s", at, p.err()).isTrue();
            p.process.destroyForcibly(); // SIGKILL: no hook runs, nothing is put back
            p.process.waitFor();
        }
        cluster.stores().forEach(s -> s.faults().slow(Duration.ZERO));
        if (at.leavesWaitsPending()) {
            cluster.stores().forEach(MockStockStore::reboot); // the operator restarts the TiKVs (README: R10)
        }

        try (RecoverProcess p = RecoverProcess.start(tmp, args(runs.resolve("2026-11-26T120500Z-recover")))) {
            assertThat(p.await(EXIT)).as("rerun after a kill at %s:%n%s", at, p.err()).isZero();
        }
        // issue 14: a kill before RecoverRegion reached a store leaves the state the plan came from as it was: the
        // rerun's plan is byte-identical to the killed run's (written before alloc-id began). After it, forced leaders
        // won and followers caught up, so the ranks moved: the same regions kept and dropped, leaders chosen anew.
        Path killedPlan = planOf(runs.resolve("2026-11-26T120000Z-recover"));
        Path rerunPlan = planOf(runs.resolve("2026-11-26T120500Z-recover"));
        assertThat(Files.exists(killedPlan)).as("the killed run wrote its plan").isEqualTo(at != Boundary.COLLECT);
        if (at == Boundary.ALLOC_ID) {
            assertThat(Files.readAllBytes(rerunPlan)).as("the rerun's plan, byte for byte against the killed run's:%n%s%nvs%n%s",
                    Files.readString(rerunPlan), Files.readString(killedPlan)).isEqualTo(Files.readAllBytes(killedPlan));
        } else if (Files.exists(killedPlan)) {
            assertThat(regions(rerunPlan)).as("regions kept and dropped by the rerun").isEqualTo(regions(killedPlan));
        }
        assertThat(cluster.pd().state().withoutAllocId().diff(before.withoutAllocId().withMarker(false)))
                .as("PD after the rerun, against the operator's").isEmpty();
        fixture.assertRecovered();
    }

    /** Sets the mock up so the run dwells at the boundary; the condition that says it got there. */
    private BooleanSupplier arm(Boundary at) {
        switch (at) {
            case ALLOC_ID:
                cluster.pd().inject(new Fault.PdStall("POST", PdClient.BASE_ALLOC_ID, 1, false));
                return () -> stalled(PdClient.BASE_ALLOC_ID);
            case FINISH:
                // hold the first PD write after resolve began: scheduling being put back
                cluster.stores().forEach(s -> s.faults().slow(SLOW));
                boolean[] injected = {false};
                return () -> {
                    if (!injected[0] && anyStoreCalled("ResolveKvData")) {
                        cluster.pd().inject(new Fault.PdStall("POST", "/pd/api/v1/config", 1, false));
                        cluster.stores().forEach(s -> s.faults().slow(Duration.ZERO));
                        injected[0] = true;
                    }
                    return injected[0] && stalled("/pd/api/v1/config");
                };
            default:
                cluster.stores().forEach(s -> s.faults().slow(SLOW)); // the phase lasts while we look
                String rpc = switch (at) {
                    case COLLECT -> "ReadRegionMeta";
                    case RECOVER -> "RecoverRegion";
                    case WAIT_APPLY -> "WaitApply";
                    default -> "ResolveKvData";
                };
                return () -> anyStoreCalled(rpc);
        }
    }

    private boolean anyStoreCalled(String rpc) {
        return cluster.stores().stream().anyMatch(s -> s.calls().contains(rpc));
    }

    private boolean stalled(String path) {
        return cluster.pd().calls().stream().anyMatch(c -> c.status() == 0 && c.path().startsWith(path));
    }

    /** A plan's commands without the store each goes to, sorted: which regions it keeps (as_leader) and drops. */
    static java.util.List<String> regions(Path plan) throws java.io.IOException {
        return Files.readAllLines(plan).stream().map(l -> l.replaceFirst("\\{\"store\":\\d+,", "{")).sorted().toList();
    }

    /** Where a run's {@code --output} goes: beside its recording (which the recorder creates itself). */
    private Path planOf(Path record) {
        return tmp.resolve(record.getFileName() + "-plan.jsonl");
    }

    private String[] args(Path record) {
        // the phases killed at are the resolve finish's (wait-apply, resolve)
        return new String[] {"recover", "--finish", "resolve", "--pd", cluster.pdAddress(), "--resolved-ts", Long.toString(RESOLVED_TS),
            "--expected-stores", "3", "--retry-backoff", "50ms", "--max-attempts", "5", "--pd-timeout", "5s", "--store-watch-interval", "1s",
            "--record", record.toString(), "--output", planOf(record).toString()};
    }
}
