package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The corpus against phybr's own SeedAdviser, in-process: the checker's verdict and the scenario's plan facts. */
class OurAdviserCorpusTest {

    static java.util.stream.Stream<Path> corpus() throws java.io.IOException {
        return Corpus.files();
    }

    @AfterEach
    void noLeaks() {
        assertThat(MockCluster.openChannels()).as("channels left open").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void passes(Path file) throws Exception {
        Scenario s = ScenarioParser.parse(file);
        org.junit.jupiter.api.Assumptions.assumeTrue(s.knownIssue() == null, () -> "known issue: " + s.knownIssue());
        try (MockCluster cluster = MockCluster.fromScenario(s)) {
            Rehearsal.Result r = Rehearsal.run(cluster, OurAdviser.inProcess(), Duration.ofSeconds(30));
            assertThat(r.verdict().pass()).as("%s", r.verdict()).isTrue();
            // issue 14: where SPEC §4 pins the plan, the scenario says so; a safe plan that breaks a rule fails here
            assertThat(io.phybr.mock.check.PlanFactCheck.seed(s, cluster)).as("%s: the plan facts", s.name()).isEmpty();
        }
    }
}
