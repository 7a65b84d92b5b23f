/**
 * One step of a scripted history ({@link io.phybr.mock.history.Step}): what a {@code .scn} line means
 * to the model. Tests write scenarios, not steps.
 */
package io.phybr.mock.history;
