package io.phybr.adviser.plan;

/**
 * Sorting of items by byte-string keys (the candidates' start keys): chunk by chunk with {@link Sorting}'s radix
 * passes, the full comparator only for small runs and keys that end inside a chunk.
 */
final class KeySorting {
    private KeySorting() {
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
     * On two cores the chunks are gathered and placed by halves for as long as most items still tie (the keys of
     * one table share their first 16 bytes or so: a split at the first chunk left every item to one core), then the
     * runs left are split in two at a run boundary, each half sorted on its own core: every run's order depends on
     * its items only, so the result is the one-core result.
     */
    static void sortByKey(int[] items, int n, KeySource keys) {
        long[] chunk = new long[n];
        long[] chunkTmp = new long[n];
        int[] itemTmp = new int[n];
        if (!Parallel.worth(n)) {
            new KeySorter(items, keys, chunk, chunkTmp, itemTmp).sort(0, n, 0);
            return;
        }
        int lo = 0;
        int hi = n;
        for (int depth = 0; ; depth += 8) {
            final int d = depth;
            Parallel.halves(lo, hi, (from, to) -> gatherChunks(items, chunk, keys, from, to, d));
            Sorting.radix(items, chunk, lo, hi, itemTmp, chunkTmp);
            // The run of equal chunks around the middle: [a, b).
            int mid = (lo + hi) >>> 1;
            int a = mid;
            int b = mid + 1;
            while (a > lo && chunk[a - 1] == chunk[mid]) {
                a--;
            }
            while (b < hi && chunk[b] == chunk[mid]) {
                b++;
            }
            KeySorter here = new KeySorter(items, keys, chunk, chunkTmp, itemTmp);
            if (2 * (b - a) > hi - lo && Parallel.worth(b - a) && !endsWithin(items, keys, a, b, depth)) {
                // Most items tie on this chunk: the few runs beside theirs are finished here, theirs descends.
                here.settle(lo, a, depth);
                here.settle(b, hi, depth);
                lo = a;
                hi = b;
                continue;
            }
            int split = a > lo && (mid - a <= b - mid || b == hi) ? a : b; // the run boundary nearest the middle
            int l = lo;
            int h = hi;
            Parallel.both(() -> here.settle(l, split, d),
                    () -> new KeySorter(items, keys, chunk, chunkTmp, itemTmp).settle(split, h, d));
            return;
        }
    }

    private static void gatherChunks(int[] items, long[] chunk, KeySource keys, int from, int to, int depth) {
        for (int j = from; j < to; j++) {
            chunk[j] = keys.chunk(items[j], depth);
        }
    }

    /** Whether a key of {@code items[from..to)} ends within the chunk at {@code depth} (it then cannot descend). */
    private static boolean endsWithin(int[] items, KeySource keys, int from, int to, int depth) {
        for (int j = from; j < to; j++) {
            if (keys.length(items[j]) <= depth + 8) {
                return true;
            }
        }
        return false;
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
                    Sorting.insertion(items, from, to, keys::compare);
                    continue;
                }
                gatherChunks(items, chunk, keys, from, to, depth);
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

    private static void mergeSortRange(int[] a, int from, int to, Sorting.IntOrder order, int[] tmp) {
        if (to - from <= 32) {
            Sorting.insertion(a, from, to, order);
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSortRange(a, from, mid, order, tmp);
        mergeSortRange(a, mid, to, order, tmp);
        if (order.compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        Sorting.merge(tmp, from, mid, to, a, order);
    }
}
