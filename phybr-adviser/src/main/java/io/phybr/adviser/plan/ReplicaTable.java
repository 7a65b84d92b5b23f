package io.phybr.adviser.plan;

import io.phybr.contract.dump.ReplicaBatch;
import io.phybr.contract.dump.ReplicaColumns;
import io.phybr.contract.dump.ReplicaReport;
import io.phybr.contract.dump.ReplicaSink;
import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.dump.StockReport;
import java.util.Arrays;

/**
 * The region reports of every store, one row per replica, stored column by column in primitive
 * arrays: millions of replicas cost a few arrays, not millions of objects (about 57 bytes per
 * replica plus its key bytes; 73 once a row carries peer_id or commit_index).
 *
 * <p>Seed-protocol reports fill {@code index} with applied_index and {@code term} with term;
 * stock-TiKV reports fill them with last_index and last_log_term and also carry peer_id and
 * commit_index. Not thread-safe: collectors either add under one lock or fill one table per
 * store and {@link #appendAll} them.
 */
public final class ReplicaTable extends ReplicaColumns implements ReplicaSink {
    static final byte TOMBSTONE = 1;
    static final byte STOCK_FIELDS = 2;

    private static final byte[] EMPTY = new byte[0];

    private byte[] flags;
    private long[] keyAddr;
    private int[] startLen;
    private int[] endLen;
    final KeyArena keys = new KeyArena();

    private long[] declaredStores = new long[8];
    private int declaredCount;
    /** Rows {@link #expect} announced and the key bytes they are still to bring have not been reserved for. */
    private long expectedRows;

    public ReplicaTable() {
        this(1024);
    }

    public ReplicaTable(int expectedReplicas) {
        super(Math.max(16, expectedReplicas));
        int cap = store.length;
        flags = new byte[cap];
        keyAddr = new long[cap];
        startLen = new int[cap];
        endLen = new int[cap];
    }

    /**
     * Adds a seed-protocol report ({@code phybr.RegionMeta}) as the next row. Keys given as slices (a received
     * message's bytes) are copied into the table with nothing allocated per row.
     */
    @Override
    public void addSeed(SeedReport r) {
        add(r, 0, r.appliedIndex(), r.term(), 0, (byte) (r.tombstone() ? TOMBSTONE : 0));
    }

    /** Adds a stock-TiKV report ({@code recover_data.RegionMeta}) as the next row, keys as {@link #addSeed}. */
    @Override
    public void addStock(StockReport r) {
        add(r, r.peerId(), r.lastIndex(), r.lastLogTerm(), r.commitIndex(),
                (byte) (STOCK_FIELDS | (r.tombstone() ? TOMBSTONE : 0)));
    }

    /** Either protocol's report: its own columns given, the shared ones and the keys taken from {@code r}. */
    private void add(ReplicaReport<?> r, long p, long idx, long t, long c, byte f) {
        if (!r.sliced()) {
            add(r.store(), r.regionId(), p, idx, t, c, r.version(), f, r.startKey(), r.endKey());
            return;
        }
        int i = row(r.store(), r.regionId(), p, idx, t, c, r.version(), f);
        keyAddr[i] = keys.append(r.startBuffer(), r.startOffset(), r.startLength(), r.endOffset(), r.endLength());
        startLen[i] = r.startLength();
        endLen[i] = r.endLength();
    }

    private int add(long s, long r, long p, long idx, long t, long c, long v, byte f, byte[] start, byte[] end) {
        int i = row(s, r, p, idx, t, c, v, f);
        byte[] a = start == null ? EMPTY : start;
        byte[] b = end == null ? EMPTY : end;
        keyAddr[i] = keys.append(a, b);
        startLen[i] = a.length;
        endLen[i] = b.length;
        return i;
    }

    /** The next row's columns but its keys. */
    private int row(long s, long r, long p, long idx, long t, long c, long v, byte f) {
        int i = addRow(s, r, p, idx, t, c, v);
        flags[i] = f;
        return i;
    }

