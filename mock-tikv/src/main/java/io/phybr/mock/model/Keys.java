package io.phybr.mock.model;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Raw TiKV keys (no {@code z} prefix). The empty key means "the beginning" as a start key and
 * "+infinity" as an end key, as in TiKV region ranges.
 */
public final class Keys {
    public static final byte[] EMPTY = new byte[0];
    private static final HexFormat HEX = HexFormat.of();

    private Keys() {
    }

    /** Unsigned lexicographic comparison of two keys (the empty key sorts first). */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** Compares two end keys, where the empty key means +infinity. */
    public static int compareEnd(byte[] a, byte[] b) {
        if (a.length == 0) {
            return b.length == 0 ? 0 : 1;
        }
        if (b.length == 0) {
            return -1;
        }
        return compare(a, b);
    }

    /** Compares a start key with an end key: negative when {@code start < end} (empty end = +inf). */
    public static int compareStartEnd(byte[] start, byte[] end) {
        if (end.length == 0) {
            return -1;
        }
        return compare(start, end);
    }

    /** True when {@code key} lies in {@code [start, end)}. */
    public static boolean contains(byte[] start, byte[] end, byte[] key) {
        return compare(start, key) <= 0 && (end.length == 0 || compare(key, end) < 0);
    }

    /** True when {@code [s1,e1)} and {@code [s2,e2)} share at least one key. */
    public static boolean overlaps(byte[] s1, byte[] e1, byte[] s2, byte[] e2) {
        return compareStartEnd(s1, e2) < 0 && compareStartEnd(s2, e1) < 0;
    }

    public static String hex(byte[] key) {
        return HEX.formatHex(key);
    }

    /** Parses lowercase/uppercase hex; {@code ""} or {@code "-"} is the empty key. */
    public static byte[] parseHex(String text) {
        if (text.isEmpty() || text.equals("-") || text.equals("\"\"")) {
            return EMPTY;
        }
        if (text.length() % 2 != 0) {
            throw new IllegalArgumentException("key '" + text + "' is not hex: odd number of digits");
        }
        try {
            return HEX.parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + text + "' is not hex");
        }
    }

    /** Renders a key for humans and scenario files: hex, or {@code -} for the empty key. */
    public static String show(byte[] key) {
        return key.length == 0 ? "-" : hex(key);
    }

    /** Renders a range {@code [start, end)} with {@code -} for open ends. */
    public static String range(byte[] start, byte[] end) {
        return "[" + show(start) + ", " + show(end) + ")";
    }

    /**
     * A TiDB record key {@code t<table>_r<row>} in memcomparable encoding, as PD shows region
     * boundaries: 27 bytes, e.g. {@code 7480000000000000ff3b5f728000000000ff0a15c30000000000fa}.
     */
    public static byte[] tidbRecordKey(long tableId, long rowId) {
        byte[] out = new byte[TIDB_RECORD_KEY_LENGTH];
        tidbRecordKey(tableId, rowId, out);
        return out;
    }

    public static final int TIDB_RECORD_KEY_LENGTH = 27;

    /** Writes {@link #tidbRecordKey(long, long)} into {@code out} (27 bytes) without allocating. */
    public static void tidbRecordKey(long tableId, long rowId, byte[] out) {
        // raw: 't' table(8) '_' 'r' row(8) = 19 bytes -> groups of 8 + marker: 8|ff 8|ff 3+5 pad|fa
        long t = tableId ^ Long.MIN_VALUE;
        long r = rowId ^ Long.MIN_VALUE;
        int o = 0;
        out[o++] = 't';
        for (int i = 7; i >= 1; i--) {
            out[o++] = (byte) (t >>> (8 * i));
        }
        out[o++] = (byte) 0xff;
        out[o++] = (byte) t;
        out[o++] = '_';
        out[o++] = 'r';
        for (int i = 7; i >= 3; i--) {
            out[o++] = (byte) (r >>> (8 * i));
        }
        out[o++] = (byte) 0xff;
        for (int i = 2; i >= 0; i--) {
            out[o++] = (byte) (r >>> (8 * i));
        }
        for (int i = 0; i < 5; i++) {
            out[o++] = 0;
        }
        out[o] = (byte) (0xff - 5);
    }

    /** TiDB's "bytes" memcomparable encoding: 8-byte groups each followed by a marker byte. */
    public static byte[] memcomparable(byte[] raw) {
        int groups = raw.length / 8 + 1;
        byte[] out = new byte[groups * 9];
        int o = 0;
        for (int g = 0; g < groups; g++) {
            int from = g * 8;
            int n = Math.min(8, raw.length - from);
            for (int i = 0; i < 8; i++) {
                out[o++] = i < n ? raw[from + i] : 0;
            }
            out[o++] = (byte) (0xff - (8 - n));
        }
        return out;
    }

    /** {@code key} followed by {@code suffix} (automatic keys inside a region). */
    public static byte[] append(byte[] key, byte... suffix) {
        byte[] out = Arrays.copyOf(key, key.length + suffix.length);
        System.arraycopy(suffix, 0, out, key.length, suffix.length);
        return out;
    }
}
