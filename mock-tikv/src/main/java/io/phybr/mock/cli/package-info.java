/**
 * The {@code mock-tikv} command line ({@link io.phybr.mock.cli.MockTikvMain}: {@code agents},
 * {@code dump}, {@code scenario}, {@code stores}). {@link io.phybr.mock.cli.ClusterSource} and
 * {@link io.phybr.mock.cli.AgentRun} are public for the rehearsal module's command line, which shares their options.
 */
package io.phybr.mock.cli;
