package io.phybr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.mock.gen.LayoutShape;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The benchmark layouts are clusters TiKV could hold ({@link LayoutShape}): record keys in TiKV's order at every
 * size, stale replicas older than what they overlap. (The realistic layout is mock-tikv's generator, checked up to
 * a million regions in mock-tikv; this is the overlap-heavy one.)
 */
class BenchmarkLayoutsAreValidTest {

    @ParameterizedTest(name = "{0} regions, seed {1}, stock {2}, overlaps {3}")
    @CsvSource({"1,1,false,false", "2,2,true,true", "3,3,false,true", "10001,4,true,false", "10001,5,false,true",
            "200000,6,true,true"})
    void syntheticLayoutsTileTheKeySpace(int regions, long seed, boolean stock, boolean overlaps) throws IOException {
        ReplicaTable t = SyntheticLayout.build(seed, regions, 0.2, stock, overlaps);
        LayoutShape.Result r = LayoutShape.check(sink -> {
            for (int i = 0; i < t.size(); i++) {
                sink.replica(t.store(i), t.regionId(i), t.version(i), t.tombstone(i), t.startKey(i), t.endKey(i));
            }
        });
        assertThat(r.problems()).as("SyntheticLayout.build(%d, %d, 0.2, %s, %s)", seed, regions, stock, overlaps)
                .isEmpty();
        // merged-away regions alive on one store are the only regions not in the final layout
        assertThat(r.regions() - r.superseded()).isEqualTo(regions);
    }
}
