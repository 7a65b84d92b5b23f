package io.phybr.adviser.plan;

/**
 * Sorting of row indices by primitive columns without boxing: LSD radix sorts for the
 * non-negative 63-bit ids and versions (stable, linear), and a stable merge sort; {@link KeySorting} sorts by
 * byte-string keys with both.
 */
final class Sorting {
    private static final int DIGIT_BITS = 11;
    private static final int DIGIT_MASK = (1 << DIGIT_BITS) - 1;
    /** From this many items a sort over 3 or more digits goes most-significant digit first ({@link #msdFirst}). */
    static final int MSD_MIN_ITEMS = 1 << 16;

    private Sorting() {
    }

    /** Stable-sorts {@code perm[0..n)} by {@code key[perm[j]]} ascending; keys must be non-negative. */
    static void radixByColumn(int[] perm, int n, long[] key) {
        long[] k = new long[n];
        for (int j = 0; j < n; j++) {
            k[j] = key[perm[j]];
        }
        radix(perm, k, n);
    }

    /** Stable-sorts {@code perm[0..n)} by the parallel keys {@code k[0..n)} (non-negative), permuting both. */
    static void radix(int[] perm, long[] k, int n) {
        if (n < 2) {
            return;
        }
        radix(perm, k, 0, n, new int[n], new long[n]);
    }

