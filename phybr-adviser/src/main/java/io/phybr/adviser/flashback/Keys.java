package io.phybr.adviser.flashback;

import java.util.Arrays;
import java.util.HexFormat;

/** Key helpers of the flashback walk: unsigned order, empty end = +infinity, hex for messages. */
final class Keys {
    private static final HexFormat HEX = HexFormat.of();

    private Keys() {
    }

    /** The smaller of two end keys (empty = +infinity). */
    static byte[] minEnd(byte[] a, byte[] b) {
        if (a.length == 0) {
            return b;
        }
        if (b.length == 0) {
            return a;
        }
        return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
    }

    /** {@code end} reaches at least {@code limit} (both end keys, empty = +infinity). */
    static boolean reaches(byte[] end, byte[] limit) {
        if (end.length == 0) {
            return true;
        }
        return limit.length != 0 && Arrays.compareUnsigned(end, limit) >= 0;
    }

    static String show(byte[] key) {
        return key.length == 0 ? "-" : HEX.formatHex(key);
    }

    static String range(byte[] start, byte[] end) {
        return "[" + show(start) + ", " + show(end) + ")";
    }
}
