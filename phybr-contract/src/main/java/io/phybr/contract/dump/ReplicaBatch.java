package io.phybr.contract.dump;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A block of dump rows parsed by one worker of {@link DumpReader}, column by column with their keys
 * in one byte array, handed to a {@link ReplicaSink} whole ({@link ReplicaSink#addAll}) in file
 * order: no object and no key array per row. Seed rows keep applied_index and term in
 * {@code index} and {@code term}; stock rows last_index and last_log_term, as the adviser's table does.
 */
public final class ReplicaBatch extends ReplicaColumns implements ReplicaSink {
    private boolean[] stock;
    private boolean[] tombstone;
    private int[] keyOff;
    private int[] startLen;
    private int[] endLen;
    private byte[] keys;
    private int keyEnd;

    ReplicaBatch(int rows, int keyBytes) {
        super(Math.max(16, rows));
        int cap = store.length;
        stock = new boolean[cap];
        tombstone = new boolean[cap];
        keyOff = new int[cap];
        startLen = new int[cap];
        endLen = new int[cap];
        keys = new byte[Math.max(64, keyBytes)];
    }

    @Override
    public void addSeed(SeedReport r) {
        int i = row(r.store(), r.regionId(), 0, r.appliedIndex(), r.term(), 0, r.version(), false, r.tombstone());
        keyOff[i] = keyEnd;
        startLen[i] = putKey(r.startKey());
        endLen[i] = putKey(r.endKey());
    }

    @Override
    public void addStock(StockReport r) {
        int i = row(r.store(), r.regionId(), r.peerId(), r.lastIndex(), r.lastLogTerm(), r.commitIndex(), r.version(),
                true, r.tombstone());
        keyOff[i] = keyEnd;
        startLen[i] = putKey(r.startKey());
        endLen[i] = putKey(r.endKey());
    }

    /** Adds a row whose keys are still to be put with {@link #putHexKeys}; returns its index. */
    int row(long s, long r, long p, long idx, long t, long c, long v, boolean isStock, boolean tomb) {
        int i = addRow(s, r, p, idx, t, c, v);
        stock[i] = isStock;
        tombstone[i] = tomb;
        return i;
    }

    /**
     * Decodes one lowercase-hex key of row {@code i} (its start key if {@code start}, else its end key, put right
     * after the start key) from {@code src} at {@code at}, checking it as it goes: an even count of at most
     * {@code maxHex} digits {@code [0-9a-f]}, ended by a quote before {@code limit}. Returns the quote's offset, or
     * -1 if the key is not in that shape (the row must then be {@link #truncate truncated} away).
     */
    int putHexKey(int i, byte[] src, int at, int limit, boolean start, int maxHex) {
        // The closing quote first, then counted loops over the digits (eight a step, then pairs) into room made
        // beforehand: a loop bounded by the block's end (as this once was) let the JIT hoist its checks for a key as
        // long as the rest of the block, which failed on every key, and the reader's hottest method was compiled a
        // second time in each run. The same keys pass: every byte before the first quote a lowercase hex digit, an
        // even count of them (HexKeyTest). Eight bytes a step cut the scanner's CPU per byte by about a fifth.
        if (start) {
            keyOff[i] = keyEnd; // first: a key refused below is taken back from here (truncate)
        }
        int q = closingQuote(src, at, limit);
        int digits = q - at;
        if (q < 0 || (digits & 1) != 0 || digits > maxHex) {
            return -1;
        }
        int n = digits >> 1;
        if (keys.length - keyEnd < n) {
            keys = Arrays.copyOf(keys, Math.max(keys.length * 2, keyEnd + n));
        }
        if (!decodeHex(src, at, keys, keyEnd, n)) {
            return -1;
        }
        if (start) {
            startLen[i] = n;
        } else {
            endLen[i] = n;
        }
        keyEnd += n;
        return q;
    }

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** The offset of the first {@code "} in {@code src[from, limit)}, or -1; eight bytes a step. */
    static int closingQuote(byte[] src, int from, int limit) {
        // Eight-byte steps may look past the block's end (limit) into the array's spare bytes, and a quote found
        // there counts as none: a step loop bounded by limit ended at it once per run (the last key of a block),
        // an exit the JIT had compiled as a trap, and the reader's hottest method was made not entrant.
        int q = from;
        int lastStep = src.length - 8;
        for (; q <= lastStep; q += 8) {
            long x = (long) LONG_LE.get(src, q) ^ (ONES * '"'); // a zero byte where the quote is
            long zero = (x - ONES) & ~x & HIGHS; // exact at its lowest set bit (a borrow only runs upwards)
            if (zero != 0) {
                q += Long.numberOfTrailingZeros(zero) >>> 3;
                return q < limit ? q : -1;
            }
        }
        for (; q < limit; q++) {
            if (src[q] == '"') {
                return q;
            }
        }
        return -1;
    }

    /**
     * Decodes {@code 2n} lowercase hex digits at {@code src[at]} into {@code dst[to, to + n)}, eight digits a step;
     * false if any byte is not {@code [0-9a-f]}.
     */
    static boolean decodeHex(byte[] src, int at, byte[] dst, int to, int n) {
        int words = n >> 2;
        for (int w = 0; w < words; w++) {
            long x = (long) LONG_LE.get(src, at + 8 * w);
            // Per byte: a digit 0x30-0x39 or a letter 0x61-0x66, every byte below 0x80 (so no sum carries over).
            long digit = (x + ONES * (0x80 - '0')) & ~(x + ONES * (0x7f - '9'));
            long letter = (x + ONES * (0x80 - 'a')) & ~(x + ONES * (0x7f - 'f'));
            if (((digit | letter) & HIGHS) != HIGHS || (x & HIGHS) != 0) {
                return false;
            }
            long nibble = (x & (ONES * 0x0f)) + ((letter & HIGHS) >>> 7) * 9;
            long pairs = ((nibble << 4) | (nibble >>> 8)) & 0x00ff00ff00ff00ffL; // digit 2k high, 2k+1 low
            long packed = (pairs | (pairs >>> 8)) & 0x0000ffff0000ffffL;
            INT_LE.set(dst, to + 4 * w, (int) (packed | (packed >>> 16)));
        }
        for (int k = words << 2; k < n; k++) {
            int hi = NIBBLE[src[at + 2 * k] & 0xff];
            int lo = NIBBLE[src[at + 2 * k + 1] & 0xff];
            if ((hi | lo) < 0) {
                return false;
            }
            dst[to + k] = (byte) (hi << 4 | lo);
        }
        return true;
    }

    /** The value of a lowercase hex digit, -1 for any other byte. */
    private static final byte[] NIBBLE = new byte[256];

    static {
        Arrays.fill(NIBBLE, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            NIBBLE[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            NIBBLE[c] = (byte) (c - 'a' + 10);
        }
    }

    /** Empties the batch for reuse, keeping its arrays. */
    void clear() {
        size = 0;
        keyEnd = 0;
    }

    private int putKey(byte[] key) {
        int n = key == null ? 0 : key.length;
        if (keys.length - keyEnd < n) {
            keys = Arrays.copyOf(keys, Math.max(keys.length * 2, keyEnd + n));
        }
        if (n > 0) {
            System.arraycopy(key, 0, keys, keyEnd, n);
        }
        keyEnd += n;
        return n;
    }

    /** Drops the rows from {@code rows} on (a line the general parser took back). */
    void truncate(int rows) {
        if (rows < size) {
            keyEnd = keyOff[rows];
            size = rows;
        }
    }

    @Override
    protected void grow() {
        int cap = store.length * 2;
        resizeColumns(cap);
        stock = Arrays.copyOf(stock, cap);
        tombstone = Arrays.copyOf(tombstone, cap);
        keyOff = Arrays.copyOf(keyOff, cap);
        startLen = Arrays.copyOf(startLen, cap);
        endLen = Arrays.copyOf(endLen, cap);
    }

    public boolean stock(int i) { return stock[i]; }
    public boolean tombstone(int i) { return tombstone[i]; }
    /** The array holding every row's keys: the start key at {@link #keyOffset}, the end key right after it. */
    public byte[] keyBytes() { return keys; }
    public int keyOffset(int i) { return keyOff[i]; }
    public int startLength(int i) { return startLen[i]; }
    public int endLength(int i) { return endLen[i]; }

    public byte[] startKey(int i) {
        return Arrays.copyOfRange(keys, keyOff[i], keyOff[i] + startLen[i]);
    }

    public byte[] endKey(int i) {
        int from = keyOff[i] + startLen[i];
        return Arrays.copyOfRange(keys, from, from + endLen[i]);
    }
}