    /** Every row of a parsed dump block: its columns and key bytes copied, no key array per row. */
    @Override
    public void addAll(ReplicaBatch batch) {
        int n = batch.size();
        while (store.length - size < n) {
            grow();
        }
        if (expectedRows > 0 && n > 0) {
            // The first block announced tells how many key bytes a row brings: the arena takes them at once.
            long batchKeys = (long) batch.keyOffset(n - 1) + batch.startLength(n - 1) + batch.endLength(n - 1)
                    - batch.keyOffset(0);
            long want = (long) (batchKeys / (double) n * expectedRows);
            // Only with room to spare: a heap too small for the dump must still run out where it always has (on
            // this thread, which says how much heap the dump needs), not in a reader thread whose next block no
            // longer fits beside the reserve.
            Runtime rt = Runtime.getRuntime();
            if (want <= (rt.maxMemory() - rt.totalMemory() + rt.freeMemory()) / 2) {
                keys.reserve(want);
            }
            expectedRows = 0;
        }
        if (batch.hasStockColumns()) {
            stockColumns();
        }
        if (peer != null) {
            for (int k = 0; k < n; k++) {
                peer[size + k] = batch.peerId(k);
                commit[size + k] = batch.commitIndex(k);
            }
        }
        byte[] src = batch.keyBytes();
        for (int k = 0; k < n; k++) {
            int i = size + k;
            store[i] = batch.store(k);
            region[i] = batch.regionId(k);
            index[i] = batch.index(k);
            term[i] = batch.term(k);
            version[i] = batch.version(k);
            flags[i] = (byte) ((batch.stock(k) ? STOCK_FIELDS : 0) | (batch.tombstone(k) ? TOMBSTONE : 0));
            int s = batch.startLength(k);
            int e = batch.endLength(k);
            keyAddr[i] = keys.append(src, batch.keyOffset(k), s + e);
            startLen[i] = s;
            endLen[i] = e;
        }
        size += n;
    }

    /** Sizes the columns for {@code rows} more rows at once (the dump reader's estimate from the file size). */
    @Override
    public void expect(long rows) {
        long want = Math.min(Integer.MAX_VALUE - 8, size + rows);
        if (want > store.length) {
            resize((int) want);
        }
        expectedRows = rows;
    }

    /** Gives back what {@link #expect} made the key storage reserve and no row used (the table is complete). */
    void dropReserve() {
        expectedRows = 0;
        keys.dropReserve();
    }

    @Override
    protected void grow() {
        // 1.5x: at tens of millions of rows a doubling spike would cost gigabytes.
        resize((int) Math.min(Integer.MAX_VALUE - 8, store.length + (store.length >> 1) + 16));
    }

    private void resize(int cap) {
        resizeColumns(cap);
        flags = Arrays.copyOf(flags, cap);
        keyAddr = Arrays.copyOf(keyAddr, cap);
        startLen = Arrays.copyOf(startLen, cap);
        endLen = Arrays.copyOf(endLen, cap);
    }

    /** Records that a store took part even if it reports no region (its leaders count is then 0). */
    public void declareStore(long storeId) {
        if (declaredCount == declaredStores.length) {
            declaredStores = Arrays.copyOf(declaredStores, declaredCount * 2);
        }
        declaredStores[declaredCount++] = storeId;
    }

    /** Appends every row (and declared store) of {@code other}: column copies, no object per row. */
    public void appendAll(ReplicaTable other) {
        int n = other.size;
        while (store.length - size < n) {
            grow();
        }
        System.arraycopy(other.store, 0, store, size, n);
        System.arraycopy(other.region, 0, region, size, n);
        System.arraycopy(other.index, 0, index, size, n);
        System.arraycopy(other.term, 0, term, size, n);
        System.arraycopy(other.version, 0, version, size, n);
        if (other.peer != null) {
            stockColumns();
            System.arraycopy(other.peer, 0, peer, size, n);
            System.arraycopy(other.commit, 0, commit, size, n);
        } else if (peer != null) {
            Arrays.fill(peer, size, size + n, 0);
            Arrays.fill(commit, size, size + n, 0);
        }
        System.arraycopy(other.flags, 0, flags, size, n);
        System.arraycopy(other.startLen, 0, startLen, size, n);
        System.arraycopy(other.endLen, 0, endLen, size, n);
        for (int i = 0; i < n; i++) {
            keyAddr[size + i] = keys.appendFrom(other.keys, other.keyAddr[i], other.startLen[i] + other.endLen[i]);
        }
        size += n;
        for (int i = 0; i < other.declaredCount; i++) {
            declareStore(other.declaredStores[i]);
        }
    }

