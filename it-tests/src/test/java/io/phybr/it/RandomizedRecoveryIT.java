package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.gen.RandomHistory;
import io.phybr.mock.gen.SeedPlan;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.shrink.Shrinker;
import io.phybr.rehearsal.OurAdviser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Seeded random histories through our adviser (in-process SeedAdviser) + the mock agents + the checker: 10,000
 * per CI run, {@link #SEEDS} ({@code SeedPlan}): a fixed corpus of 1,000 seeds, a fixed batch of 8,800 from a fixed run
 * seed, and a fresh batch of 200 drawn for this run from a printed fresh seed ({@code -Dphybr.random.fresh=K}; sized by
 * a hunt of 20,000 fresh histories, 0 failed: fresh seed 3472445093429169198, session 9). Any failing seed is printed with its replay
 * flags ({@code -Dphybr.random.only=N}, or {@code phybr-rehearsal --seed N}) and shrunk to a minimal scenario written
 * under {@code target/shrunk/}.
 *
 * <p>A whole run replays with {@code -Dphybr.random.freshSeed=F} (printed). {@code -Dphybr.random.count=K} sets the
 * corpus size, {@code -Dphybr.random.batch=K} the fixed batch's, {@code -Dphybr.random.fresh=K} the fresh one's,
 * {@code -Dphybr.random.runSeed=R|random} another fixed batch. A million fresh (README):
 * {@code mvn -B -pl it-tests -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=RandomizedRecoveryIT -Dphybr.random.count=0 -Dphybr.random.batch=0 -Dphybr.random.fresh=1000000}.
 */
class RandomizedRecoveryIT {
    static final long BASE = Long.getLong("phybr.random.seed", 20_261_125_000L);
    /** Corpus 1,000 + fixed batch 8,800 + fresh 200 = 10,000 per run (the fresh share: a hundredth of its hunt). */
    static final SeedPlan SEEDS = SeedPlan.builder("randomized recovery", "phybr.random")
            .corpus(1000, i -> BASE + i).fixedBatch(2_026_112_820_000L, 8_800).fresh(200).build();
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Failing seeds shrunk (each may take a few hundred rehearsals); the rest are only listed. */
    static final int SHRINK_AT_MOST = 2;

    @Test
    void randomHistoriesAreAllRecovered() throws Exception {
        System.out.println(SEEDS.banner());
        TreeMap<Long, String> failures = new TreeMap<>();
        AtomicInteger done = new AtomicInteger();
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            List<Long> seeds = SEEDS.seeds();
            for (long seed : seeds) {
                fs.add(pool.submit(() -> {
                    String bad = failure(RandomHistory.generate(seed, RandomHistory.Options.defaults()), seed);
                    if (bad != null) {
                        synchronized (failures) {
                            failures.put(seed, bad);
                        }
                    }
                    done.incrementAndGet();
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "randomized recovery: %d histories in %.1f s on %d threads (%.2f ms each, wall)"
                + ", %d failed%n", done.get(), secs, threads, secs * 1000 / Math.max(1, done.get()), failures.size());
        List<String> report = new ArrayList<>();
        int shrunk = 0;
        for (var e : failures.entrySet()) {
            String line = SEEDS.describe(e.getKey()) + " (or phybr-rehearsal --seed " + e.getKey() + "):\n" + e.getValue();
            if (shrunk++ < SHRINK_AT_MOST) {
                line += "\n" + shrink(e.getKey());
            }
            report.add(line);
        }
        report.forEach(System.out::println);
        assertThat(done.get()).isEqualTo(SEEDS.total());
        assertThat(report).as("failing seeds (replay this run: %s)", SEEDS.replayRun()).isEmpty();
        assertThat(MockCluster.openChannels()).isZero();
    }

    /** Null when our adviser recovers the history and the checker passes it; else why not. */
    static String failure(Scenario s, long seed) {
        try (MockCluster cluster = MockCluster.fromScenario(s, seed)) {
            Rehearsal.Result r = Rehearsal.run(cluster, OurAdviser.inProcess(), TIMEOUT);
            return r.verdict().pass() ? null : r.verdict().toString();
        } catch (Exception e) {
            return "the rehearsal broke: " + e;
        }
    }

    /** The failing history shrunk to a minimal scenario, written under target/shrunk/. */
    static String shrink(long seed) {
        try {
            Scenario s = RandomHistory.generate(seed, RandomHistory.Options.defaults());
            Shrinker.Result r = new Shrinker(c -> failure(c, seed) != null, 1_000).shrink(s, "random history seed " + seed);
            Path out = Path.of("target", "shrunk", "random-" + seed + ".scn").toAbsolutePath();
            Files.createDirectories(out.getParent());
            Files.writeString(out, r.scenario().render());
            return "shrunk to " + r.stepsAfter() + " steps in " + out + " (replay: phybr-rehearsal --scenario " + out
                    + "):\n" + r.scenario().render();
        } catch (Exception | AssertionError e) {
            return "(shrinking failed: " + e + ")";
        }
    }
}
