package io.phybr.adviser.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.contract.ExitCode;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockCheck;
import io.phybr.mock.stock.StockLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: the adviser dies at a random point, not only at a phase boundary, and the rerun converges. The point is
 * the {@code k}-th answer any peer (PD's HTTP or pdpb, any store) sends the adviser, {@code k} drawn from a seed over
 * the answers of a clean run: at that answer every path between the adviser and the cluster is cut at once — what PD
 * and the stores see when the adviser's process is SIGKILLed (calls in flight cancelled, nothing put back on PD).
 * The operator then restarts the TiKVs if the run got to RecoverRegion (README, R10) and runs recover again, beside
 * the first run's recording. The
 * rerun must end 0 with PD exactly as the operator had it, every committed write at or below the resolved ts kept
 * and nothing newer; its plan must keep and drop the same regions as the first run's, and be byte-identical to it
 * where the rerun collected the same reports (each run's recording has them): metas move once a forced leader won
 * and its followers caught up, or a restart let lagging followers catch up.
 *
 * <p>In-process, so the cut run itself still ends (failing, its PD restore cut off) and records that it ended; the
 * real process's SIGKILL is {@code it-tests}' CrashRerunIT and MidPhaseKillIT. One fixed and one fresh seed per CI
 * run (printed); {@code -Dphybr.kill.random=N} runs N fresh ones, {@code -Dphybr.kill.seed=S} replays seed S.
 */
class RandomKillRerunTest {
    private static final long RESOLVED_TS = 150;
    static final int FRESH = Integer.getInteger("phybr.kill.random", 1);
    static final long FIXED = 20_261_126L;
    static final long RUN_SEED = Long.getLong("phybr.kill.seed",
            new java.security.SecureRandom().nextLong() & Long.MAX_VALUE >>> 1);
    /** Answers a clean run sends the adviser, per finish: the range the kill point is drawn from. */
    private static final Map<Finish, Integer> ANSWERS = new EnumMap<>(Finish.class);
    /** Reruns that collected exactly what the killed run did (their plans compared byte for byte). */
    private static final AtomicInteger SAME_INPUT = new AtomicInteger();

    @TempDir
    Path tmp;

    @AfterEach
    void noLeaks() {
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    @Test
    void killedAtARandomPointTheRerunConverges() throws Exception {
        List<Long> seeds = new ArrayList<>(List.of(FIXED));
        for (long s = RUN_SEED; s < RUN_SEED + FRESH; s++) {
            seeds.add(s);
        }
        System.out.println("random kills: seeds " + seeds + " (replay one with -Dphybr.kill.seed=S -Dphybr.kill.random=1)");
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (long seed : seeds) {
            String bad = killAndRerun(seed);
            if (bad != null) {
                failures.add("seed " + seed + ": " + bad);
            }
        }
        System.out.printf(Locale.ROOT, "random kills: %d in %.1f s, %d failed; %d reruns collected what the killed run did"
                + " (plans byte-identical)%n", seeds.size(), (System.nanoTime() - t0) / 1e9, failures.size(), SAME_INPUT.get());
        assertThat(failures).isEmpty();
    }

    /** Null when the rerun after a kill at the seed's point converges; else what went wrong. */
    private String killAndRerun(long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        Finish finish = rng.nextBoolean() ? Finish.FLASHBACK : Finish.RESOLVE;
        int k = 1 + rng.nextInt(answers(finish));
        Path runs = Files.createDirectories(tmp.resolve("runs-" + seed));
        try (MockStockCluster c = cluster(seed)) {
            PdState before = c.pd().state();
            AtomicInteger seen = new AtomicInteger();
            AtomicReference<RogueCluster> self = new AtomicReference<>();
            Outcome first;
            try (RogueCluster rogue = new RogueCluster(c, w -> {
                if (seen.incrementAndGet() == k) {
                    self.get().killAdviser(); // this answer and every later one never arrive
                }
                return null;
            })) {
                self.set(rogue);
                first = recorded(rogue.recovery(finish, RESOLVED_TS), runs, 1).build().run();
            }
            String where = finish.label() + " finish, killed at answer " + k + " of " + answers(finish) + " (the first run"
                    + " ended in " + first.phase() + ": " + first.verdict() + ")";
            if (!c.pd().state().snapshotRecovering()) {
                // the kill came after the marker was removed: the recovery was over; nothing to rerun
                return checked(c, before, runs, where);
            }
            // A RecoverRegion or WaitApply that reached a store may be left pending there: the operator restarts the
            // TiKVs (README, R10).
            if (c.stores().stream().anyMatch(s -> s.calls().contains("RecoverRegion") || s.calls().contains("WaitApply"))) {
                c.stores().forEach(MockStockStore::reboot);
            }
            Outcome rerun = recorded(RogueCluster.direct(c, finish, RESOLVED_TS), runs, 2).build().run();
            if (rerun.exitCode() != ExitCode.OK) {
                return where + ": the rerun ended " + rerun.exitCode().code() + ": " + rerun.verdict();
            }
            return checked(c, before, runs, where);
        }
    }

    /** PD as the operator had it, the checker's view of the stores, the rerun's plan against the first's. */
    private static String checked(MockStockCluster c, PdState before, Path runs, String where) throws Exception {
        List<String> pd = c.pd().state().withoutAllocId().diff(before.withoutAllocId().withMarker(false));
        if (!pd.isEmpty()) {
            return where + ": PD is not as the operator had it: " + pd;
        }
        List<String> lost = StockCheck.check(c.stores().stream().map(s -> (InMemoryStoreBackend) s.backend()).toList(),
                RESOLVED_TS);
        if (!lost.isEmpty()) {
            return where + ": the checker finds " + lost;
        }
        Path p1 = plan(runs, 1);
        Path p2 = plan(runs, 2);
        if (Files.exists(p1) && Files.exists(p2)) {
            String first = Files.readString(p1);
            String rerun = Files.readString(p2);
            // Where the rerun collected what the first run did, it plans from the same input: byte for byte the same
            // plan. Where the metas moved (a forced leader won and its followers caught up, a restart let lagging
            // followers catch up), the same regions are kept and dropped, leaders chosen anew by BR's ranks.
            if (reports(runs, 1).equals(reports(runs, 2))) {
                SAME_INPUT.incrementAndGet();
                if (!first.equals(rerun)) {
                    return where + ": from the same reports, the rerun's plan differs from the killed run's:\n" + rerun
                            + "vs\n" + first;
                }
            } else if (!regions(first).equals(regions(rerun))) {
                return where + ": the rerun keeps or drops other regions than the killed run:\n" + rerun + "vs\n" + first;
            }
        }
        return null;
    }

    /** Every region report run {@code n} collected, sorted (a store's broken-off stream is not among them). */
    private static List<String> reports(Path runs, int n) throws java.io.IOException {
        Path f = runDir(runs, n).resolve(RunRecorder.DUMP);
        return Files.exists(f) ? Files.readAllLines(f).stream().sorted().toList() : List.of("(none)" + n);
    }

    /** A plan's commands without the store each goes to, sorted: which regions it keeps (as_leader) and drops. */
    static List<String> regions(String plan) {
        return plan.lines().map(l -> l.replaceFirst("\\{\"store\":\\d+,", "{")).sorted().toList();
    }

    private static MockStockCluster cluster(long seed) throws Exception {
        MockStockCluster c = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 6, seed)))
                .tiflash(true).start();
        for (MockStockStore s : c.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            for (int i = 0; i < 20; i++) { // committed writes on both sides of the resolved ts, and a lock
                b.addKv(new InMemoryStoreBackend.Kv(("key" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        RESOLVED_TS - 20 + i * 2, i == 3));
            }
        }
        return c;
    }

    private static Path runDir(Path runs, int run) {
        return runs.resolve("2026-11-26T10-00-0" + run + "-recover");
    }

    private static Path plan(Path runs, int run) {
        return runs.resolve("plan-" + run + ".jsonl");
    }

    /** Run {@code n}: recorded beside the other (names sort by time, as real ones do), its plan to plan-n.jsonl. */
    private static StockRecovery.Builder recorded(StockRecovery.Builder b, Path runs, int n) {
        return b.planOutput(plan(runs, n)).recorder(RunRecorder.open(runDir(runs, n),
                new RunInfo("recover", Policy.BR, Protocol.STOCK, false, List.of("recover"), OptionalLong.of(RESOLVED_TS),
                        "test")));
    }

    /** How many answers a clean run of this finish sends the adviser (measured once per JVM). */
    private static synchronized int answers(Finish finish) throws Exception {
        Integer n = ANSWERS.get(finish);
        if (n == null) {
            AtomicInteger seen = new AtomicInteger();
            try (MockStockCluster c = cluster(1); RogueCluster rogue = new RogueCluster(c, w -> {
                seen.incrementAndGet();
                return null;
            })) {
                Outcome o = rogue.recovery(finish, RESOLVED_TS).build().run();
                assertThat(o.exitCode()).as(o.verdict()).isEqualTo(ExitCode.OK);
            }
            n = seen.get();
            ANSWERS.put(finish, n);
        }
        return n;
    }
}
