package io.phybr.mock.stock;

import java.util.List;

/**
 * The state behind one mock stock-TiKV store. {@link RecoverDataService} turns the protocol into these
 * calls and applies TiKV's reporting rules itself (tombstone peers skipped, {@code peer_id} = largest
 * peer id, {@code commit_index} = 0), so a backend only answers for its data. The in-memory
 * {@link InMemoryStoreBackend} serves tests; a history-model cluster implements the same interface.
 *
 * <p>Calls may come from several gRPC threads at once; implementations must be thread-safe. Methods
 * that wait (campaigning, applying) may block; the service calls them off the transport threads.
 */
public interface StoreBackend {
    /** This store's id. */
    long storeId();

    /** Every peer on the store, tombstone ones included, in any order (a snapshot; called once per ReadRegionMeta). */
    List<LocalPeer> peers();

    /**
     * RecoverRegion {@code as_leader}: make this store's peer of the region campaign until it is leader,
     * and return once it has applied to its last index.
     *
     * @throws IllegalArgumentException the store holds no live peer of that region (answered as a store error)
     */
    void forceLeader(long regionId);

    /** WaitApply: return once every peer on this store has applied to its last index. */
    void applyAll();

    /**
     * ResolveKvData: delete every lock, and every write (with its default-CF value) whose commit_ts is greater than
     * {@code resolvedTs}. Call {@code progress} now and then (at least once at the end) with the running count of
     * deleted keys and the commit ts of the last key deleted.
     *
     * @return keys deleted in total
     */
    long resolve(long resolvedTs, ResolveProgress progress);

    /** Progress callback of {@link #resolve}. */
    @FunctionalInterface
    interface ResolveProgress {
        void report(long keysDeleted, long currentCommitTs);
    }

    /**
     * The store process restarts (a reboot fault): volatile state such as forced leadership is lost, what is on
     * disk stays. Default: nothing is volatile.
     */
    default void reboot() {
    }
}
