package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.stock.RetryPolicy;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.adviser.stock.Timeouts;
import io.phybr.contract.ExitCode;
import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.gen.RandomHistory;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockCheck;
import io.phybr.rehearsal.OurAdviser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14: SIGKILL of the real jar at a random point of a run, both protocols, then a rerun. CrashRerunIT and
 * MidPhaseKillIT kill at chosen points; here a seed chooses the point: the {@code k}-th event of a clean run, {@code k}
 * drawn over the events a clean in-process run of the same cluster makes. The kill is made on the thread of that
 * event, before it goes on, so the point is the same whenever the seed is replayed (up to which of two concurrent
 * calls counts first):
 * <ul>
 * <li>protocol B ({@code recover}): the {@code k}-th entry of the mock's shared call log — a PD write applied but not
 * yet answered, or a store call arrived but not served; the finish (flashback or resolve) and the layout come from the
 * seed too. The operator then restarts the TiKVs if the run reached RecoverRegion (README, R10) and reruns beside the
 * killed run's recording. The rerun must end 0, PD exactly as the operator had it, the checker's view of the stores
 * clean, and its plan byte-identical to the killed run's where it collected the same reports (same regions kept and
 * dropped where the metas moved: a forced leader won, a restart let followers catch up);</li>
 * <li>protocol A ({@code serve} with the mock's seed agents): the {@code k}-th agent event (reporting, sent, received,
 * applied, closed …) of a seeded random history; the same stores, holding whatever they applied, report afresh to a
 * second {@code serve}: its verdict must pass, its plan byte-identical where the reports had not moved.</li>
 * </ul>
 * One fresh seed per protocol per CI run (printed); {@code -Dphybr.jarkill.points=N} runs N per protocol,
 * {@code -Dphybr.jarkill.seed=S} replays seed S (then only S, for both protocols).
 */
