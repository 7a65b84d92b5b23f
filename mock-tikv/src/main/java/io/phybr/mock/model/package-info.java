/**
 * The model of a TiKV cluster's history: Raft groups with logs, terms, hard state, commit and applied
 * per replica, and the store images a volume snapshot leaves. For tests, read-only:
 * {@link io.phybr.mock.model.Backup} (a history's restored state and what must survive: its
 * {@link io.phybr.mock.model.Write}s and committed {@link io.phybr.mock.model.Group}s),
 * {@link io.phybr.mock.model.StoreImage}, {@link io.phybr.mock.model.Peer} (and its
 * {@link io.phybr.mock.model.Entry}s), {@link io.phybr.mock.model.Keys}, {@link io.phybr.mock.model.BrBackupMeta},
 * and a stock store's {@link io.phybr.mock.model.FlashbackLedger} (what a flashback left; {@code StoreBackend.ledger()}).
 * A history that cannot happen throws {@link io.phybr.mock.model.ModelException}.
 * The rest is the model's machinery: {@code Cluster} and {@code Lag} (driven by {@link io.phybr.mock.history.Step}),
 * {@code RecoveryRaft} (run by the stock stores' Raft network) are public only for those packages
 * (their javadoc opens with "Internal"; {@code PublicApiTest} keeps other modules off them); {@code Replication},
 * {@code Elections} and the others are package-private.
 */
package io.phybr.mock.model;
