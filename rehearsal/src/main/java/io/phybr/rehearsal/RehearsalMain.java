package io.phybr.rehearsal;

import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.cli.AgentRun;
import io.phybr.mock.cli.ClusterSource;
import io.phybr.mock.cli.MockTikvMain;
import io.phybr.mock.replay.DumpReplay;
import io.phybr.mock.scenario.Scenario;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar phybr-rehearsal.jar [--scenario F | --seed N | --dump D]}: phybr's own
 * seed-protocol adviser in this process against the mock cluster, judged by the mock's checker. The
 * bridge between the two: the only code that sees both the adviser and the mock.
 */
@Command(name = "phybr-rehearsal", mixinStandardHelpOptions = true, version = "phybr-rehearsal 0.1.0",
        description = {"Starts phybr's seed-protocol adviser in this process on an ephemeral loopback port, runs a"
                + " mock cluster's agents against it to the end, prints per-store progress and the checker's verdict.",
                "Without --scenario, --seed or --dump it runs the built-in scenario (lagging peers across a split and"
                        + " a merge). With --dump it replays a recorded run with the recorded policy and expects the"
                        + " recorded outcome and plan. Exit status: 0 PASS, 1 FAIL, 2 bad input, 3 internal error."})
public final class RehearsalMain implements Callable<Integer> {
    @Mixin
    ClusterSource source;

    @Option(names = "--in-process", description = "Use gRPC's in-process transport instead of loopback TCP.")
    boolean inProcess;

    @Option(names = "--save", paramLabel = "FILE", description = "Also write the scenario (e.g. of a seed) to FILE.")
    Path save;

    @Mixin
    AgentRun run;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = run.out();
        Scenario scenario = source.load(true);
        if (save != null) {
            Files.writeString(save, scenario.render());
        }
        out.println("rehearsal: scenario " + scenario.name() + ", stores " + scenario.stores() + ", expecting "
                + scenario.expectation().render().substring("expect ".length()));
        out.flush();
        Rehearsal.Result result;
        try (MockCluster c = MockCluster.fromScenario(scenario, source.seedOrZero())) {
            run.showProgress(c);
            UnaryOperator<SeedAdviser.Builder> options = source.replay().map(RehearsalMain::asRecorded)
                    .orElse(UnaryOperator.identity());
            result = source.judge(c, Rehearsal.run(c, inProcess ? OurAdviser.inProcess(options)
                    : OurAdviser.loopback(options), run.timeout()), out);
            run.printReports(c);
        }
        out.println("adviser: exit " + result.adviser().exitCode()
                + (result.adviser().diagnosis().isEmpty() ? "" : " - " + result.adviser().diagnosis()));
        out.println("verdict: " + result.verdict());
        out.flush();
        return result.verdict().pass() ? MockTikvMain.PASS : MockTikvMain.FAIL;
    }

    /** Configures our adviser the way a replayed run was recorded (policy, accept-holes). */
    static UnaryOperator<SeedAdviser.Builder> asRecorded(DumpReplay replay) {
        Policy policy = Policy.parse(replay.policy());
        return b -> b.policy(policy).acceptHoles(replay.acceptHoles());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code; never throws. */
    public static int run(String... args) {
        return MockTikvMain.execute("phybr-rehearsal", new RehearsalMain(), args);
    }
}