    public boolean tombstone(int i) { return (flags[i] & TOMBSTONE) != 0; }
    /** Whether the row came from a stock-TiKV report (peer_id, last_log_term, last_index, commit_index). */
    public boolean stockFields(int i) { return (flags[i] & STOCK_FIELDS) != 0; }
    public byte[] startKey(int i) { return keys.copy(keyAddr[i], startLen[i]); }
    public byte[] endKey(int i) { return keys.copy(keyAddr[i] + startLen[i], endLen[i]); }

    // Zero-copy access for the planner.
    long startAddr(int i) { return keyAddr[i]; }
    long endAddr(int i) { return keyAddr[i] + startLen[i]; }
    int startLen(int i) { return startLen[i]; }
    int endLen(int i) { return endLen[i]; }
    long[] storeColumn() { return store; }
    long[] regionColumn() { return region; }
    long[] versionColumn() { return version; }
    long[] indexColumn() { return index; }
    long[] termColumn() { return term; }
    /** commit_index by row; a table of seed rows only has none, so it is all zeros then (a new array). */
    long[] commitColumn() { return commit != null ? commit : new long[size]; }
    byte[] flagsColumn() { return flags; }
    long[] keyAddrColumn() { return keyAddr; }
    int[] startLenColumn() { return startLen; }
    int[] endLenColumn() { return endLen; }

    /** Bytes of key data held (start and end keys of every row). */
    public long keyBytes() {
        long total = 0;
        for (int i = 0; i < size; i++) {
            total += startLen[i] + endLen[i];
        }
        return total;
    }

    /** Rows the columns can hold before they grow. */
    public int capacity() {
        return store.length;
    }

    /** Every store that reported a region or was declared, ascending, without repeats. */
    public long[] stores() {
        // Where the store changes from one row to the next, its id goes into a set of the few distinct ids: a dump
        // in region order changes store on nearly every row, and sorting those ~2 changes per region (as this did)
        // cost a single-threaded ~0.1 s at a million regions before planning began.
        StoreSet seen = new StoreSet();
        for (int i = 0; i < declaredCount; i++) {
            seen.add(declaredStores[i]);
        }
        for (int i = 0; i < size; i++) {
            if (i == 0 || store[i] != store[i - 1]) {
                seen.add(store[i]);
            }
        }
        long[] ids = seen.toArray();
        Arrays.sort(ids);
        return ids;
    }

    /** A set of longs by open addressing (any value, 0 included), for {@link #stores}. */
    private static final class StoreSet {
        private long[] slots = new long[16];
        private boolean[] used = new boolean[16];
        private int count;
        private long last;
        private boolean any;

        void add(long id) {
            if (any && id == last) {
                return;
            }
            any = true;
            last = id;
            insert(id);
        }

        private void insert(long id) {
            int mask = slots.length - 1;
            int at = (int) (id * 0x9E3779B97F4A7C15L >>> 32) & mask;
            while (used[at]) {
                if (slots[at] == id) {
                    return;
                }
                at = (at + 1) & mask;
            }
            used[at] = true;
            slots[at] = id;
            if (++count * 2 > slots.length) {
                long[] oldSlots = slots;
                boolean[] oldUsed = used;
                slots = new long[oldSlots.length * 2];
                used = new boolean[oldSlots.length * 2];
                count = 0;
                for (int i = 0; i < oldSlots.length; i++) {
                    if (oldUsed[i]) {
                        insert(oldSlots[i]);
                    }
                }
            }
        }

        long[] toArray() {
            long[] ids = new long[count];
            int n = 0;
            for (int i = 0; i < slots.length; i++) {
                if (used[i]) {
                    ids[n++] = slots[i];
                }
            }
            return ids;
        }
    }
}
