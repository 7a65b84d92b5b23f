package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.gen.RandomHistory;
import io.phybr.mock.gen.SeedPlan;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.shrink.Shrinker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: many random histories under protocol B per CI run, through {@link DirectStockRun} — the mock's stock stores'
 * own RecoverData and flashback work with no transport, on a virtual clock, the adviser's collection decoding and BR
 * planner, the model's checker — where {@link RandomStockHistoryTest} runs a few over loopback gRPC with the whole
 * adviser. Each run checks {@link #SEEDS} ({@code SeedPlan}): a fixed corpus of 200 seeds from {@link #BASE}, a fixed
 * batch of 8,800 from a fixed run seed, and a fresh batch of 1,000 drawn for this run from a printed fresh seed (a hunt of
 * 100,000 fresh first-elections histories broke none before the share was enabled; see the README's "Random histories");
 * finishes alternate by seed (even: flashback, odd: WaitApply + ResolveKvData). 10,000 per CI run, as issue 14 asks
 * (~3 ms each on one core: ~30 s quiet, 64 s at load ~10; the whole `mvn verify` stays within its 15 minutes).
 *
 * <p>The property: a history whose every phase answered passes the checker; any history that does not fails the run.
 * A run that stops earlier (a refusal, a RecoverRegion or WaitApply that would hang, a store that never boots) is
 * counted as a diagnosis: the gRPC adviser stops there too, or moves a region to its next candidate (not modelled
 * here). (Issue 14's flashback divergence — a follower that applied entries of a newer term, snapshotted late, beside
 * a forced old leader whose log never held them — was the planner's R2 cap trusting one consistent cut; seeds 1536
 * and 1950 now recover: {@code PlannerExamplesTest.R2_aHigherTermTheReportsDoNotRefuteKeepsBrsRank}.)
 *
 * <p>Replay (each flag is printed): a whole run {@code -Dphybr.random.stockfast.freshSeed=F} (the corpus and the fixed
 * batch are the same every run); one seed S alone {@code -Dphybr.random.stockfast.only=S} (a failure's message names
 * it). Counts: {@code -Dphybr.random.stockfast.count=K} corpus seeds, {@code .batch=K} fixed ones, {@code .fresh=K} fresh
 * ones; {@code .runSeed=R|random} another fixed batch. A hunt of a million fresh histories:
 * {@code mvn -B -o -pl rehearsal -am test -Dtest=RandomStockHistoryFastTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dphybr.random.stockfast.count=0 -Dphybr.random.stockfast.batch=0 -Dphybr.random.stockfast.fresh=1000000}. A failing
 * seed is shrunk to a scenario under {@code target/shrunk/}.
 */
class RandomStockHistoryFastTest {
    static final long BASE = 20_261_127_000L;
    /** Corpus 200 + fixed batch 8,800 + fresh 1,000 = 10,000 per run (before: 200 + 9,800 fixed). */
    static final SeedPlan SEEDS = SeedPlan.builder("random stock histories (direct)", "phybr.random.stockfast")
            .corpus(200, i -> BASE + i).fixedBatch(2_026_112_800_000L, 8_800).fresh(1_000).build();

    @Test
    void randomHistoriesKeepProtocolBsContract() throws Exception {
        System.out.println(SEEDS.banner());
        List<Long> seeds = SEEDS.seeds();
        Map<Long, DirectStockRun.Result> results = runAll(seeds, DirectStockRun.ADVISER);
        Map<DirectStockRun.Ending, Integer> endings = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        results.forEach((seed, r) -> {
            endings.merge(r.ending(), 1, Integer::sum);
            if (r.ending() == DirectStockRun.Ending.BROKEN) {
                failures.add(SEEDS.describe(seed) + ", " + (DirectStockRun.flashback(seed) ? "flashback" : "resolve")
                        + ": " + r.text());
            }
        });
        failures.forEach(System.out::println);
        if (!failures.isEmpty()) {
            long first = Long.parseLong(failures.get(0).split(" ")[1]);
            System.out.println(shrink(first));
        }
        assertThat(results).hasSize(seeds.size());
        assertThat(failures).as("failing seeds (replay this run: %s)", SEEDS.replayRun()).isEmpty();
        if (seeds.size() >= 100) { // not for a seed replayed alone, which may rightly end in a diagnosis
            assertThat(endings.getOrDefault(DirectStockRun.Ending.RECOVERED, 0)).as("histories recovered and checked")
                    .isGreaterThan(seeds.size() * 9 / 10); // a fast path that mostly stops early would check nothing
        }
    }

    /**
     * Every seed's run, on half the cores (surefire runs another test class in a second JVM beside this one, some of
     * them bounded in wall time); prints the count, the endings and the time.
     */
    static Map<Long, DirectStockRun.Result> runAll(List<Long> seeds, DirectStockRun.StockPlanner planner) throws Exception {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<Long, DirectStockRun.Result> out = new TreeMap<>();
        long t0 = System.nanoTime();
        try {
            List<Future<DirectStockRun.Result>> fs = new ArrayList<>();
            for (long seed : seeds) {
                fs.add(pool.submit(() -> run(seed, planner)));
            }
            for (int i = 0; i < seeds.size(); i++) {
                out.put(seeds.get(i), fs.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<DirectStockRun.Ending, Integer> endings = new TreeMap<>();
        out.values().forEach(r -> endings.merge(r.ending(), 1, Integer::sum));
        System.out.printf(Locale.ROOT, "random stock histories (direct): %d in %.1f s on %d threads (%.2f ms each, wall): %s%n",
                out.size(), secs, threads, secs * 1000 / Math.max(1, out.size()), endings);
        return out;
    }

    static DirectStockRun.Result run(long seed, DirectStockRun.StockPlanner planner) {
        return run(seed, planner, OPTIONS);
    }

    /**
     * The default rates, drawn against regions elected before the first draw (the default since issue 14, session 9:
     * merges and peer moves drawn from the first step, {@code RandomHistory.Options#withFirstElections});
     * {@code -Dphybr.random.firstElections=false} draws as before. Their breaks so far were the mock's or the
     * checker's untruths, each fixed with a scenario: 83 "no leader" in 10,000 (merges PD and TiKV refuse,
     * {@code Cluster#mergeRefusal}), history 1113446058281858334 (a forced leader that never replicated to a voter
     * its applied AddPeer added, {@code RaftNet#settle}); 0 broken since in run seeds 1113446058281852475 and
     * 2081714741270035687 (10,000 each).
     */
    static final RandomHistory.Options OPTIONS = RandomHistory.Options.defaults();

    /** One seed's history drawn with {@code options}, run with {@code planner}. */
    static DirectStockRun.Result run(long seed, DirectStockRun.StockPlanner planner, RandomHistory.Options options) {
        try {
            return DirectStockRun.run(RandomHistory.generateAndRun(seed, options).backup(), seed, planner);
        } catch (RuntimeException e) {
            return new DirectStockRun.Result(DirectStockRun.Ending.BROKEN, "the run broke: " + e);
        }
    }

    /** The failing history shrunk to a minimal scenario, written under target/shrunk/. */
    static String shrink(long seed) {
        try {
            Scenario s = RandomHistory.generate(seed, OPTIONS);
            Shrinker.Result r = new Shrinker(c -> {
                DirectStockRun.Result x = DirectStockRun.run(c, seed, DirectStockRun.ADVISER);
                return x.ending() == DirectStockRun.Ending.BROKEN;
            }, 200).shrink(s, "random history seed " + seed + " under protocol B (direct), finish "
                    + (DirectStockRun.flashback(seed) ? "flashback" : "resolve"));
            Path out = Path.of("target", "shrunk", "stock-direct-" + seed + ".scn").toAbsolutePath();
            Files.createDirectories(out.getParent());
            Files.writeString(out, r.scenario().render());
            return "shrunk to " + r.stepsAfter() + " steps in " + out + ":\n" + r.scenario().render();
        } catch (Exception | AssertionError e) {
            return "(shrinking failed: " + e + ")";
        }
    }
}
