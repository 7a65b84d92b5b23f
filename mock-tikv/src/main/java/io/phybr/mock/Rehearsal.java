package io.phybr.mock;

import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.scenario.Scenario;
import java.time.Duration;

/**
 * One recovery rehearsal: start an adviser for the scenario, run the mock cluster's agents against
 * it to the end, and judge the outcome. The adviser is pluggable: ours in-process, the real jar as
 * a process, or a test double.
 */
public final class Rehearsal {

    /** Starts an adviser that expects the scenario's stores. */
    @FunctionalInterface
    public interface AdviserLauncher {
        RunningAdviser start(Scenario scenario) throws Exception;
    }

    /** A started adviser. */
    public interface RunningAdviser extends AutoCloseable {
        /** Where agents dial: {@code host:port} or {@code inproc:NAME}. */
        String target();

        /** Blocks until the adviser ends; its exit status and diagnosis. */
        AdviserResult awaitOutcome(Duration timeout) throws Exception;

        @Override
        void close();
    }

    /** The verdict and the adviser's result of one rehearsal. */
    public record Result(Verdict verdict, AdviserResult adviser) {
    }

    private Rehearsal() {
    }

    /** Runs {@code cluster} against a fresh adviser from {@code launcher}; closes the adviser, not the cluster. */
    public static Result run(MockCluster cluster, AdviserLauncher launcher, Duration timeout) throws Exception {
        try (RunningAdviser adviser = launcher.start(cluster.scenario())) {
            cluster.startAgents(adviser.target());
            AdviserResult outcome = adviser.awaitOutcome(timeout);
            if (!cluster.awaitCompletion(timeout)) {
                throw new IllegalStateException("the agents of scenario " + cluster.scenario().name()
                        + " did not finish within " + timeout + " after the adviser ended");
            }
            return new Result(cluster.verdict(outcome), outcome);
        }
    }
}
