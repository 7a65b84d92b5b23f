/**
 * The checker: judges a recovery from the model's true history ({@link io.phybr.mock.check.Checker}),
 * with the adviser's exit status and diagnosis as an {@link io.phybr.mock.check.AdviserResult}, into a
 * {@link io.phybr.mock.check.Verdict} that carries a replayable dump on failure. It never asks a planner.
 */
package io.phybr.mock.check;
