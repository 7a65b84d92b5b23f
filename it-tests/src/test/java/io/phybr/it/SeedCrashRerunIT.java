package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.phybr.mock.MockCluster;
import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14, protocol A: SIGKILL of the real {@code serve} at its phase boundaries with seed agents, then a rerun
 * with the same stores — holding whatever they applied — reporting afresh; the checker must pass. The boundary is
 * found through the run's own recording (reports.jsonl grows as reports arrive, plan.jsonl appears once the plan
 * is made) and held there for the first run only by an agent fault: a store that never shows up (collect), or
 * one that applies and never closes (the close barrier).
 */
class SeedCrashRerunIT {
    enum Boundary {
        /** Stores 1 and 2 reported, store 3 not yet: nothing planned. */
        COLLECT,
        /** The plan is made and sent; store 3 applied it, stores 1 and 2 wait at the close barrier. */
        CLOSE_BARRIER
    }

    @TempDir
    Path tmp;

    private MockCluster mock;
    private AdviserProcess first;
    private AdviserProcess second;

    @AfterEach
    void tearDown() {
        for (AdviserProcess p : new AdviserProcess[] {first, second}) {
            if (p != null) {
                p.close();
            }
        }
        if (mock != null) {
            mock.close();
        }
        assertThat(MockCluster.openChannels()).as("agent channels left open").isZero();
    }

    @ParameterizedTest
    @EnumSource(Boundary.class)
    void aSigkilledServeThenARerunWithTheSameStoresRecovers(Boundary at) throws Exception {
        Scenario s = ScenarioParser.parse(Path.of(System.getProperty("phybr.scenarios.dir"), "lagging-peer-across-split.scn"))
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30));
        Fault hold = at == Boundary.COLLECT ? new Fault.Absent(3) : new Fault.NoClose(3);
        mock = MockCluster.fromScenario(s);
        Path run1 = tmp.resolve("runs/first");
        first = AdviserProcess.start(s, tmp, "--record", run1.toString());
        mock.startAgents(first.target(), s.withFaults(List.of(hold)));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> !first.alive()
                || (at == Boundary.COLLECT ? lines(run1.resolve("reports.jsonl")) > 0
                        : Files.exists(run1.resolve("plan.jsonl")) && mock.agentReports().containsKey(3L)));
        assertThat(first.alive()).as("serve held at %s:%n%s", at, first.log()).isTrue();
        first.kill();
        assertThat(mock.awaitCompletion(Duration.ofSeconds(30))).as("the first run's agents end").isTrue();
        if (at == Boundary.CLOSE_BARRIER) {
            assertThat(mock.receivedCommands(3)).as("store 3 applied the first run's plan").isNotEmpty();
        }

        second = AdviserProcess.start(s, tmp, "--record", tmp.resolve("runs/second").toString());
        mock.restartAgents(second.target(), s);
        AdviserResult outcome = second.awaitOutcome(Duration.ofSeconds(90));
        assertThat(mock.awaitCompletion(Duration.ofSeconds(30))).isTrue();
        Verdict v = mock.verdict(outcome);
        assertThat(outcome.exitCode()).as("rerun after a kill at %s: %s", at, outcome.diagnosis()).isZero();
        assertThat(v.pass()).as(v.toString()).isTrue();
    }

    private static long lines(Path f) throws java.io.IOException {
        if (!Files.exists(f)) {
            return 0;
        }
        try (var l = Files.lines(f)) {
            return l.count();
        }
    }
}
