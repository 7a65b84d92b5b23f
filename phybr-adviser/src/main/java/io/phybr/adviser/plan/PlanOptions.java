package io.phybr.adviser.plan;

import java.util.Objects;

/**
 * What the operator asked of the planner.
 *
 * @param policy      leader choice rule
 * @param protocol    the command set of the plan
 * @param acceptHoles plan even if the kept regions leave part of the key space uncovered
 *                    (data in the holes is lost; only on the operator's explicit request)
 */
public record PlanOptions(Policy policy, Protocol protocol, boolean acceptHoles) {
    public PlanOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(protocol, "protocol");
    }

    public static PlanOptions of(Policy policy) {
        return new PlanOptions(policy, Protocol.defaultFor(policy), false);
    }

    public PlanOptions withAcceptHoles(boolean accept) {
        return new PlanOptions(policy, protocol, accept);
    }
}
