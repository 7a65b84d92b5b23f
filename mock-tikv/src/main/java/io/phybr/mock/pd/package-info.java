/**
 * The mock PD (HTTP API of tikv/pd): {@link io.phybr.mock.pd.MockPd} (start, script, inspect with
 * {@link io.phybr.mock.pd.PdState}; a {@link io.phybr.mock.pd.ManualClock} for TTLs),
 * {@link io.phybr.mock.pd.PdCall}, the calls it records, and {@link io.phybr.mock.pd.KeyCodec}, the key encoding
 * PD's region answers use. {@code PdModel} and its parts are the state machine behind it (package-private);
 * {@code RegionHeartbeat} is public only for the mock stores that send it.
 */
package io.phybr.mock.pd;
