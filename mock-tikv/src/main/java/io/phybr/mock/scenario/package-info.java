/**
 * Scenario files ({@code mock-tikv/scenarios/*.scn}, grammar in {@code mock-tikv/README.md}):
 * {@link io.phybr.mock.scenario.ScenarioParser} reads them into a {@link io.phybr.mock.scenario.Scenario}
 * whose {@link io.phybr.mock.scenario.Expectation} says what the adviser must do.
 */
package io.phybr.mock.scenario;