    /**
     * Stable-sorts {@code perm[from..to)} by {@code k[from..to)} read as unsigned numbers, permuting both;
     * {@code pTmp} and {@code kTmp} are scratch at the same positions. Digits on which every key agrees are skipped
     * without a counting pass (keys of one table share their high bytes). Each pass is a small method of one loop,
     * so that a cold run compiles each loop once and early instead of a large method per loop (on-stack replacement).
     */
    static void radix(int[] perm, long[] k, int from, int to, int[] pTmp, long[] kTmp) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        boolean two = Parallel.worth(n);
        int half = from + (n >>> 1);
        long first = k[from];
        long diff;
        if (two) {
            long[] halves = new long[2];
            Parallel.both(() -> halves[0] = differing(k, from, half, first), () -> halves[1] = differing(k, half, to, first));
            diff = halves[0] | halves[1];
        } else {
            diff = differing(k, from, to, first);
        }
        // 11-bit digits: the 2048 counters stay in L1 and the scatter writes go to 2048 streams,
        // which the caches absorb far better than 65536 (16-bit digits) at millions of rows.
        // On two cores each half counts its own digits and scatters to its own offsets (the first
        // half's rows of a digit before the second's), which is the same stable order as one pass.
        if (n >= MSD_MIN_ITEMS && digits(diff) >= 3) {
            msdFirst(perm, k, from, to, pTmp, kTmp, diff, two);
            return;
        }
        int[] count = new int[1 << DIGIT_BITS];
        int[] count2 = two ? new int[1 << DIGIT_BITS] : null;
        long[] srcK = k;
        int[] srcP = perm;
        long[] dstK = kTmp;
        int[] dstP = pTmp;
        for (int shift = 0; shift < 64; shift += DIGIT_BITS) {
            if (((diff >>> shift) & DIGIT_MASK) == 0) {
                continue; // every key has the same digit here
            }
            pass(srcK, srcP, from, half, to, shift, count, count2, dstK, dstP, null);
            long[] tk = srcK;
            srcK = dstK;
            dstK = tk;
            int[] tp = srcP;
            srcP = dstP;
            dstP = tp;
        }
        if (srcP != perm) {
            System.arraycopy(srcP, from, perm, from, n);
            System.arraycopy(srcK, from, k, from, n);
        }
    }

    /**
     * One stable counting pass on the 11-bit digit at {@code shift}: {@code src[from..to)} into {@code dst} at the
     * same range; {@code count2} non-null: on two cores, split at {@code half}. {@code bounds} non-null: set to where
     * each digit's items start (and, last, {@code to}).
     */
    private static void pass(long[] sk, int[] sp, int from, int half, int to, int shift, int[] count, int[] count2,
                             long[] dk, int[] dp, int[] bounds) {
        if (count2 != null) {
            Parallel.both(() -> countDigits(sk, from, half, shift, count), () -> countDigits(sk, half, to, shift, count2));
        } else {
            countDigits(sk, from, to, shift, count);
        }
        if (bounds != null) {
            bounds[0] = from;
            for (int d = 0; d < count.length; d++) {
                bounds[d + 1] = bounds[d] + count[d] + (count2 != null ? count2[d] : 0);
            }
        }
        offsets(count, count2, from);
        if (count2 != null) {
            Parallel.both(() -> scatter(sk, sp, from, half, shift, count, dk, dp),
                    () -> scatter(sk, sp, half, to, shift, count2, dk, dp));
        } else {
            scatter(sk, sp, from, to, shift, count, dk, dp);
        }
    }

    /** How many 11-bit digits an LSD pass would place: those in which some key differs. */
    private static int digits(long diff) {
        int d = 0;
        for (int shift = 0; shift < 64; shift += DIGIT_BITS) {
            if (((diff >>> shift) & DIGIT_MASK) != 0) {
                d++;
            }
        }
        return d;
    }

    /**
     * The radix sort for many items over 3 or more digits (the grouping's 3M (region, store) keys of 42 bits: four
     * LSD passes, each a scatter of every item to 2,048 streams spread over the whole array, each missing the caches
     * and the TLB): one pass on the highest differing digit first, then each of its buckets (~n/2048 items, a few
     * KiB) sorted on its own by LSD passes of 8-bit digits that stay in the L1/L2 caches. Both are stable, so the
     * result is the LSD sort's. On two cores the first pass is split as the LSD passes are, then the buckets are
     * split at the one holding the middle item, each core sorting its own buckets' ranges.
     */
    private static void msdFirst(int[] perm, long[] k, int from, int to, int[] pTmp, long[] kTmp, long diff,
                                 boolean two) {
        int top = 63 - Long.numberOfLeadingZeros(diff);
        int shift = Math.max(0, top + 1 - DIGIT_BITS);
        int half = from + ((to - from) >>> 1);
        int[] count = new int[1 << DIGIT_BITS];
        int[] count2 = two ? new int[1 << DIGIT_BITS] : null;
        int[] bounds = new int[count.length + 1]; // bucket d is [bounds[d], bounds[d + 1])
        pass(k, perm, from, half, to, shift, count, count2, kTmp, pTmp, bounds);
        long low = diff & ((1L << shift) - 1); // shift < 64: top < 64
        if (two) {
            int split = 0;
            while (bounds[split + 1] <= half) {
                split++;
            }
            int s = split;
            Parallel.both(() -> sortBuckets(kTmp, pTmp, k, perm, bounds, 0, s, low),
                    () -> sortBuckets(kTmp, pTmp, k, perm, bounds, s, count.length, low));
        } else {
            sortBuckets(kTmp, pTmp, k, perm, bounds, 0, count.length, low);
        }
    }

    private static final int LOCAL_BITS = 8;
    private static final int LOCAL_MASK = (1 << LOCAL_BITS) - 1;
    /** Buckets this small are insertion-sorted (stable) instead of counted. */
    private static final int LOCAL_INSERTION = 32;

    /**
     * Sorts buckets {@code [dFrom, dTo)} (their items in {@code srcK/srcP}, ordered on every bit above {@code low})
     * by the bits of {@code low} into {@code k/perm} at the same positions, stably.
     */
    private static void sortBuckets(long[] srcK, int[] srcP, long[] k, int[] perm, int[] bounds, int dFrom, int dTo,
                                    long low) {
        int[] count = new int[1 << LOCAL_BITS];
        for (int d = dFrom; d < dTo; d++) {
            int b0 = bounds[d];
            int b1 = bounds[d + 1];
            if (b1 - b0 <= LOCAL_INSERTION) {
                System.arraycopy(srcK, b0, k, b0, b1 - b0);
                System.arraycopy(srcP, b0, perm, b0, b1 - b0);
                insertionUnsigned(k, perm, b0, b1);
                continue;
            }
            boolean inSrc = true; // where the bucket's items are now: srcK/srcP, or k/perm
            for (int shift = 0; shift < 64; shift += LOCAL_BITS) {
                if (((low >>> shift) & LOCAL_MASK) != 0) {
                    if (inSrc) {
                        localPass(srcK, srcP, b0, b1, shift, count, k, perm);
                    } else {
                        localPass(k, perm, b0, b1, shift, count, srcK, srcP);
                    }
                    inSrc = !inSrc;
                }
            }
            if (inSrc) {
                System.arraycopy(srcK, b0, k, b0, b1 - b0);
                System.arraycopy(srcP, b0, perm, b0, b1 - b0);
            }
        }
    }

    /** One stable counting pass of a bucket {@code [b0, b1)} on its 8-bit digit at {@code shift}. */
    private static void localPass(long[] sk, int[] sp, int b0, int b1, int shift, int[] count, long[] dk, int[] dp) {
        java.util.Arrays.fill(count, 0);
        for (int j = b0; j < b1; j++) {
            count[(int) ((sk[j] >>> shift) & LOCAL_MASK)]++;
        }
        int sum = b0;
        for (int x = 0; x < count.length; x++) {
            int c = count[x];
            count[x] = sum;
            sum += c;
        }
        for (int j = b0; j < b1; j++) {
            int at = count[(int) ((sk[j] >>> shift) & LOCAL_MASK)]++;
            dk[at] = sk[j];
            dp[at] = sp[j];
        }
    }

    /** Stable insertion sort of {@code k[lo..hi)} read as unsigned numbers, permuting {@code perm} alike. */
    private static void insertionUnsigned(long[] k, int[] perm, int lo, int hi) {
        for (int i = lo + 1; i < hi; i++) {
            long v = k[i];
            int p = perm[i];
            int j = i - 1;
            while (j >= lo && Long.compareUnsigned(k[j], v) > 0) {
                k[j + 1] = k[j];
                perm[j + 1] = perm[j];
                j--;
            }
            k[j + 1] = v;
            perm[j + 1] = p;
        }
    }

    /** The bits in which some key of {@code k[from..to)} differs from {@code first}. */
    private static long differing(long[] k, int from, int to, long first) {
        long diff = 0;
        for (int j = from; j < to; j++) {
            diff |= k[j] ^ first;
        }
        return diff;
    }

    /** Counts to first positions: digit by digit, the first half's rows ({@code count}) before the second's. */
    private static void offsets(int[] count, int[] count2, int from) {
        int sum = from;
        for (int d = 0; d < count.length; d++) {
            int c = count[d];
            count[d] = sum;
            sum += c;
            if (count2 != null) {
                int c2 = count2[d];
                count2[d] = sum;
                sum += c2;
            }
        }
    }

    private static void countDigits(long[] k, int from, int to, int shift, int[] count) {
        java.util.Arrays.fill(count, 0);
        for (int j = from; j < to; j++) {
            count[(int) ((k[j] >>> shift) & DIGIT_MASK)]++;
        }
    }

    private static void scatter(long[] srcK, int[] srcP, int from, int to, int shift, int[] offsets, long[] dstK,
                                int[] dstP) {
        for (int j = from; j < to; j++) {
            int d = (int) ((srcK[j] >>> shift) & DIGIT_MASK);
            int at = offsets[d]++;
            dstK[at] = srcK[j];
            dstP[at] = srcP[j];
        }
    }

    /** A total order on ints, implemented without boxing. */
    interface IntOrder {
        int compare(int a, int b);
    }

    /** Stable merge sort of {@code a[0..n)} under {@code order}. */
    static void mergeSort(int[] a, int n, IntOrder order) {
        if (n < 2) {
            return;
        }
        int[] tmp = new int[n];
        int[] src = a;
        int[] dst = tmp;
        final int run = 24;
        for (int lo = 0; lo < n; lo += run) {
            insertion(a, lo, Math.min(n, lo + run), order);
        }
        for (int width = run; width < n; width <<= 1) {
            for (int lo = 0; lo < n; lo += width << 1) {
                int mid = Math.min(n, lo + width);
                int hi = Math.min(n, lo + (width << 1));
                if (mid >= hi || order.compare(src[mid - 1], src[mid]) <= 0) {
                    System.arraycopy(src, lo, dst, lo, hi - lo); // already in order
                    continue;
                }
                merge(src, lo, mid, hi, dst, order);
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != a) {
            System.arraycopy(src, 0, a, 0, n);
        }
    }

    /** Merges the ordered runs {@code src[lo..mid)} and {@code src[mid..hi)} into {@code dst[lo..hi)}, stably. */
    static void merge(int[] src, int lo, int mid, int hi, int[] dst, IntOrder order) {
        int i = lo;
        int j = mid;
        int o = lo;
        while (i < mid && j < hi) {
            dst[o++] = order.compare(src[j], src[i]) < 0 ? src[j++] : src[i++];
        }
        while (i < mid) {
            dst[o++] = src[i++];
        }
        while (j < hi) {
            dst[o++] = src[j++];
        }
    }

    static void insertion(int[] a, int lo, int hi, IntOrder order) {
        for (int i = lo + 1; i < hi; i++) {
            int v = a[i];
            int j = i - 1;
            while (j >= lo && order.compare(a[j], v) > 0) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }
}
