package io.phybr.adviser.protocol.seed;

import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.ReplicaTable;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Test-only bridge to {@link SeedAdviser.Builder}'s package-private planner seam, for the rehearsal's mutation test
 * ({@code SeedMutatedPlannerTest}): lives in the adviser's package on the test classpath so that the production
 * surface stays unchanged.
 */
public final class SeedPlannerSeam {
    private SeedPlannerSeam() {
    }

    /** A builder configuration that makes the adviser plan with {@code planner} instead of {@code Planner.plan}. */
    public static UnaryOperator<SeedAdviser.Builder> planWith(BiFunction<ReplicaTable, PlanOptions, PlanOutcome> planner) {
        return b -> b.planMaker(planner::apply);
    }
}
