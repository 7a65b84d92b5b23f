package io.phybr.contract.dump;

import java.util.Arrays;

/**
 * The columns every replica row has, wherever rows are kept column by column: the dump reader's blocks
 * ({@link ReplicaBatch}) and the adviser's table of every store's reports. One row layout and one set of accessors
 * for both, so the two cannot drift apart; each subclass adds its own flag and key columns and says how it grows.
 * Seed rows keep applied_index and term in {@code index} and {@code term}; stock rows last_index and last_log_term.
 */
public abstract class ReplicaColumns {
    protected int size;
    protected long[] store;
    protected long[] region;
    protected long[] index;
    protected long[] term;
    protected long[] version;
    /**
     * peer_id and commit_index: null until a row brings either (a stock row; seed rows have neither), and every row
     * before it then reads 0. A seed dump's table is 16 bytes a replica smaller: 480 MB less heap to allocate,
     * zero and copy into at 30M replicas.
     */
    protected long[] peer;
    protected long[] commit;

    protected ReplicaColumns(int capacity) {
        store = new long[capacity];
        region = new long[capacity];
        index = new long[capacity];
        term = new long[capacity];
        version = new long[capacity];
    }

    /** Makes room for at least one more row (through {@link #resizeColumns} and the subclass's own columns). */
    protected abstract void grow();

    /** Sets the shared columns of the next row, growing first if full; returns the row's index. */
    protected final int addRow(long s, long r, long p, long idx, long t, long c, long v) {
        if (size == store.length) {
            grow();
        }
        int i = size++;
        store[i] = s;
        region[i] = r;
        index[i] = idx;
        term[i] = t;
        version[i] = v;
        if (peer != null || (p | c) != 0) {
            stockColumns();
            peer[i] = p; // written even when 0: a reused batch may hold an older row's value here
            commit[i] = c;
        }
        return i;
    }

    /** Allocates the peer_id and commit_index columns (0 for every row so far) unless they are there. */
    protected final void stockColumns() {
        if (peer == null) {
            peer = new long[store.length];
            commit = new long[store.length];
        }
    }

    /** Whether any row so far brought a peer_id or commit_index (else both read 0 for every row). */
    public final boolean hasStockColumns() {
        return peer != null;
    }

    /** Resizes the shared columns to {@code capacity} rows. */
    protected final void resizeColumns(int capacity) {
        store = Arrays.copyOf(store, capacity);
        region = Arrays.copyOf(region, capacity);
        index = Arrays.copyOf(index, capacity);
        term = Arrays.copyOf(term, capacity);
        version = Arrays.copyOf(version, capacity);
        if (peer != null) {
            peer = Arrays.copyOf(peer, capacity);
            commit = Arrays.copyOf(commit, capacity);
        }
    }

    public final int size() {
        return size;
    }

    public final long store(int i) { return store[i]; }
    public final long regionId(int i) { return region[i]; }
    public final long peerId(int i) { return peer == null ? 0 : peer[i]; }
    /** applied_index (seed row) or last_index (stock row). */
    public final long index(int i) { return index[i]; }
    /** term (seed row) or last_log_term (stock row). */
    public final long term(int i) { return term[i]; }
    public final long commitIndex(int i) { return commit == null ? 0 : commit[i]; }
    public final long version(int i) { return version[i]; }
}
