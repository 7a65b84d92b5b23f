package io.phybr.adviser.plan;

/**
 * A set of ints in {@code [0, n)} answering "largest member not above x" in a few word
 * operations: a bitmap with summary bitmaps on top (one bit per non-empty word below), so a
 * query skips empty stretches 64, 4096, 262144 positions at a time.
 */
final class PredecessorSet {
    private final long[][] levels;

    PredecessorSet(int n) {
        int depth = 1;
        for (long words = (Math.max(n, 1) + 63L) >>> 6; words > 1; words = (words + 63) >>> 6) {
            depth++;
        }
        levels = new long[depth][];
        long size = Math.max(n, 1);
        for (int l = 0; l < depth; l++) {
            levels[l] = new long[(int) ((size + 63) >>> 6)];
            size = (size + 63) >>> 6;
        }
    }

    void add(int x) {
        long v = x;
        for (long[] level : levels) {
            level[(int) (v >>> 6)] |= 1L << (v & 63);
            v >>>= 6;
        }
    }

    boolean contains(int x) {
        return (levels[0][x >>> 6] & (1L << (x & 63))) != 0;
    }

    /** The largest member {@code <= x}, or -1. */
    int floor(int x) {
        return (int) floor(0, x);
    }

    private long floor(int level, long x) {
        if (x < 0) {
            return -1;
        }
        long[] bits = levels[level];
        int w = (int) (x >>> 6);
        long masked = bits[w] & (-1L >>> (63 - (x & 63)));
        if (masked != 0) {
            return ((long) w << 6) + 63 - Long.numberOfLeadingZeros(masked);
        }
        if (level + 1 == levels.length) {
            for (int k = w - 1; k >= 0; k--) {
                if (bits[k] != 0) {
                    return ((long) k << 6) + 63 - Long.numberOfLeadingZeros(bits[k]);
                }
            }
            return -1;
        }
        long word = floor(level + 1, w - 1L);
        if (word < 0) {
            return -1;
        }
        return (word << 6) + 63 - Long.numberOfLeadingZeros(bits[(int) word]);
    }
}
