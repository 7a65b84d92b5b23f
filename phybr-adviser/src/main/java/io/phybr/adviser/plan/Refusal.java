package io.phybr.adviser.plan;

import java.util.List;

/**
 * No safe plan exists: the input is malformed, or the kept regions would leave keys uncovered.
 *
 * @param kind     why
 * @param message  one paragraph for the operator, naming stores, regions and ranges
 * @param problems one line per problem, in a deterministic order
 */
public record Refusal(Kind kind, String message, List<String> problems) implements PlanOutcome {
    public enum Kind {
        /** A report is invalid: bad range, duplicate region on a store, a value out of range. */
        MALFORMED,
        /** The surviving regions do not cover the whole key space; planning would lose data. */
        HOLE
    }

    public Refusal {
        problems = List.copyOf(problems);
    }
}
