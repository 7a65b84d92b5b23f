package io.phybr.adviser.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The planner's primitive building blocks against plain-JDK oracles, at the sizes the planner meets. */
class PlannerInternalsTest {
    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 63, 64, 65, 4095, 4097, 262_145, 300_000})
    void predecessorSetAgreesWithTreeSet(int n) {
        SplittableRandom r = new SplittableRandom(n);
        PredecessorSet set = new PredecessorSet(n);
        TreeSet<Integer> oracle = new TreeSet<>();
        int adds = Math.max(1, n / 50);
        for (int i = 0; i < adds; i++) {
            int x = r.nextInt(n);
            set.add(x);
            oracle.add(x);
            for (int q = 0; q < 20; q++) {
                int y = r.nextInt(-1, n);
                Integer want = y < 0 ? null : oracle.floor(y);
                assertThat(set.floor(y)).as("n=%d floor(%d)", n, y).isEqualTo(want == null ? -1 : want);
            }
        }
        assertThat(set.floor(n - 1)).isEqualTo(oracle.last());
        assertThat(set.contains(oracle.first())).isTrue();
    }

    /**
     * The radix sort's most-significant-digit-first path (from {@link Sorting#MSD_MIN_ITEMS} items over 3 or more
     * digits) is the stable sort by unsigned key, on one core and on two: keys like the grouping's (42-bit region
     * and store index, each region on a few stores), with duplicates, buckets of every size from empty to most of
     * the items, and keys with the sign bit set (the start-key sort's chunks are unsigned).
     */
    @ParameterizedTest(name = "n={0}, shape {1}, two cores {2}")
    @CsvSource({"70000,0,true", "70000,0,false", "300000,0,true", "300000,0,false", "100000,1,true", "100000,1,false",
            "100000,2,true", "100000,2,false", "70000,3,true", "70000,3,false"})
    void msdFirstRadixIsTheStableUnsignedSort(int n, int shape, boolean twoCores) {
        SplittableRandom r = new SplittableRandom(31L * n + shape);
        long[] k = new long[n];
        for (int i = 0; i < n; i++) {
            k[i] = switch (shape) {
                case 0 -> (r.nextLong(1L << 40) << 2) | r.nextInt(3); // (region, store): distinct mostly
                case 1 -> r.nextInt(3) == 0 ? -1L - r.nextInt(5) : r.nextLong(); // sign bit set, duplicates
                case 2 -> r.nextInt(4) == 0 ? (long) r.nextInt(1 << 23) : 5L << 40; // one bucket holds 3/4
                default -> (long) r.nextInt(1 << 16) << 30; // ~34 items a bucket, duplicates in most
            };
        }
        long[] col = k.clone();
        int[] perm = IntStream.range(0, n).toArray();
        int saved = Parallel.threshold;
        Parallel.threshold = twoCores ? 2 : Integer.MAX_VALUE;
        try {
            Sorting.radix(perm, k, n);
        } finally {
            Parallel.threshold = saved;
        }
        Integer[] want = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(want, (a, b) -> Long.compareUnsigned(col[a], col[b])); // stable
        assertThat(perm).isEqualTo(Arrays.stream(want).mapToInt(Integer::intValue).toArray());
        for (int j = 0; j < n; j++) {
            if (k[j] != col[perm[j]]) {
                throw new AssertionError("key " + j + " not carried with its item");
            }
        }
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {2, 23, 25, 100, 5000, 70_000})
    void sortsAreStableAndCorrect(int n) {
        SplittableRandom r = new SplittableRandom(n);
        long[] col = new long[n];
        int[] small = new int[n];
        for (int i = 0; i < n; i++) {
            col[i] = r.nextInt(4) == 0 ? r.nextLong(Long.MAX_VALUE) : r.nextInt(20);
            small[i] = r.nextInt(7);
        }
        int[] perm = IntStream.range(0, n).toArray();
        Sorting.radixByColumn(perm, n, col);
        Integer[] want = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(want, Comparator.comparingLong(i -> col[i])); // stable
        assertThat(perm).isEqualTo(Arrays.stream(want).mapToInt(Integer::intValue).toArray());

        int[] m = IntStream.range(0, n).toArray();
        Sorting.mergeSort(m, n, (a, b) -> Integer.compare(small[a], small[b]));
        Integer[] want2 = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(want2, Comparator.comparingInt(i -> small[i]));
        assertThat(m).isEqualTo(Arrays.stream(want2).mapToInt(Integer::intValue).toArray());
    }

    /**
     * BR's tie classes: the packed-key radix sort (sets that fit 63 bits) and the comparator merge sort (wider ones)
     * both give the stable order of the sets compared lexicographically, prefix first, and the same class starts.
     */
    @ParameterizedTest(name = "stores={0}")
    @ValueSource(ints = {1, 2, 3, 5, 7, 8, 48, 300})
    void tieClassesSortLikeTheSetComparator(int stores) {
        long seed = 0x9E3779B97F4A7C15L * stores;
        SplittableRandom r = new SplittableRandom(seed);
        int n = 70_000; // over Parallel's threshold: the radix sort runs on two cores
        int[] off = new int[n + 1];
        int[] ts = new int[n * Math.min(stores, 12)];
        int used = 0;
        int widest = 0;
        for (int k = 0; k < n; k++) {
            int size = Math.min(stores, 1 + r.nextInt(r.nextInt(8) == 0 ? 12 : 3));
            TreeSet<Integer> set = new TreeSet<>();
            while (set.size() < size) {
                set.add(r.nextInt(Math.min(stores, 1 + r.nextInt(6) * 10)));
            }
            for (int v : set) {
                ts[used++] = v;
            }
            off[k + 1] = used;
            widest = Math.max(widest, size);
        }
        int[] order = IntStream.range(0, n).toArray();
        int[] classStart = new int[n + 1];
        int classes = LeaderBalancer.sortIntoClasses(order, n, ts, off, stores, widest, classStart);

        Integer[] want = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(want, (a, b) -> Arrays.compare(ts, off[a], off[a + 1], ts, off[b], off[b + 1])); // stable
        String where = "seed " + seed + " stores " + stores + " widest " + widest;
        assertThat(order).as(where).isEqualTo(Arrays.stream(want).mapToInt(Integer::intValue).toArray());
        int wantClasses = 0;
        for (int k = 0; k < n; k++) {
            int a = want[k];
            if (k == 0 || !Arrays.equals(ts, off[a], off[a + 1], ts, off[want[k - 1]], off[want[k - 1] + 1])) {
                assertThat(classStart[wantClasses++]).as(where).isEqualTo(k);
            }
        }
        assertThat(classes).as(where).isEqualTo(wantClasses);
        assertThat(classStart[classes]).as(where).isEqualTo(n);
    }

    /** Keys with long shared prefixes and lengths around the 8-byte chunk boundaries, as TiKV keys are. */
    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 2, 33, 100, 1000, 20_000})
    void sortByKeyAgreesWithTheComparator(int n) {
        SplittableRandom r = new SplittableRandom(n * 7L);
        byte[][] k = new byte[n][];
        for (int i = 0; i < n; i++) {
            int len = r.nextInt(4) == 0 ? r.nextInt(30) : new int[] {7, 8, 9, 15, 16, 17, 24, 25}[r.nextInt(8)];
            k[i] = new byte[len];
            for (int b = 0; b < len; b++) {
                // Mostly a shared prefix of 0x74/0xff bytes; the rest differs late and in both byte halves.
                k[i][b] = b < 12 && r.nextInt(8) != 0 ? (byte) 0x74 : (byte) (r.nextBoolean() ? 0xff : r.nextInt(3));
            }
        }
        assertSortsByKey(k, r);
    }

    /**
     * On two cores (every split taken, however small): one table's keys, a shared prefix of 0 to 3 chunks and then
     * some, beside an empty key and keys ending at the chunk boundaries of that prefix, so the sort descends
     * through chunks most items tie on, stops where a key ends inside one, and splits the runs left.
     */
    @ParameterizedTest(name = "prefix={0}")
    @ValueSource(ints = {0, 5, 8, 16, 19, 24})
    void sortByKeyOnTwoCoresAgreesWithTheComparator(int prefix) {
        int saved = Parallel.threshold;
        Parallel.threshold = 2;
        try {
            for (int n : new int[] {2, 3, 40, 3000}) {
                SplittableRandom r = new SplittableRandom(prefix * 31L + n);
                byte[][] k = new byte[n][];
                for (int i = 0; i < n; i++) {
                    int kind = r.nextInt(20);
                    int len = kind == 0 ? 0 : kind == 1 ? 8 * r.nextInt(4) : prefix + 1 + r.nextInt(12);
                    k[i] = new byte[len];
                    for (int b = 0; b < len; b++) {
                        k[i][b] = b < prefix ? (byte) (0x74 + b) : (byte) (r.nextInt(3) == 0 ? 0xff : r.nextInt(4));
                    }
                }
                assertSortsByKey(k, r);
            }
        } finally {
            Parallel.threshold = saved;
        }
    }

    /** {@link KeySorting#sortByKey} of the keys (ties broken by a random tag, then the item) against Arrays.sort. */
    private static void assertSortsByKey(byte[][] k, SplittableRandom r) {
        int n = k.length;
        long[] tie = new long[n];
        for (int i = 0; i < n; i++) {
            tie[i] = r.nextInt(5);
        }
        KeySorting.KeySource src = new KeySorting.KeySource() {
            @Override
            public long chunk(int item, int depth) {
                long v = 0;
                for (int b = 0; b < 8; b++) {
                    v = (v << 8) | (depth + b < k[item].length ? k[item][depth + b] & 0xFF : 0);
                }
                return v;
            }

            @Override
            public int length(int item) {
                return k[item].length;
            }

            @Override
            public int compare(int a, int b) {
                int c = Arrays.compareUnsigned(k[a], k[b]);
                return c != 0 ? c : Long.compare(tie[a], tie[b]) != 0 ? Long.compare(tie[a], tie[b]) : Integer.compare(a, b);
            }
        };
        int[] items = IntStream.range(0, n).toArray();
        KeySorting.sortByKey(items, n, src);
        Integer[] want = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(want, src::compare);
        assertThat(items).isEqualTo(Arrays.stream(want).mapToInt(Integer::intValue).toArray());
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {0, 7, 8, 9, 17})
    void keyArenaChunksAreBigEndianAndZeroPadded(int len) {
        KeyArena a = new KeyArena();
        byte[] key = new byte[len];
        for (int i = 0; i < len; i++) {
            key[i] = (byte) (0xf0 + i);
        }
        long addr = a.append(key, new byte[] {1, 2, 3});
        for (int depth = 0; depth <= len; depth += 8) {
            long want = 0;
            for (int b = 0; b < 8; b++) {
                want = (want << 8) | (depth + b < len ? key[depth + b] & 0xFF : 0);
            }
            assertThat(a.chunk(addr, len, depth)).as("depth %d", depth).isEqualTo(want);
        }
    }

    /**
     * Overlaps decides clusters of overlapping candidates one at a time (a candidate that overlaps nothing is kept
     * without the version sort): clusters of every size, nested and chained, equal versions broken by region id,
     * must decide as the oracle's one pass over all regions in version order. Wide regions spanning up to 300
     * tiles make clusters far above the merge sort's insertion runs.
     */
    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void overlapClustersOfAnySizeDecideAsTheOracle(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int tiles = 400;
        java.util.function.IntFunction<byte[]> bound = i -> i == 0 || i == tiles ? new byte[0]
                : new byte[] {(byte) (i >>> 8), (byte) i};
        java.util.List<Rows.Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < tiles; i++) {
            rows.add(Rows.Row.seedRow(1 + r.nextInt(3), 10 + i).withVersion(1 + r.nextInt(4)).withIndex(5)
                    .withRange(bound.apply(i), bound.apply(i + 1)));
        }
        int wides = 1 + r.nextInt(40);
        for (int w = 0; w < wides; w++) {
            int a = r.nextInt(tiles);
            int b = Math.min(tiles, a + 1 + r.nextInt(r.nextBoolean() ? 5 : 300));
            rows.add(Rows.Row.seedRow(1 + r.nextInt(3), 1000 + w).withVersion(1 + r.nextInt(5)).withIndex(5)
                    .withRange(bound.apply(a), bound.apply(b)));
        }
        java.util.Collections.shuffle(rows, new java.util.Random(seed));
        Oracle oracle = Oracle.of(rows, Policy.SEED);
        Plan p = (Plan) Planner.plan(Rows.table(rows), PlanOptions.of(Policy.SEED).withAcceptHoles(true));
        int dropped = 0;
        for (int g = 0; g < p.regionCount(); g++) {
            Oracle.Fate fate = p.kept(g) ? Oracle.Fate.KEPT
                    : p.fateRule(g) == Rule.GONE ? Oracle.Fate.GONE : Oracle.Fate.DROPPED;
            assertThat(fate).as("seed %d region %d", seed, p.regionId(g)).isEqualTo(oracle.regions.get(p.regionId(g)).fate);
            dropped += fate == Oracle.Fate.DROPPED ? 1 : 0;
        }
        assertThat(dropped).as("seed %d: the layout has overlaps to decide", seed).isPositive();
    }
}
