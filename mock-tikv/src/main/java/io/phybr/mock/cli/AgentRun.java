package io.phybr.mock.cli;

import io.phybr.mock.MockCluster;
import io.phybr.mock.agent.AgentReport;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How a command that runs a mock cluster's agents to the end shows the run: its {@code --timeout}, each
 * agent's progress as it happens and their reports at the end. A picocli mixin shared by {@code agents} and by
 * the rehearsal's command line, so both print a run the same way.
 */
public final class AgentRun {
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Give up after this many seconds (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The command's standard output. */
    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** How long the whole run may take. */
    public Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** Prints every agent's progress line as {@code [store S] ...} while the run goes (lines never interleave). */
    public void showProgress(MockCluster cluster) {
        PrintWriter out = out();
        cluster.onProgress((store, msg) -> {
            synchronized (out) {
                out.println("  [store " + store + "] " + msg);
                out.flush();
            }
        });
    }

    /** Prints each agent's one-line summary of what it sent and got. */
    public void printReports(MockCluster cluster) {
        PrintWriter out = out();
        for (AgentReport r : cluster.agentReports().values()) {
            out.println("  " + r.summary());
        }
    }
}
