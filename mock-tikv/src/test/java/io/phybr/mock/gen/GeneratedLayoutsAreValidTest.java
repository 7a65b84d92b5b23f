package io.phybr.mock.gen;

import io.phybr.contract.dump.StockReport;
import io.phybr.contract.dump.SeedReport;
import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.stock.StockLayouts;
import io.phybr.mock.stock.StockReplica;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property: every layout generator of the mock gives a cluster TiKV could hold ({@link LayoutShape}) at any size,
 * from one region to a million — past the 10,000 regions where decimal text keys ({@code k9999} after
 * {@code k10000}) used to break the {@code stores} layout. Each size draws its own seed from the base seed below;
 * a failure names both, and {@code -Dphybr.layout.seed=N} replays another base.
 */
class GeneratedLayoutsAreValidTest {
    private static final long BASE_SEED = Long.getLong("phybr.layout.seed", 20261126L);

    private static long seedFor(long size) {
        return new SplittableRandom(BASE_SEED ^ size * 0x9E3779B97F4A7C15L).nextLong();
    }

    private static String why(String generator, long size, long seed) {
        return generator + " with " + size + " regions, seed " + seed + " (base seed " + BASE_SEED + ")";
    }

    /** The fast generator of {@code dump --regions} and of {@code stores --regions}, both protocols. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 7, 100, 9_999, 10_000, 10_001, 100_000, 1_000_000})
    void theCapacityGeneratorTilesTheKeySpaceInTikvOrder(long regions) throws IOException {
        long seed = seedFor(regions);
        int stores = 3 + (int) Math.floorMod(seed, 3);
        LayoutGenerator gen = new LayoutGenerator(seed, regions, stores, 3, 0.05);
        LayoutShape.Result seedSide = LayoutShape.check(sink -> gen.generate((SeedReport r) -> sink.replica(r.store(),
                r.regionId(), r.version(), r.tombstone(), r.startKey(), r.endKey())));
        assertThat(seedSide.problems()).as(why("LayoutGenerator (seed protocol)", regions, seed)).isEmpty();
        assertThat(seedSide.regions()).isEqualTo(regions);
        assertThat(seedSide.superseded()).isZero();
        if (regions <= 100_000) { // the stock view is the same layout minus tombstones; one big size is enough
            LayoutShape.Result stock = LayoutShape.check(sink -> gen.generate((StockReport r) -> sink.replica(r.store(),
                    r.regionId(), r.version(), false, r.startKey(), r.endKey())));
            assertThat(stock.problems()).as(why("LayoutGenerator (stock)", regions, seed)).isEmpty();
            assertThat(stock.regions()).isEqualTo(regions);
        }
    }

    /** The test layouts of the stock stores (a replica of every region on every store). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 9, 10_001, 100_000})
    void stockTestLayoutsTileTheKeySpace(int regions) throws IOException {
        long seed = seedFor(regions);
        List<StockReplica> layout = StockLayouts.healthy(3, regions, seed);
        LayoutShape.Result r = LayoutShape.check(sink -> {
            for (StockReplica x : layout) {
                sink.replica(x.store(), x.peer().regionId(), x.peer().version(), x.peer().tombstone(),
                        x.peer().startKey(), x.peer().endKey());
            }
        });
        assertThat(r.problems()).as(why("StockLayouts.healthy", regions, seed)).isEmpty();
        assertThat(r.regions()).isEqualTo(regions);
        assertThat(r.superseded()).isZero();
    }

    /**
     * Random histories replayed through the model, the store images as the stores would report them. Up to 20,000
     * regions: the model settles every group after every step, so a 100,000-region history takes about a minute.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 40, 1_000, 20_000})
    void randomHistoriesLeaveValidClusters(int regions) throws IOException {
        for (int k = 0; k < (regions <= 40 ? 25 : 1); k++) {
            long seed = seedFor(regions) + k;
            Backup b = RandomHistory.generate(seed, RandomHistory.Options.defaults().withSizes(0, regions, 0)).run();
            LayoutShape.Result r = LayoutShape.check(sink -> {
                for (StoreImage img : b.images().values()) {
                    for (Peer p : img.allPeers()) {
                        sink.replica(img.id, p.regionId(), p.version(), p.tombstone(), p.start(), p.end());
                    }
                }
            });
            assertThat(r.problems()).as(why("RandomHistory", regions, seed)).isEmpty();
            assertThat(r.regions()).isGreaterThanOrEqualTo(1);
        }
    }

    /** The checker is not a check that cannot fail: the old decimal keys, holes, overlaps and bad encodings fail. */
    @Test
    void theCheckRefusesWhatTikvWouldNotHold() throws IOException {
        // the bug of issue 17: k9999 sorts after k10000, so region 10000's range is empty
        LayoutShape.Result decimal = LayoutShape.check(sink -> {
            for (int i = 9_998; i <= 10_001; i++) {
                byte[] s = i == 9_998 ? Keys.EMPTY : ("k" + i).getBytes(StandardCharsets.US_ASCII);
                byte[] e = i == 10_001 ? Keys.EMPTY : ("k" + (i + 1)).getBytes(StandardCharsets.US_ASCII);
                sink.replica(1, i, 1, false, s, e);
            }
        });
        assertThat(decimal.problems()).anyMatch(p -> p.contains("is not a memcomparable TiDB record key"));

        byte[] a = RecordKeys.CAPACITY.key(1000);
        byte[] b = RecordKeys.CAPACITY.key(2000);
        byte[] c = RecordKeys.CAPACITY.key(3000);
        assertThat(LayoutShape.check(sink -> {
            sink.replica(1, 1, 5, false, Keys.EMPTY, a);
            sink.replica(1, 2, 5, false, b, Keys.EMPTY);
        }).problems()).singleElement().asString().contains("have no region");
        assertThat(LayoutShape.check(sink -> {
            sink.replica(1, 1, 5, false, Keys.EMPTY, b);
            sink.replica(1, 2, 5, false, a, Keys.EMPTY);
        }).problems()).anyMatch(p -> p.contains("overlap at the same version 5"));
        assertThat(LayoutShape.check(sink -> {
            sink.replica(1, 1, 5, false, b, a);
        }).problems()).singleElement().asString().contains("is not below end_key");
        // a replica that missed a split must be older than the half it still covers
        assertThat(LayoutShape.check(sink -> {
            sink.replica(1, 1, 6, false, Keys.EMPTY, a);
            sink.replica(2, 1, 5, false, Keys.EMPTY, c);
            sink.replica(1, 2, 5, false, a, Keys.EMPTY);
        }).problems()).singleElement().asString().contains("must have a lower version");
        assertThat(LayoutShape.check(sink -> {
            sink.replica(1, 1, 6, false, Keys.EMPTY, a);
            sink.replica(2, 1, 6, false, Keys.EMPTY, c);
            sink.replica(1, 2, 6, false, a, Keys.EMPTY);
        }).problems()).anyMatch(p -> p.contains("another replica at the same version"));
        // a merged-away region alive on one store is fine when older than the merge target
        assertThat(LayoutShape.check(sink -> {
            sink.replica(1, 1, 7, false, Keys.EMPTY, b);
            sink.replica(2, 2, 5, false, a, b);
            sink.replica(1, 3, 7, false, b, Keys.EMPTY);
        })).satisfies(r -> assertThat(r.problems()).isEmpty()).extracting(LayoutShape.Result::superseded).isEqualTo(1L);
        assertThat(LayoutShape.check(sink -> {
            sink.replica(1, 1, 6, false, Keys.EMPTY, Keys.EMPTY);
            sink.replica(1, 1, 6, false, Keys.EMPTY, Keys.EMPTY);
        }).problems()).singleElement().asString().contains("two replicas of the region");
        byte[] torn = a.clone();
        torn[26] = (byte) 0xff;
        assertThat(LayoutShape.check(sink -> sink.replica(1, 1, 6, false, torn, Keys.EMPTY)).problems())
                .singleElement().asString().contains("not a memcomparable");
    }

    /** The shared key maker orders keys as TiKV does at table boundaries and beyond 2^31 ordinals. */
    @Test
    void recordKeysIncreaseWithTheOrdinalInUnsignedByteOrder() {
        RecordKeys k = new RecordKeys(88, 1_000_000);
        long[] ordinals = {0, 1, 255, 256, 999_999, 1_000_000, 1_000_001, Integer.MAX_VALUE, 1L << 40};
        for (int i = 1; i < ordinals.length; i++) {
            assertThat(Keys.compare(k.key(ordinals[i - 1]), k.key(ordinals[i])))
                    .as("%d < %d", ordinals[i - 1], ordinals[i]).isNegative();
            assertThat(LayoutShape.wellFormed(k.key(ordinals[i]))).isTrue();
        }
        assertThat(k.key(1_000_000)).isEqualTo(Keys.tidbRecordKey(89, 0));
    }
}
