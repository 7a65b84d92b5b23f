package io.phybr.mock.cli;

import io.phybr.mock.MockCluster;
import io.phybr.mock.OurAdviser;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.agent.AgentReport;
import io.phybr.mock.scenario.Scenario;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rehearse", mixinStandardHelpOptions = true,
        description = {"Starts phybr's seed-protocol adviser in this process on an ephemeral loopback port, runs a"
                + " mock cluster's agents against it to the end, prints per-store progress and the checker's verdict.",
                "Without --scenario or --seed it runs the built-in scenario (lagging peers across a split and a"
                        + " merge). Exit status: 0 PASS, 1 FAIL, 2 bad input."})
final class RehearseCommand implements Callable<Integer> {
    @Mixin
    ClusterSource source;

    @Option(names = "--in-process", description = "Use gRPC's in-process transport instead of loopback TCP.")
    boolean inProcess;

    @Option(names = "--save", paramLabel = "FILE", description = "Also write the scenario (e.g. of a seed) to FILE.")
    Path save;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Give up after this many seconds (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Scenario scenario = source.load(true);
        if (save != null) {
            Files.writeString(save, scenario.render());
        }
        out.println("rehearsal: scenario " + scenario.name() + ", stores " + scenario.stores() + ", expecting "
                + scenario.expectation().render().substring("expect ".length()));
        out.flush();
        Rehearsal.Result result;
        try (MockCluster c = MockCluster.fromScenario(scenario, source.seedOrZero())) {
            c.onProgress((store, msg) -> {
                synchronized (out) {
                    out.println("  [store " + store + "] " + msg);
                    out.flush();
                }
            });
            result = source.judge(c, Rehearsal.run(c, inProcess ? OurAdviser.inProcess(source.adviserOptions())
                    : OurAdviser.loopback(source.adviserOptions()), Duration.ofSeconds(timeoutSeconds)), out);
            for (AgentReport r : c.agentReports().values()) {
                out.println("  " + r.summary());
            }
        }
        out.println("adviser: exit " + result.adviser().exitCode()
                + (result.adviser().diagnosis().isEmpty() ? "" : " - " + result.adviser().diagnosis()));
        out.println("verdict: " + result.verdict());
        out.flush();
        return result.verdict().pass() ? MockTikvMain.PASS : MockTikvMain.FAIL;
    }
}
