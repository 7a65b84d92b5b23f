package io.phybr.adviser.plan;

/** What the planner returns: a plan that is safe to send, or the reason no such plan exists. */
public sealed interface PlanOutcome permits Plan, Refusal {
}
