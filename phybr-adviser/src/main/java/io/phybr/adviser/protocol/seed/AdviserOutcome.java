package io.phybr.adviser.protocol.seed;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.plan.Plan;
import java.util.Objects;
import java.util.Optional;

/**
 * How a seed-protocol adviser session ended.
 *
 * @param exitCode  OK, REFUSED, TIMEOUT, FAILURE (or INTERNAL on a bug)
 * @param verdict   one line for the log and the operator
 * @param diagnosis one paragraph explaining a non-OK end (which stores, regions, ranges); empty on OK
 * @param plan      the plan, once one was made (present on OK, and on a close timeout or store failure
 *                  after commands were sent; absent when nothing was sent)
 */
public record AdviserOutcome(ExitCode exitCode, String verdict, Optional<String> diagnosis, Optional<Plan> plan) {
    public AdviserOutcome {
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(diagnosis, "diagnosis");
        Objects.requireNonNull(plan, "plan");
    }

    public boolean ok() {
        return exitCode == ExitCode.OK;
    }
}
