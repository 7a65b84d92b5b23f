package io.phybr.mock;

import io.phybr.contract.dump.SeedReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.mock.gen.LayoutGenerator;
import io.phybr.mock.gen.LayoutShape;
import io.phybr.mock.model.Keys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayoutGeneratorTest {

    private static long checksum(long seed, long regions) throws IOException {
        CRC32 crc = new CRC32();
        new LayoutGenerator(seed, regions, 5, 3, 0.05).generate((SeedReport r) -> {
            crc.update(Long.hashCode(r.store() * 31 + r.regionId() * 17 + r.appliedIndex() * 7 + r.term() * 3
                    + r.version() + (r.tombstone() ? 1 : 0)));
            crc.update(r.startKey());
            crc.update(0xff);
            crc.update(r.endKey());
        });
        return crc.getValue();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 99})
    void sameSeedSameLayout(long seed) throws IOException {
        assertThat(checksum(seed, 20_000)).as("seed %d", seed).isEqualTo(checksum(seed, 20_000));
        assertThat(checksum(seed, 20_000)).as("seed %d", seed).isNotEqualTo(checksum(seed + 1, 20_000));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 99})
    void missedMergesLeaveOlderLiveSourcesANewerRegionSupersedesAndNothingElseChanges(long seed) throws IOException {
        LayoutGenerator gen = new LayoutGenerator(seed, 2_000, 3, 3, 0.05).withMissedMerges(0.1);
        List<String> plain = new ArrayList<>();
        List<String> withMerges = new ArrayList<>();
        new LayoutGenerator(seed, 2_000, 3, 3, 0.05).generate((SeedReport x) -> plain.add(line(x)));
        new LayoutGenerator(seed, 2_000, 3, 3, 0.05).withMissedMerges(0).generate((SeedReport x) -> withMerges.add(line(x)));
        assertThat(withMerges).as("fraction 0 draws the same layout").isEqualTo(plain);
        LayoutShape.Result r = LayoutShape.check(sink -> gen.generate((SeedReport x) -> sink.replica(x.store(),
                x.regionId(), x.version(), x.tombstone(), x.startKey(), x.endKey())));
        assertThat(r.problems()).as("seed %d", seed).isEmpty();
        assertThat(r.superseded()).as("seed %d: merge sources left alive", seed).isBetween(100L, 300L);
    }

    private static String line(SeedReport x) {
        return x.store() + "/" + x.regionId() + "/" + x.appliedIndex() + "/" + x.term() + "/" + x.version() + "/"
                + x.tombstone() + "/" + Keys.hex(x.startKey()) + "/" + Keys.hex(x.endKey());
    }

    record R(long store, long applied, long version, byte[] start, byte[] end) {
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 4, 5})
    void mostAppliedReplicasTileTheKeySpaceAndStaleOnesOverlap(long seed) throws IOException {
        Map<Long, List<R>> byRegion = new HashMap<>();
        LayoutGenerator.Stats st = new LayoutGenerator(seed, 5_000, 3, 3, 0.05).generate(
                (SeedReport x) -> {
                    if (!x.tombstone()) {
                        byRegion.computeIfAbsent(x.regionId(), k -> new ArrayList<>()).add(new R(x.store(),
                                x.appliedIndex(), x.version(), x.startKey().clone(), x.endKey().clone()));
                    }
                });
        List<R> leaders = new ArrayList<>();
        long staleSeen = 0;
        for (List<R> reps : byRegion.values()) {
            R best = reps.stream().max((a, b) -> Long.compare(a.applied, b.applied)).orElseThrow();
            leaders.add(best);
            for (R r : reps) {
                if (!Arrays.equals(r.end, best.end)) {
                    staleSeen++;
                    assertThat(r.version).isLessThan(best.version);
                    assertThat(Keys.compareEnd(r.end, best.end)).isPositive();
                }
            }
        }
        assertThat(staleSeen).isEqualTo(st.staleReplicas()).isBetween(50L, 250L);
        leaders.sort((a, b) -> Keys.compare(a.start, b.start));
        byte[] reach = Keys.EMPTY;
        for (R l : leaders) {
            assertThat(Keys.hex(l.start)).isEqualTo(Keys.hex(reach));
            reach = l.end;
        }
        assertThat(reach).isEmpty();
        assertThat(leaders).hasSize(5_000);
        assertThat(leaders.get(1).start).hasSize(27);
    }

    @Test
    void aMillionRegionsStreamQuicklyInConstantMemory() throws IOException {
        long t0 = System.nanoTime();
        long[] n = new long[1];
        LayoutGenerator.Stats st = new LayoutGenerator(11, 1_000_000, 3, 3, 0.05)
                .generate((SeedReport x) -> n[0]++);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(n[0]).isEqualTo(st.replicas()).isGreaterThan(2_900_000);
        assertThat(seconds).as("seconds for 1M regions").isLessThan(20);
    }

    @Test
    void badSizesAreOneParagraphErrors() {
        assertThatThrownBy(() -> new LayoutGenerator(1, 0, 3, 3, 0.05)).hasMessageContaining("--regions");
        assertThatThrownBy(() -> new LayoutGenerator(1, 10, 2, 3, 0.05)).hasMessageContaining("replicas");
    }
}
