package io.phybr.mock.cli;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.scenario.Scenario;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "agents", mixinStandardHelpOptions = true,
        description = {"Replays a scenario's stores as seed-protocol agents against an adviser that is already"
                + " running (ours or another implementation), then judges the outcome from what the agents saw."
                + " With --ca (and --cert/--key) the agents dial it over TLS, as to a phybr serve --ca --cert --key.",
                "The adviser's own exit status is unknown here: success is inferred when every agent was told to"
                        + " exit, a refusal from FAILED_PRECONDITION answers. Exit status: 0 PASS, 1 FAIL."})
final class AgentsCommand implements Callable<Integer> {
    @Option(names = "--adviser", required = true, paramLabel = "HOST:PORT", description = "The adviser to dial.")
    String adviser;

    @Mixin
    ClusterSource source;

    @Mixin
    AgentRun run;

    @Mixin
    AgentTlsOptions tls;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = run.out();
        if (!adviser.matches("[^\\s:]+:\\d{1,5}")) {
            throw new IllegalArgumentException("--adviser '" + adviser + "' is not HOST:PORT");
        }
        Optional<SslContext> clientTls = tls.clientContext();
        Scenario scenario = source.load(false);
        try (MockCluster cluster = MockCluster.fromScenario(scenario, source.seedOrZero())) {
            clientTls.ifPresent(cluster::agentTls);
            run.showProgress(cluster);
            cluster.startAgents(adviser);
            if (!cluster.awaitCompletion(run.timeout())) {
                out.println("verdict: FAIL: the agents did not finish within " + run.timeout().toSeconds() + "s");
                return MockTikvMain.FAIL;
            }
            run.printReports(cluster);
            AdviserResult inferred = cluster.inferAdviserResult();
            Verdict v = source.judge(cluster, new Rehearsal.Result(cluster.verdict(inferred), inferred), out).verdict();
            out.println("verdict: " + v);
            return v.pass() ? MockTikvMain.PASS : MockTikvMain.FAIL;
        }
    }
}
