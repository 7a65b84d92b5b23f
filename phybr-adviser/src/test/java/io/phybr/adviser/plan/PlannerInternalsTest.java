package io.phybr.adviser.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
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
}
