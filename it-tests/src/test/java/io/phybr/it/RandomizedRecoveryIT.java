package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.rehearsal.OurAdviser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Seeded random histories through our adviser (in-process SeedAdviser) + the mock agents + the
 * checker. The base seed is fixed (CI is deterministic); {@code -Dphybr.random.seed=N} and
 * {@code -Dphybr.random.count=K} explore others. Every failing seed is printed so it can be replayed
 * with {@code phybr-rehearsal --seed N}.
 */
class RandomizedRecoveryIT {
    static final int COUNT = Integer.getInteger("phybr.random.count", 1000);
    static final long BASE = Long.getLong("phybr.random.seed", 20_261_125_000L);

    @Test
    void randomHistoriesAreAllRecovered() throws Exception {
        System.out.println("randomized recovery: " + COUNT + " histories, seeds " + BASE + ".." + (BASE + COUNT - 1));
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (long seed = BASE; seed < BASE + COUNT; seed++) {
                long s = seed;
                fs.add(pool.submit(() -> {
                    try (MockCluster cluster = MockCluster.random(s)) {
                        Rehearsal.Result r = Rehearsal.run(cluster, OurAdviser.inProcess(), Duration.ofSeconds(30));
                        if (!r.verdict().pass()) {
                            failures.add("seed " + s + " (replay: phybr-rehearsal --seed " + s + "):\n" + r.verdict());
                        }
                    } catch (Exception e) {
                        failures.add("seed " + s + " (replay: phybr-rehearsal --seed " + s + "): " + e);
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
        failures.forEach(System.out::println);
        assertThat(done.get()).isEqualTo(COUNT);
        assertThat(failures).as("failing seeds (base %d)", BASE).isEmpty();
        assertThat(MockCluster.openChannels()).isZero();
    }
}
