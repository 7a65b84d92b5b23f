package io.phybr.adviser.plan;

/**
 * Sorting of row indices by primitive columns without boxing: LSD radix sorts for the
 * non-negative 63-bit ids and versions (stable, linear), and a stable merge sort for the
 * byte-string keys.
 */
final class Sorting {
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
        long max = 0;
        for (int j = 0; j < n; j++) {
            max |= k[j];
        }
        int bits = 64 - Long.numberOfLeadingZeros(max);
        long[] k2 = new long[n];
        int[] p2 = new int[n];
        int[] count = new int[1 << 16];
        long[] srcK = k;
        int[] srcP = perm;
        long[] dstK = k2;
        int[] dstP = p2;
        for (int shift = 0; shift < bits; shift += 16) {
            java.util.Arrays.fill(count, 0);
            for (int j = 0; j < n; j++) {
                count[(int) ((srcK[j] >>> shift) & 0xFFFF)]++;
            }
            if (count[(int) ((srcK[0] >>> shift) & 0xFFFF)] == n) {
                continue; // every key has the same digit here
            }
            int sum = 0;
            for (int d = 0; d < count.length; d++) {
                int c = count[d];
                count[d] = sum;
                sum += c;
            }
            for (int j = 0; j < n; j++) {
                int d = (int) ((srcK[j] >>> shift) & 0xFFFF);
                int at = count[d]++;
                dstK[at] = srcK[j];
                dstP[at] = srcP[j];
            }
            long[] tk = srcK;
            srcK = dstK;
            dstK = tk;
            int[] tp = srcP;
            srcP = dstP;
            dstP = tp;
        }
        if (srcP != perm) {
            System.arraycopy(srcP, 0, perm, 0, n);
            System.arraycopy(srcK, 0, k, 0, n);
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
                int i = lo;
                int j = mid;
                int o = lo;
                if (mid >= hi || order.compare(src[mid - 1], src[mid]) <= 0) {
                    System.arraycopy(src, lo, dst, lo, hi - lo); // already in order
                    continue;
                }
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
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != a) {
            System.arraycopy(src, 0, a, 0, n);
        }
    }

    private static void insertion(int[] a, int lo, int hi, IntOrder order) {
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
