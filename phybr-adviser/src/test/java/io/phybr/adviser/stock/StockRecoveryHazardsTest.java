package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stock recovery against scripted stores with the real TiKV behaviours that break a naive driver (SPEC §3.1):
 * elections that cannot win (R3), aborts by a newer call (R6), hung and early-answering waits (R8, R10), restarts
 * that drop leaders (R9), per-message counts (R11). Each test says what the adviser did before.
 */
class StockRecoveryHazardsTest {
    private FakeCluster cluster;
    private List<FakeStore> stores;
    private List<String> journal;
    private FakePd pd;

    @BeforeEach
    void start() throws Exception {
        cluster = new FakeCluster();
        stores = cluster.stores;
        journal = cluster.journal;
        pd = cluster.pd;
        // Region 1: store 1 has the longest log, but (scripted below) it ends in an older term's uncommitted tail
        // (tikv#16307) that the reports cannot show (R2: last_log_term is the hard-state term): the plan picks it.
        store(1).replica(1, 8, 130, "", "m");
        store(2).replica(1, 8, 120, "", "m");
        store(3).replica(1, 8, 110, "", "m");
        // Region 2: all alike; the balancer places its leader on a store without one.
        for (FakeStore s : stores) {
            s.replica(2, 8, 50, "m", "");
        }
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private FakeStore store(long id) {
        return cluster.store(id);
    }

    private StockRecovery.Builder recovery() {
        return cluster.recovery().restartGrace(Duration.ofSeconds(2));
    }

    /** The recovery with every phase's timeout at 20 s but wait-apply's. */
    private Outcome runWithWaitApplyTimeout(Duration waitApply) {
        return recovery().timeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), waitApply,
                Duration.ofSeconds(20))).build().run();
    }

    private long resolveCalls() {
        return cluster.calls("ResolveKvData");
    }

    @Test
    void R3_aForcedLeaderThatCannotWinMovesToItsNextCandidateWithoutAFight() {
        // Before: RecoverRegion on store 1 never answered and the run waited for the 30-minute timeout naming no region.
        store(1).cannotWin.add(1L);

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(store(2).leads(1)).as("the longest log is the next candidate").isTrue();
        // Store 1 was told to stop forcing region 1 (a newer call without it, R6) before store 2 was told to force it.
        // Store 1's newer call (arrival aborts the older one, R6) came before store 2 read region 1 and campaigned.
        List<String> order = List.copyOf(journal);
        int stop1 = -1;
        int force2 = -1;
        int starts1 = 0;
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).equals("1:start") && ++starts1 == 2) {
                stop1 = i;
            }
            if (force2 < 0 && !order.get(i).endsWith(":start") && store(order.get(i)) == 2 && forced(order.get(i)).contains(1L)) {
                force2 = i;
            }
        }
        assertThat(order).as("store 1's second call forces no region 1").contains("1:[]");
        assertThat(stop1).as("journal %s", order).isNotNegative();
        assertThat(force2).as("journal %s", order).isGreaterThan(stop1);
        assertThat(resolveCalls()).isEqualTo(3);
    }

    @Test
    void R3_aRegionNoCandidateCanWinIsNamedWithItsCandidates() {
        // Before: a 30-minute timeout naming no region.
        stores.forEach(s -> s.cannotWin.add(1L));

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.verdict()).contains("region 1: candidates store 1 (last_log_term 8, last_index 130, forced in round 1,"
                        + " never led), store 2 (last_log_term 8, last_index 120, forced in round 2, never led)")
                .contains("store 3 (last_log_term 8, last_index 110, forced in round 3, never led)")
                .contains("exit 4");
        assertThat(resolveCalls()).isZero();
    }

    @Test
    void R3_whenPdCannotTellWhichRegionIsStuckTheStoreAndItsRegionsAreNamed() {
        store(1).cannotWin.add(1L);
        pd.regionApi = false;

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.verdict()).contains("store 1 (" + store(1).address + ") forcing").contains("regions 1")
                .contains("could not tell");
        assertThat(resolveCalls()).isZero();
    }

    @Test
    void R10_aRetriedWaitApplyIsNotABarrierSoResolveNeverStarts() {
        // Before: WaitApply was retried on the transport error, answered at once (Duplicated) and ResolveKvData ran
        // on every store while store 2's followers had not applied.
        store(2).waitMode = FakeStore.WaitMode.DROP_FIRST;

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("store 2 (" + store(2).address + ")").contains("not proven")
                .contains("R10").contains("Restart the named TiKVs");
        assertThat(store(2).calls("WaitApply")).as("never retried into a Duplicated answer").isEqualTo(1);
        assertThat(resolveCalls()).isZero();
    }

    @Test
    void R10_anInterruptedWaitIsProvenAgainByARestartThenItsPlanAndWaitAreRedone() {
        store(2).waitMode = FakeStore.WaitMode.DROP_FIRST;
        // The operator (or the crash) restarts store 2 while recover watches PD: the pending wait is gone.
        Thread restarter = new Thread(() -> {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store(2).calls("WaitApply") >= 1);
            store(2).restart();
        });
        restarter.start();

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(store(2).recoverCalls.size()).as("its plan again after the restart").isGreaterThanOrEqualTo(2);
        assertThat(store(2).calls("WaitApply")).as("a fresh WaitApply after the restart").isGreaterThanOrEqualTo(2);
        assertThat(resolveCalls()).isEqualTo(3);
    }

    @Test
    void R9_aStoreRestartedAfterItsWaitApplyGetsItsPlanAgainAndTheWaitsAreRedone() {
        // Before: nothing noticed; store 3's WaitApply waited for leaders that no longer existed until the timeout.
        FakeStore restarted = store(1);
        store(3).waitsOnLeadersOf = restarted;
        restartAfterItsFirstWaitApply(restarted, restarted::restart);
        Map<Long, java.util.concurrent.atomic.AtomicInteger> idled = new java.util.concurrent.ConcurrentHashMap<>();

        Outcome out = recovery().channels(s -> new IdleCounting(
                io.grpc.inprocess.InProcessChannelBuilder.forName(s.address()).build(),
                idled.computeIfAbsent(s.id(), id -> new java.util.concurrent.atomic.AtomicInteger()))).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(restarted.recoverCalls.size()).isEqualTo(2);
        assertThat(restarted.calls("WaitApply")).isEqualTo(2);
        assertThat(resolveCalls()).isEqualTo(3);
        // the restarted store's connection (to its old process) was dropped once the restart was seen, the others kept
        assertThat(idled.get(1L)).as("store 1's channel dropped its connection").hasValue(1);
        assertThat(idled.get(2L)).hasValue(0);
        assertThat(idled.get(3L)).hasValue(0);
    }

    /** A channel that counts {@link io.grpc.ManagedChannel#enterIdle} (its connection dropped for a new one). */
    private static final class IdleCounting extends ForwardingManagedChannel {
        private final java.util.concurrent.atomic.AtomicInteger idled;

        IdleCounting(io.grpc.ManagedChannel delegate, java.util.concurrent.atomic.AtomicInteger idled) {
            super(delegate, delegate);
            this.idled = idled;
        }

        @Override
        public void enterIdle() {
            idled.incrementAndGet();
            super.enterIdle();
        }
    }

    /** Runs {@code restart} on its own thread once {@code store} answered its first WaitApply. */
    private static void restartAfterItsFirstWaitApply(FakeStore store, ThrowingRunnable restart) {
        Thread restarter = new Thread(() -> {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.calls("WaitApply") >= 1);
            try {
                restart.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-restarter");
        restarter.start();
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws InterruptedException;
    }

    @Test
    void R9_aRestartedStoreWhosePortOpensLateGetsItsPlanOnceItServes() {
        // Before: the restart watcher sent store 1 its plan once, as soon as PD showed the new start timestamp; TiKV
        // registers with PD before its gRPC serves (raft_server.rs, server.rs run_server), the send found no server
        // and was never tried again — store 1's own task had ended its round — so store 3's WaitApply hung on store
        // 1's lost leaders until the wait-apply timeout.
        FakeStore restarted = store(1);
        store(3).waitsOnLeadersOf = restarted;
        // a dozen watch ticks find its port closed
        restartAfterItsFirstWaitApply(restarted, () -> restarted.restartServingAfter(Duration.ofMillis(600)));

        // the wait-apply timeout is under store 3's own give-up (20 s): only store 1 leading again ends its wait
        Outcome out = runWithWaitApplyTimeout(Duration.ofSeconds(6));

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(restarted.recoverCalls.size()).as("its plan once before the restart and once after it served").isEqualTo(2);
        assertThat(restarted.calls("WaitApply")).isEqualTo(2);
        assertThat(resolveCalls()).isEqualTo(3);
    }

    @Test
    void R9_aRestartedStoreThatNeverServesIsNamedWhenTheWaitsTimeOut() {
        // Before: the diagnosis named only store 3, whose WaitApply hung, not the restarted store it hung on.
        FakeStore restarted = store(1);
        store(3).waitsOnLeadersOf = restarted;
        restartAfterItsFirstWaitApply(restarted, () -> restarted.restartServingAfter(Duration.ofSeconds(30)));

        Outcome out = runWithWaitApplyTimeout(Duration.ofSeconds(2));

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.verdict()).contains("1 of 3 stores did not answer WaitApply within 2s: store 3 (" + store(3).address)
                .contains("store 1 (" + restarted.address + ") restarted (PD shows a new start timestamp) and its plan"
                        + " was not through again by the timeout")
                .contains("exit 4");
        assertThat(resolveCalls()).isZero();
    }

    @Test
    void R9_aStoreThatKeepsRestartingIsNamed() {
        FakeStore flaky = store(3);
        flaky.waitMode = FakeStore.WaitMode.HANG;
        Thread restarter = new Thread(() -> {
            for (int i = 0; i < 6; i++) {
                int seen = i + 1;
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> flaky.calls("WaitApply") >= seen);
                flaky.restart();
            }
        });
        restarter.setDaemon(true);
        restarter.start();

        Outcome out = recovery().maxRestarts(2).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("store 3 (" + flaky.address + ") keeps restarting");
        assertThat(resolveCalls()).isZero();
    }

    @Test
    void R8_aHungWaitApplyTimesOutNamingTheStoreAndTheWayOut() {
        // Before: "store 3 did not finish within 30 min" and no way out.
        store(3).waitMode = FakeStore.WaitMode.HANG;

        Outcome out = runWithWaitApplyTimeout(Duration.ofMillis(800));

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.verdict()).contains("1 of 3 stores did not answer WaitApply").contains("store 3 (" + store(3).address + ")")
                .contains("tikv#16307").contains("flashback").contains("exit 4");
        assertThat(resolveCalls()).isZero();
    }

    @Test
    void R11_resolvedKeyCountsAreSummedPerMessageAndReportedPerStore() {
        // Before: the largest message was taken as a running total (3 + 5 + 2 reported as 5).
        store(1).resolveMessages = List.of(new long[] {3, 0}, new long[] {5, 410}, new long[] {2, 450});
        store(2).resolveMessages = List.of(new long[] {0, 0}, new long[] {4, 401});

        Outcome out = recovery().build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        Map<Long, Outcome.Deleted> d = out.counts().deleted();
        assertThat(d.get(1L)).isEqualTo(new Outcome.Deleted(3, 7));
        assertThat(d.get(2L)).isEqualTo(new Outcome.Deleted(0, 4));
        assertThat(d.get(3L)).isEqualTo(new Outcome.Deleted(0, 0));
        assertThat(out.counts().resolvedKeys()).isEqualTo(14);
        assertThat(out.toJson()).contains("\"deleted_per_store\":{\"1\":{\"locks\":3,\"writes\":7}");
    }

    /** A journal line "store:[regions forced]": its store. */
    private static long store(String line) {
        return Long.parseLong(line.substring(0, line.indexOf(':')));
    }

    /** A journal line's forced regions. */
    private static List<Long> forced(String line) {
        String inner = line.substring(line.indexOf('[') + 1, line.length() - 1).trim();
        return inner.isEmpty() ? List.of() : java.util.Arrays.stream(inner.split(", ")).map(Long::parseLong).toList();
    }
}
