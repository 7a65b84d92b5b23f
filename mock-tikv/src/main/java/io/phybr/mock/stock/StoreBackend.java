package io.phybr.mock.stock;

import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import java.util.List;

/**
 * The disk of one mock stock-TiKV store: its replicas' Raft state ({@link #raft()}, run by the cluster's
 * {@link RaftNet}), what ReadRegionMeta reports of them, and its KV data for ResolveKvData.
 * {@link RecoverDataService} applies TiKV's reporting rules itself (tombstone peers skipped, {@code commit_index} 0).
 * The in-memory {@link InMemoryStoreBackend} serves tests; {@link ModelStoreBackend} serves a history's store.
 *
 * <p>Every access to the replicas holds the {@link RaftNet}'s lock (elections change replicas on several stores).
 */
public interface StoreBackend {
    /** This store's id. */
    long storeId();

    /**
     * The store's replicas with their logs, hard state and applied index, and its KV data; mutated by the
     * {@link RaftNet}. A backend may hold only the replicas the network touched so far (see {@link #raftPeer}).
     */
    StoreImage raft();

    /** The replica of {@code region} (tombstone or not), made on first use if the backend keeps it elsewhere; null if none. */
    default Peer raftPeer(long region) {
        return raft().peer(region);
    }

    /**
     * Why this store's TiKV does not start, or null: it then registers with PD and never answers, as a store with
     * {@link io.phybr.mock.fault.Fault.Absent} (see {@link StoreImage#bootFailure()}). Backends that cannot hold such a
     * state start.
     */
    default String bootFailure() {
        return null;
    }

    /**
     * What ReadRegionMeta reports of every peer, tombstone ones included (R1, R2: {@code last_log_term} is the
     * hard-state term, {@code last_index} the RaftLocalState's), in ascending region id.
     */
    List<LocalPeer> peers();

    /**
     * ResolveKvData (R11, {@code data_resolver.rs}): delete every lock, then every write (with its default-CF value)
     * whose commit_ts is greater than {@code resolvedTs}, telling {@code sink} one message for the locks and then one
     * per scanned batch of {@code scanBatch} write keys ({@link #SCAN_BATCH} in TiKV; fewer under
     * {@link io.phybr.mock.fault.Fault.ResolveBatch}) that deleted something (and always the last one). The lock
     * message always comes first here; the store's service sends the messages in an order TiKV's two racing workers
     * may produce ({@link ResolveWorkers}).
     */
    void resolve(long resolvedTs, int scanBatch, ResolveSink sink);

    /** {@link #resolve(long, int, ResolveSink)} in TiKV's batches of {@link #SCAN_BATCH} write keys. */
    default void resolve(long resolvedTs, ResolveSink sink) {
        resolve(resolvedTs, SCAN_BATCH, sink);
    }

    /** One MVCC entry of the store's user data: a committed write (its commit ts) or a lock (its start ts). */
    record Version(byte[] key, long ts) {
    }

    /**
     * The user writes this store holds with a key in {@code [start, end)} (the flashback's own are in {@link #ledger}).
     * The defaults (no data, no flashback) are for wrapping test backends; both real backends implement all four.
     */
    default List<Version> versions(byte[] start, byte[] end) {
        return List.of();
    }

    /** The user locks (not the flashback's) in {@code [start, end)}. */
    default List<Version> locks(byte[] start, byte[] end) {
        return List.of();
    }

    /** Rolls back one user lock ({@code rollback_lock}: the lock goes, its transaction never commits). */
    default void rollbackLock(byte[] key, long ts) {
    }

    /**
     * A Raft snapshot of {@code leader}'s replica of {@code region} was just installed here ({@code follower}, its
     * range now the leader's; it covered {@code [oldStart, oldEnd)} before): the KV data over the old and the new
     * range is replaced by the leader store's over the new range (raftstore {@code peer_storage.rs
     * clear_extra_data}, {@code worker/region.rs apply_snap}: the region's range is cleaned, the snapshot's data
     * ingested). The default keeps no data (wrapping test backends, the in-memory stores' replicas keep no log).
     */
    default void installSnapshotData(StoreBackend leader, Peer follower, byte[] oldStart, byte[] oldEnd) {
    }

    /** What flashbacks wrote on this store (survives a restart: it is on disk); null: this backend has none. */
    default io.phybr.mock.model.FlashbackLedger ledger() {
        return null;
    }

    /** Write-CF keys per scanned batch: TiKV's {@code BATCH_SIZE_LIMIT}. */
    int SCAN_BATCH = 1024 * 1024;

    /** One ResolveKvData message: keys deleted by this message's step (not a running total), and its largest ts. */
    @FunctionalInterface
    interface ResolveSink {
        void message(long keysDeleted, long maxCommitTs);
    }

    /**
     * Resolves a store's write CF in TiKV's batches: {@code commitTs} holds every write key's commit ts in scan order;
     * {@code delete} removes key {@code i}.
     */
    static void resolveWrites(long[] commitTs, long resolvedTs, int scanBatch, java.util.function.IntConsumer delete,
                              ResolveSink sink) {
        int i = 0;
        do {
            int end = (int) Math.min(commitTs.length, (long) i + scanBatch);
            long n = 0;
            long max = 0;
            for (; i < end; i++) {
                if (commitTs[i] > resolvedTs) {
                    delete.accept(i);
                    n++;
                    max = Math.max(max, commitTs[i]);
                }
            }
            if (n > 0 || i >= commitTs.length) {
                sink.message(n, max);
            }
        } while (i < commitTs.length);
    }
}
