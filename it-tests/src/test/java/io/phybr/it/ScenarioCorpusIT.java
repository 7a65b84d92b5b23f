package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scenario of the corpus against the real adviser jar ({@code phybr serve}) as a separate
 * process, with the mock cluster's agents dialling it over loopback: the checker's verdict must be
 * PASS, the process exit status the one the scenario expects, and the plan what its {@code expect plan} lines say.
 */
class ScenarioCorpusIT {
    static final Path DIR = Path.of(System.getProperty("phybr.scenarios.dir", "../mock-tikv/scenarios"));

    @TempDir
    Path work;

    static Stream<Path> corpus() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            // a model-only scenario (about the mock or the adviser's library) stays out: a jar per scenario is costly
            return s.filter(p -> p.toString().endsWith(".scn")).sorted()
                    .filter(p -> ScenarioParser.parse(p).modelOnly() == null).toList().stream();
        }
    }

    @AfterEach
    void noLeaks() {
        assertThat(MockCluster.openChannels()).as("channels left open").isZero();
    }

    @Test
    void theCorpusIsThere() throws IOException {
        assertThat(AdviserProcess.JAR).exists();
        assertThat(corpus().count()).isGreaterThanOrEqualTo(25);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void realAdviserJarRecoversOrRefusesAsExpected(Path file) throws Exception {
        Scenario parsed = ScenarioParser.parse(file);
        assumeTrue(parsed.knownIssue() == null, () -> "known issue: " + parsed.knownIssue());
        Scenario s = parsed; // its own timeouts: 10 s by default, 2 s where it tests them
        try (MockCluster cluster = MockCluster.fromScenario(s)) {
            Rehearsal.Result r = Rehearsal.run(cluster, AdviserProcess.launcher(work), Duration.ofSeconds(60));
            assertThat(r.verdict().pass()).as("scenario %s:%n%s", s.name(), r.verdict()).isTrue();
            assertThat(r.adviser().exitCode()).as("exit status of phybr serve for %s", s.name())
                    .isEqualTo(s.expectation().outcome().exitCode);
            assertThat(io.phybr.mock.check.PlanFactCheck.seed(s, cluster)).as("%s: the plan facts (SPEC §4)", s.name())
                    .isEmpty();
        }
    }
}
