package io.phybr.adviser.plan;

/**
 * Sorting of row indices by primitive columns without boxing: LSD radix sorts for the
 * non-negative 63-bit ids and versions (stable, linear), and a stable merge sort for the
 * byte-string keys.
 */
final class Sorting {
    private static final int DIGIT_BITS = 11;
    private static final int DIGIT_MASK = (1 << DIGIT_BITS) - 1;

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
        boolean two = Parallel.worth(n);
        long max = two ? orAll(k, n) : orRange(k, 0, n);
        int bits = 64 - Long.numberOfLeadingZeros(max);
        long[] k2 = new long[n];
        int[] p2 = new int[n];
        // 11-bit digits: the 2048 counters stay in L1 and the scatter writes go to 2048 streams,
        // which the caches absorb far better than 65536 (16-bit digits) at millions of rows.
        // On two cores each half counts its own digits and scatters to its own offsets (the first
        // half's rows of a digit before the second's), which is the same stable order as one pass.
        int[] count = new int[1 << DIGIT_BITS];
        int[] count2 = two ? new int[1 << DIGIT_BITS] : null;
        int half = n >>> 1;
        long[] srcK = k;
        int[] srcP = perm;
        long[] dstK = k2;
        int[] dstP = p2;
        for (int shift = 0; shift < bits; shift += DIGIT_BITS) {
            final int sh = shift;
            final long[] sk = srcK;
            final int[] sp = srcP;
            final long[] dk = dstK;
            final int[] dp = dstP;
            if (two) {
                Parallel.both(() -> countDigits(sk, 0, half, sh, count), () -> countDigits(sk, half, n, sh, count2));
            } else {
                countDigits(sk, 0, n, sh, count);
            }
            int d0 = (int) ((srcK[0] >>> shift) & DIGIT_MASK);
            if (count[d0] + (two ? count2[d0] : 0) == n) {
                continue; // every key has the same digit here
            }
            int sum = 0;
            for (int d = 0; d < count.length; d++) {
                int c = count[d];
                count[d] = sum;
                sum += c;
                if (two) {
                    int c2 = count2[d];
                    count2[d] = sum;
                    sum += c2;
                }
            }
            if (two) {
                Parallel.both(() -> scatter(sk, sp, 0, half, sh, count, dk, dp),
                        () -> scatter(sk, sp, half, n, sh, count2, dk, dp));
            } else {
                scatter(sk, sp, 0, n, sh, count, dk, dp);
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

    private static long orAll(long[] k, int n) {
        long[] halves = new long[2];
        Parallel.both(() -> halves[0] = orRange(k, 0, n >>> 1), () -> halves[1] = orRange(k, n >>> 1, n));
        return halves[0] | halves[1];
    }

    private static long orRange(long[] k, int from, int to) {
        long max = 0;
        for (int j = from; j < to; j++) {
            max |= k[j];
        }
        return max;
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

    /** Byte-string keys of items, read in 8-byte big-endian chunks. */
    interface KeySource {
        /** Bytes {@code [depth, depth+8)} of the item's key, big-endian, zero past its end. */
        long chunk(int item, int depth);

        int length(int item);

        /** Full order: keys unsigned-lexicographic, then a deterministic tie-breaker. */
        int compare(int a, int b);
    }

    /**
     * Sorts {@code items[0..n)} by key: most-significant-chunk first, each chunk placed by an LSD
     * radix pass over a gathered {@code long[]}, so the work is a few sequential passes instead of
     * ~n log n dependent, cache-missing key comparisons; runs still tied after a chunk recurse on
     * the next one, small runs and runs with keys ending inside the chunk use the full comparator.
     * On two cores the first chunk is gathered by halves, and the runs it leaves are split in two at a
     * run boundary, each half sorted on its own core: every run's order depends on its items only,
     * so the result is the one-core result.
     */
    static void sortByKey(int[] items, int n, KeySource keys) {
        long[] chunk = new long[n];
        long[] chunkTmp = new long[n];
        int[] itemTmp = new int[n];
        if (!Parallel.worth(n)) {
            new KeySorter(items, keys, chunk, chunkTmp, itemTmp).sort(0, n, 0);
            return;
        }
        Parallel.halves(0, n, (from, to) -> {
            for (int j = from; j < to; j++) {
                chunk[j] = keys.chunk(items[j], 0);
            }
        });
        radixRange(items, chunk, 0, n, itemTmp, chunkTmp);
        int split = n >>> 1;
        while (split < n && chunk[split] == chunk[split - 1]) {
            split++;
        }
        int mid = split;
        Parallel.both(() -> new KeySorter(items, keys, chunk, chunkTmp, itemTmp).settle(0, mid, 0),
                () -> new KeySorter(items, keys, chunk, chunkTmp, itemTmp).settle(mid, n, 0));
    }

    /** One core's share of {@link #sortByKey}: ranges of the shared arrays no other sorter touches. */
    private static final class KeySorter {
        private final int[] items;
        private final KeySource keys;
        private final long[] chunk;
        private final long[] chunkTmp;
        private final int[] itemTmp;
        private int[] stack = new int[96];
        private int sp;

        KeySorter(int[] items, KeySource keys, long[] chunk, long[] chunkTmp, int[] itemTmp) {
            this.items = items;
            this.keys = keys;
            this.chunk = chunk;
            this.chunkTmp = chunkTmp;
            this.itemTmp = itemTmp;
        }

        /** Sorts items[from, to), whose keys agree on their first {@code depth} bytes. */
        void sort(int from, int to, int depth) {
            push(from, to, depth);
            drain();
        }

        /** Finishes items[from, to), already ordered by their chunk at {@code depth} (held in {@code chunk}). */
        void settle(int from, int to, int depth) {
            runs(from, to, depth);
            drain();
        }

        private void drain() {
            while (sp > 0) {
                int depth = stack[--sp];
                int to = stack[--sp];
                int from = stack[--sp];
                if (to - from <= 32) {
                    insertion(items, from, to, keys::compare);
                    continue;
                }
                for (int j = from; j < to; j++) {
                    chunk[j] = keys.chunk(items[j], depth);
                }
                radixRange(items, chunk, from, to, itemTmp, chunkTmp);
                runs(from, to, depth);
            }
        }

        /** The runs of equal chunks in [from, to): compared in full, or pushed to recurse on the next chunk. */
        private void runs(int from, int to, int depth) {
            int a = from;
            while (a < to) {
                int b = a + 1;
                boolean ended = keys.length(items[a]) <= depth + 8;
                while (b < to && chunk[b] == chunk[a]) {
                    ended |= keys.length(items[b]) <= depth + 8;
                    b++;
                }
                if (b - a > 1) {
                    if (ended || b - a <= 32) {
                        mergeSortRange(items, a, b, keys::compare, itemTmp);
                    } else {
                        push(a, b, depth + 8);
                    }
                }
                a = b;
            }
        }

        private void push(int from, int to, int depth) {
            if (sp + 3 > stack.length) {
                stack = java.util.Arrays.copyOf(stack, stack.length * 2);
            }
            stack[sp++] = from;
            stack[sp++] = to;
            stack[sp++] = depth;
        }
    }

    /** Stable LSD radix of items[from,to) by unsigned chunk[from,to), 8-bit digits, constant digits skipped. */
    private static void radixRange(int[] items, long[] chunk, int from, int to, int[] itemTmp, long[] chunkTmp) {
        long diff = 0;
        long first = chunk[from];
        for (int j = from + 1; j < to; j++) {
            diff |= chunk[j] ^ first;
        }
        int[] count = new int[256];
        for (int shift = 0; shift < 64; shift += 8) {
            if (((diff >>> shift) & 0xFF) == 0) {
                continue;
            }
            java.util.Arrays.fill(count, 0);
            for (int j = from; j < to; j++) {
                count[(int) ((chunk[j] >>> shift) & 0xFF)]++;
            }
            int sum = from;
            for (int d = 0; d < 256; d++) {
                int c = count[d];
                count[d] = sum;
                sum += c;
            }
            for (int j = from; j < to; j++) {
                int at = count[(int) ((chunk[j] >>> shift) & 0xFF)]++;
                chunkTmp[at] = chunk[j];
                itemTmp[at] = items[j];
            }
            System.arraycopy(chunkTmp, from, chunk, from, to - from);
            System.arraycopy(itemTmp, from, items, from, to - from);
        }
    }

    private static void mergeSortRange(int[] a, int from, int to, IntOrder order, int[] tmp) {
        if (to - from <= 32) {
            insertion(a, from, to, order);
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSortRange(a, from, mid, order, tmp);
        mergeSortRange(a, mid, to, order, tmp);
        if (order.compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        int o = from;
        while (i < mid && j < to) {
            a[o++] = order.compare(tmp[j], tmp[i]) < 0 ? tmp[j++] : tmp[i++];
        }
        while (i < mid) {
            a[o++] = tmp[i++];
        }
        while (j < to) {
            a[o++] = tmp[j++];
        }
    }
}
