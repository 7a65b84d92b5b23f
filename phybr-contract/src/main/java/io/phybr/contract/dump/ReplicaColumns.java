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
    protected long[] peer;
    protected long[] index;
    protected long[] term;
    protected long[] commit;
    protected long[] version;

    protected ReplicaColumns(int capacity) {
        store = new long[capacity];
        region = new long[capacity];
        peer = new long[capacity];
        index = new long[capacity];
        term = new long[capacity];
        commit = new long[capacity];
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
        peer[i] = p;
        index[i] = idx;
        term[i] = t;
        commit[i] = c;
        version[i] = v;
        return i;
    }

    /** Resizes the shared columns to {@code capacity} rows. */
    protected final void resizeColumns(int capacity) {
        store = Arrays.copyOf(store, capacity);
        region = Arrays.copyOf(region, capacity);
        peer = Arrays.copyOf(peer, capacity);
        index = Arrays.copyOf(index, capacity);
        term = Arrays.copyOf(term, capacity);
        commit = Arrays.copyOf(commit, capacity);
        version = Arrays.copyOf(version, capacity);
    }

    public final int size() {
        return size;
    }

    public final long store(int i) { return store[i]; }
    public final long regionId(int i) { return region[i]; }
    public final long peerId(int i) { return peer[i]; }
    /** applied_index (seed row) or last_index (stock row). */
    public final long index(int i) { return index[i]; }
    /** term (seed row) or last_log_term (stock row). */
    public final long term(int i) { return term[i]; }
    public final long commitIndex(int i) { return commit[i]; }
    public final long version(int i) { return version[i]; }
}
