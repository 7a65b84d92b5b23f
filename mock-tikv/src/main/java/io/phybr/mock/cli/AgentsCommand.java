package io.phybr.mock.cli;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.agent.AgentReport;
import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.scenario.Scenario;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "agents", mixinStandardHelpOptions = true,
        description = {"Replays a scenario's stores as seed-protocol agents against an adviser that is already"
                + " running (ours or another implementation), then judges the outcome from what the agents saw.",
                "The adviser's own exit status is unknown here: success is inferred when every agent was told to"
                        + " exit, a refusal from FAILED_PRECONDITION answers. Exit status: 0 PASS, 1 FAIL."})
final class AgentsCommand implements Callable<Integer> {
    @Option(names = "--adviser", required = true, paramLabel = "HOST:PORT", description = "The adviser to dial.")
    String adviser;

    @Mixin
    ClusterSource source;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Give up after this many seconds (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!adviser.matches("[^\\s:]+:\\d{1,5}")) {
            throw new IllegalArgumentException("--adviser '" + adviser + "' is not HOST:PORT");
        }
        Scenario scenario = source.load(false);
        try (MockCluster cluster = MockCluster.fromScenario(scenario, source.seedOrZero())) {
            cluster.onProgress((store, msg) -> {
                synchronized (out) {
                    out.println("  [store " + store + "] " + msg);
                    out.flush();
                }
            });
            cluster.startAgents(adviser);
            if (!cluster.awaitCompletion(Duration.ofSeconds(timeoutSeconds))) {
                out.println("verdict: FAIL: the agents did not finish within " + timeoutSeconds + "s");
                return MockTikvMain.FAIL;
            }
            for (AgentReport r : cluster.agentReports().values()) {
                out.println("  " + r.summary());
            }
            AdviserResult inferred = cluster.inferAdviserResult();
            Verdict v = source.judge(cluster, new Rehearsal.Result(cluster.verdict(inferred), inferred), out).verdict();
            out.println("verdict: " + v);
            return v.pass() ? MockTikvMain.PASS : MockTikvMain.FAIL;
        }
    }
}
