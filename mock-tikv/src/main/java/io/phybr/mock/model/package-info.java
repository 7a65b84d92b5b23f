/**
 * The model of a TiKV cluster's history: Raft groups with logs, terms, hard state, commit and applied
 * per replica, and the store images a volume snapshot leaves. For tests, read-only:
 * {@link io.phybr.mock.model.Backup} (a history's restored state and what must survive),
 * {@link io.phybr.mock.model.StoreImage}, {@link io.phybr.mock.model.Peer}, {@link io.phybr.mock.model.Keys}.
 * The rest ({@code Cluster}, {@code Group}, {@code Replication}, {@code Elections}, {@code Lag}) is the
 * model's machinery, driven by {@link io.phybr.mock.history.Step}; its fields are public for the
 * checker and the stores of this module, not for tests to change.
 */
package io.phybr.mock.model;
