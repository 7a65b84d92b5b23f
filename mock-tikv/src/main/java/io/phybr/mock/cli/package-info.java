/**
 * The {@code mock-tikv} command line ({@link io.phybr.mock.cli.MockTikvMain}: {@code agents},
 * {@code dump}, {@code scenario}, {@code stores}). {@link io.phybr.mock.cli.ClusterSource} is public
 * only for the rehearsal module's command line, which shares its options.
 */
package io.phybr.mock.cli;
