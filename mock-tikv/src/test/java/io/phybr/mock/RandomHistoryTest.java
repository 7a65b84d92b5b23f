package io.phybr.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.fake.FakeSeedAdviser;
import io.phybr.mock.fake.TestPlanners;
import io.phybr.mock.check.Checker;
import io.phybr.mock.gen.RandomHistory;
import io.phybr.mock.model.Backup;
import io.phybr.mock.scenario.Scenario;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Random histories: recoverable by construction, and recovered by a seed-policy adviser. */
class RandomHistoryTest {
    static final long BASE = Long.getLong("phybr.random.base", 20261125L);

    @AfterEach
    void noLeaks() {
        assertThat(MockCluster.openChannels()).isZero();
    }

    @Test
    void historiesNeverLoseDataByThemselves() {
        for (long seed = BASE; seed < BASE + 500; seed++) {
            Scenario s = RandomHistory.generate(seed, RandomHistory.Options.defaults());
            Backup b = s.run();
            Set<Long> all = new TreeSet<>(s.stores());
            assertThat(Checker.historyLoss(b, all)).as("seed %d%n%s", seed, s.render()).isEmpty();
        }
    }

    @Test
    void theBrokenPlannerFailsManyRandomHistories() throws Exception {
        int failed = 0;
        int n = 40;
        for (long seed = BASE; seed < BASE + n; seed++) {
            try (MockCluster cluster = MockCluster.random(seed)) {
                Rehearsal.Result r = Rehearsal.run(cluster, FakeSeedAdviser.launcher(TestPlanners.lowestApplied()),
                        Duration.ofSeconds(30));
                if (!r.verdict().pass()) {
                    failed++;
                    assertThat(r.verdict().details()).contains("== seed " + seed);
                }
            }
        }
        assertThat(failed).as("random histories the lowest-applied planner got wrong").isGreaterThan(n / 4);
    }
}
