/**
 * The mock PD (HTTP API of tikv/pd): {@link io.phybr.mock.pd.MockPd} (start, script, inspect with
 * {@link io.phybr.mock.pd.PdState}; heartbeats as {@link io.phybr.mock.pd.RegionHeartbeat}; a
 * {@link io.phybr.mock.pd.ManualClock} for TTLs) and {@link io.phybr.mock.pd.PdCall}, the calls it
 * records. {@code PdModel} and its parts are the state machine behind it.
 */
package io.phybr.mock.pd;
