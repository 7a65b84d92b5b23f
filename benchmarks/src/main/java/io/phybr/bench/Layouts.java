package io.phybr.bench;

import io.phybr.contract.dump.StockReport;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.contract.dump.SeedReport;
import io.phybr.mock.gen.LayoutGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Benchmark layouts, collected the way an adviser receives them. */
final class Layouts {
    /** Ids below 2^40 are scattered by an odd multiplier mod 2^40: a bijection, so ids stay unique. */
    private static final long ID_BITS_MASK = (1L << 40) - 1;

    private Layouts() {
    }

    /**
     * mock-tikv's capacity layout (TiDB record keys, ~5% of regions with a replica that missed a
     * split, lagging followers, merged-away tombstones), arriving store after store as the
     * stores stream them, with region ids scattered over key order as splits leave them in a
     * real cluster.
     */
    static ReplicaTable realistic(long seed, int regions, int stores, boolean stock) {
        ReplicaTable t = new ReplicaTable((int) Math.min(Integer.MAX_VALUE - 8, regions * 3L + regions / 50 + 16));
        try {
            for (long s = 1; s <= stores; s++) {
                final long store = s;
                LayoutGenerator gen = new LayoutGenerator(seed, regions, stores, 3, 0.05);
                if (stock) {
                    gen.generate((StockReport r) -> {
                        if (r.store() == store) {
                            t.addStock(r.region(scatter(r.regionId()))); // the report is the sink's until it returns
                        }
                    });
                } else {
                    gen.generate((SeedReport r) -> {
                        if (r.store() == store) {
                            t.addSeed(r.region(scatter(r.regionId())));
                        }
                    });
                }
                t.declareStore(store);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }

    static long scatter(long id) {
        return (id * 0x9E3779B97F4A7C15L) & ID_BITS_MASK;
    }
}
