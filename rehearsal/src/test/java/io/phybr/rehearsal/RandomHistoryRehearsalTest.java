package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Random histories (the mock's generator, seeded) recovered by phybr's own adviser, in-process. */
class RandomHistoryRehearsalTest {
    static final long BASE = Long.getLong("phybr.random.base", 20261125L);

    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.range(BASE, BASE + 60);
    }

    @AfterEach
    void noLeaks() {
        assertThat(MockCluster.openChannels()).isZero();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void recoveredByOurAdviser(long seed) throws Exception {
        try (MockCluster cluster = MockCluster.random(seed)) {
            Rehearsal.Result r = Rehearsal.run(cluster, OurAdviser.inProcess(), Duration.ofSeconds(30));
            assertThat(r.verdict().pass()).as("seed %d (replay: phybr-rehearsal --seed %d):%n%s", seed, seed,
                    r.verdict()).isTrue();
        }
    }
}