@ExtendWith(DumpsClusterOnFailure.class)
class RandomJarKillIT {
    static final int POINTS = Integer.getInteger("phybr.jarkill.points", 1);
    static final Long REPLAY = Long.getLong("phybr.jarkill.seed");
    private static final long RESOLVED_TS = StockFixture.RESOLVED_TS;
    private static final Duration EXIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private MockStockCluster stock;
    private MockCluster seed;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(stock);
        if (seed != null) {
            seed.close();
        }
        assertThat(MockCluster.openChannels()).as("agent channels left open").isZero();
    }

    @Test
    void protocolB_recoverSigkilledAtARandomCallConvergesOnTheRerun() throws Exception {
        for (long s : seeds("protocol B")) {
            long t0 = System.nanoTime();
            String where = stockPoint(s);
            System.out.printf(Locale.ROOT, "random jar kill, protocol B, seed %d: %s; converged in %.1f s%n", s, where,
                    (System.nanoTime() - t0) / 1e9);
            MockStockCluster.closeAndCheckNoLeaks(stock);
            stock = null;
        }
    }

    @Test
    void protocolA_serveSigkilledAtARandomAgentEventConvergesOnTheRerun() throws Exception {
        for (long s : seeds("protocol A")) {
            long t0 = System.nanoTime();
            String where = seedPoint(s);
            System.out.printf(Locale.ROOT, "random jar kill, protocol A, seed %d: %s; converged in %.1f s%n", s, where,
                    (System.nanoTime() - t0) / 1e9);
            seed.close();
            seed = null;
        }
    }

    private static List<Long> seeds(String protocol) {
        List<Long> out = new ArrayList<>();
        if (REPLAY != null) {
            out.add(REPLAY);
        } else {
            long base = new java.security.SecureRandom().nextLong() & Long.MAX_VALUE >>> 1;
            for (int i = 0; i < POINTS; i++) {
                out.add(base + i);
            }
        }
        System.out.println("random jar kill, " + protocol + ": seeds " + out + " (replay one with -Dphybr.jarkill.seed=S)");
        return out;
    }

    /** Protocol B at seed {@code s}: kill, rerun, check; returns where the kill landed. */
    private String stockPoint(long s) throws Exception {
        SplittableRandom rng = new SplittableRandom(s);
        Finish finish = rng.nextBoolean() ? Finish.FLASHBACK : Finish.RESOLVE;
        int regions = 6 + rng.nextInt(7);
        long layoutSeed = rng.nextLong();
        long c0 = System.nanoTime();
        int clean = cleanStockCalls(regions, layoutSeed, finish);
        System.out.printf(Locale.ROOT, "random jar kill, protocol B, seed %d: a clean in-process run makes %d calls (%.1f s)%n",
                s, clean, (System.nanoTime() - c0) / 1e9);
        int k = 1 + rng.nextInt(clean);
        StockFixture fixture = StockFixture.start(regions, layoutSeed);
        stock = fixture.cluster;
        PdState before = stock.pd().state();
        Path runs = Files.createDirectories(tmp.resolve("runs-" + s));
        AtomicReference<RecoverProcess> running = new AtomicReference<>();
        AtomicReference<String> killedAt = new AtomicReference<>();
        AtomicInteger seen = new AtomicInteger();
        stock.callLog().onEntry(e -> {
            if (seen.incrementAndGet() == k) {
                killedAt.set(e);
                kill(running.get().process);
            }
        });
        String ctx = String.format(Locale.ROOT, "seed %d (%s finish, %d regions, kill at call %d of %d; replay with"
                + " -Dphybr.jarkill.seed=%d)", s, finish.label(), regions, k, clean, s);
        Path run1 = runs.resolve("2026-11-26T120000Z-recover");
        try (RecoverProcess p = RecoverProcess.start(tmp, stockArgs(finish, run1))) {
            running.set(p);
            p.await(EXIT);
        }
        stock.callLog().onEntry(e -> { });
        String where = killedAt.get() == null ? "the run ended before call " + k : "killed at call " + k + " of "
                + clean + " (" + killedAt.get() + ")";
        boolean unmoved = stock.stores().stream().noneMatch(st -> st.calls().contains("RecoverRegion"));
        if (stock.pd().state().snapshotRecovering()) {
            if (stock.stores().stream().anyMatch(st -> st.calls().contains("RecoverRegion") || st.calls().contains("WaitApply"))) {
                stock.stores().forEach(MockStockStore::reboot); // the operator restarts the TiKVs (README, R10)
            }
            Path run2 = runs.resolve("2026-11-26T120500Z-recover");
            try (RecoverProcess p = RecoverProcess.start(tmp, stockArgs(finish, run2))) {
                assertThat(p.await(EXIT)).as("%s, %s: the rerun's exit code; stderr:%n%s", ctx, where, p.err()).isZero();
            }
            where += "; " + samePlan(ctx + ", " + where, planOf(run1), planOf(run2), unmoved, true);
        }
        assertThat(stock.pd().state().withoutAllocId().diff(before.withoutAllocId().withMarker(false)))
                .as("%s, %s: PD against the operator's", ctx, where).isEmpty();
        assertThat(StockCheck.check(stock.stores().stream().map(st -> (InMemoryStoreBackend) st.backend()).toList(),
                RESOLVED_TS)).as("%s, %s: the checker", ctx, where).isEmpty();
        if (finish == Finish.RESOLVE) {
            fixture.assertRecovered();
        } else {
            fixture.assertLedOnceAndApplied();
        }
        return finish.label() + " finish, " + regions + " regions, " + where;
    }

    /** How many call-log entries a clean in-process recovery of the same cluster makes (the range k is drawn from). */
    private int cleanStockCalls(int regions, long layoutSeed, Finish finish) throws Exception {
        StockFixture f = StockFixture.start(regions, layoutSeed);
        try {
            // Nothing hangs in a clean run, so every bound only has to catch a hang: this is the first recovery in a
            // fresh failsafe JVM, whose first PD call opens its first gRPC channel (3.5 s measured at load 22), and a
            // RecoverRegion round (~50 ms) or flashback call slower than a 2 s bound on a loaded machine would fail the run
            var outcome = StockRecovery.builder()
                    .pd(new PdClient(List.of(f.cluster.pdAddress()), null, Duration.ofSeconds(30)))
                    .finish(finish).resolvedTs(RESOLVED_TS)
                    .expectedStores(new ExpectedStores(3, Set.of(), Set.of(), "--expected-stores 3"))
                    .storeWait(Duration.ofSeconds(10), Duration.ofMillis(50))
                    .retry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40)))
                    .timeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20),
                            Duration.ofSeconds(20)))
                    .roundTimeout(Duration.ofSeconds(20)).restartGrace(Duration.ofSeconds(2))
                    .watchInterval(Duration.ofMillis(50)).flashbackTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(10))
                    .runsRoot(Files.createDirectories(tmp.resolve("clean-runs")))
                    .build().run();
            assertThat(outcome.exitCode()).as("a clean in-process run: %s", outcome.verdict()).isEqualTo(ExitCode.OK);
            return f.cluster.callLog().entries().size();
        } finally {
            MockStockCluster.closeAndCheckNoLeaks(f.cluster);
        }
    }

    private String[] stockArgs(Finish finish, Path record) {
        return new String[] {"recover", "--finish", finish.label(), "--pd", stock.pdAddress(), "--resolved-ts",
            Long.toString(RESOLVED_TS), "--expected-stores", "3", "--retry-backoff", "50ms", "--max-attempts", "5",
            // --pd-timeout 30 s (the default): nothing stalls PD; a fresh JVM's first gRPC channel (the flashback's
            // one-try TSO call) took 3.5 s at load 22, too close to 5 s
            "--pd-timeout", "30s", "--store-watch-interval", "1s", "--record", record.toString(),
            "--output", planOf(record).toString()};
    }

    private Path planOf(Path record) {
        return record.resolveSibling(record.getFileName() + "-plan.jsonl");
    }

    /** Protocol A at seed {@code s}: kill, rerun with the same stores, check; returns where the kill landed. */
    private String seedPoint(long s) throws Exception {
        SplittableRandom rng = new SplittableRandom(s);
        long historySeed = rng.nextLong() & Long.MAX_VALUE;
        Scenario sc = RandomHistory.generate(historySeed, RandomHistory.Options.defaults())
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30));
        long c0 = System.nanoTime();
        int clean = cleanAgentEvents(sc, historySeed);
        System.out.printf(Locale.ROOT, "random jar kill, protocol A, seed %d: a clean in-process rehearsal makes %d agent"
                + " events (%.1f s)%n", s, clean, (System.nanoTime() - c0) / 1e9);
        int k = 1 + rng.nextInt(clean);
        String ctx = String.format(Locale.ROOT, "seed %d (random history %d, kill at agent event %d of %d; replay with"
                + " -Dphybr.jarkill.seed=%d)", s, historySeed, k, clean, s);
        seed = MockCluster.fromScenario(sc, historySeed);
        AtomicReference<AdviserProcess> running = new AtomicReference<>();
        AtomicReference<String> killedAt = new AtomicReference<>();
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicInteger seen = new AtomicInteger();
        seed.onProgress((store, msg) -> {
            if (armed.get() && seen.incrementAndGet() == k) {
                killedAt.set("store " + store + " " + msg);
                try {
                    running.get().kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Path run1 = Files.createDirectories(tmp.resolve("runs-" + s)).resolve("first");
        Path run2 = run1.resolveSibling("second");
        boolean unmoved;
        try (AdviserProcess first = AdviserProcess.start(sc, tmp, "--record", run1.toString(), "--plan-output",
                planOf(run1).toString())) {
            running.set(first);
            seed.startAgents(first.target());
            first.awaitOutcome(EXIT);
            assertThat(seed.awaitCompletion(Duration.ofSeconds(60))).as("%s: the first run's agents end", ctx).isTrue();
            unmoved = sc.stores().stream().allMatch(st -> seed.receivedCommands(st).isEmpty());
        }
        armed.set(false);
        String where = killedAt.get() == null ? "the run ended before event " + k : "killed at agent event " + k
                + " of " + clean + " (" + killedAt.get() + ")";
        try (AdviserProcess second = AdviserProcess.start(sc, tmp, "--record", run2.toString(), "--plan-output",
                planOf(run2).toString())) {
            seed.restartAgents(second.target(), sc);
            AdviserResult outcome = second.awaitOutcome(EXIT);
            assertThat(seed.awaitCompletion(Duration.ofSeconds(60))).as("%s: the rerun's agents end", ctx).isTrue();
            Verdict v = seed.verdict(outcome);
            assertThat(v.pass()).as("%s, %s: the checker after the rerun:%n%s%n%s", ctx, where, v, seed.dump(outcome))
                    .isTrue();
        }
        where += "; " + samePlan(ctx + ", " + where, planOf(run1), planOf(run2), unmoved, false);
        return "random history " + historySeed + ", " + where;
    }

    /** How many agent events a clean in-process rehearsal of the history makes (the range k is drawn from). */
    private static int cleanAgentEvents(Scenario sc, long historySeed) throws Exception {
        AtomicInteger events = new AtomicInteger();
        try (MockCluster c = MockCluster.fromScenario(sc, historySeed)) {
            c.onProgress((store, msg) -> events.incrementAndGet());
            Rehearsal.Result r = Rehearsal.run(c, OurAdviser.inProcess(), Duration.ofSeconds(60));
            assertThat(r.verdict().pass()).as("a clean rehearsal of history %d: %s", historySeed, r.verdict()).isTrue();
        }
        return events.get();
    }

    /**
     * Where both runs planned. Where nothing the killed run sent can have moved a meta ({@code unmoved}: no store got
     * a RecoverRegion, no agent its commands), the rerun plans from the same reports: byte for byte the same plan.
     * Where the metas may have moved, {@code sameRegions} asks that the same regions be kept and dropped (protocol B:
     * a forced leader won, leaders are chosen anew by BR's ranks; protocol A's agents tombstone what they dropped, so
     * the rerun never sees those replicas and nothing more is pinned). Returns what was compared.
     */
    private static String samePlan(String ctx, Path plan1, Path plan2, boolean unmoved, boolean sameRegions)
            throws Exception {
        if (!Files.exists(plan1) || !Files.exists(plan2)) {
            return "the killed run made no plan";
        }
        if (unmoved) {
            assertThat(Files.readString(plan2)).as("%s: nothing reached a store, so the rerun's plan byte for byte", ctx)
                    .isEqualTo(Files.readString(plan1));
            return "nothing applied, plan byte-identical";
        }
        if (sameRegions) {
            assertThat(CrashRerunIT.regions(plan2)).as("%s: regions kept and dropped by the rerun", ctx)
                    .isEqualTo(CrashRerunIT.regions(plan1));
            return "commands reached stores, same regions kept and dropped";
        }
        return "commands applied";
    }

    /** SIGKILL, on the thread of the event the kill lands at: the call goes on only once the process is gone. */
    private static void kill(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
