package io.phybr.mock.stock;

import io.phybr.contract.dump.StockReport;
import io.phybr.mock.gen.LayoutGenerator;
import io.phybr.mock.gen.RecordKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Generated layouts for tests: {@code regions} regions splitting the key space at TiDB record keys
 * ({@link #key}), each with a replica on every store. Seeded, so a failing case replays.
 */
public final class StockLayouts {
    private StockLayouts() {
    }

    /** Boundary {@code i}: the empty key for 0, else a record key of {@link RecordKeys#CAPACITY}, increasing with i. */
    public static byte[] key(int i) {
        return i == 0 ? new byte[0] : RecordKeys.CAPACITY.key(i * 1000L);
    }

    /**
     * A consistent layout: region {@code r} (id {@code 100 + r}) covers {@code [key(r), key(r+1))}, the last one
     * up to +inf; peers {@code 1000 + 10 r + s}; random term/index per replica (some lag behind), some not applied.
     */
    public static List<StockReplica> healthy(int stores, int regions, long seed) {
        Random rnd = new Random(seed);
        List<StockReplica> out = new ArrayList<>();
        for (int r = 0; r < regions; r++) {
            long region = 100 + r;
            long[] peers = new long[stores];
            for (int s = 1; s <= stores; s++) {
                peers[s - 1] = 1000 + 10L * r + s;
            }
            long term = 5 + rnd.nextInt(3);
            long index = 10 + rnd.nextInt(50);
            byte[] start = key(r);
            byte[] end = r == regions - 1 ? new byte[0] : key(r + 1);
            for (int s = 1; s <= stores; s++) {
                long lag = rnd.nextInt(4) == 0 ? rnd.nextInt(5) : 0;
                long last = index - lag;
                long applied = last - (rnd.nextBoolean() ? rnd.nextInt(3) : 0);
                out.add(new StockReplica(s, LocalPeer.of(region).peers(peers).lastLogTerm(term).lastIndex(last)
                        .version(3).range(start, end).build(), applied));
            }
        }
        return out;
    }

    /**
     * The {@code stores} command's generated layout, straight into in-memory stores: mock-tikv's capacity generator
     * ({@link LayoutGenerator}, the layout of {@code dump --regions --protocol stock}: record keys, 3 replicas over
     * {@code stores} stores — fewer when there are fewer stores — about 5% of regions with a replica that missed a
     * split, lagging followers), some replicas not yet applied to their last index. Memory is the stores' peer
     * columns: a million regions are a few hundred MB.
     */
    public static List<InMemoryStoreBackend> generated(int stores, long regions, long seed) {
        List<InMemoryStoreBackend> out = new ArrayList<>();
        for (long s = 1; s <= stores; s++) {
            out.add(new InMemoryStoreBackend(s));
        }
        SplittableRandom applied = new SplittableRandom(seed ^ 0x5DEECE66DL);
        try {
            new LayoutGenerator(seed, regions, stores, Math.min(3, stores), 0.05).generate(
                    (StockReport r) -> out.get((int) r.store() - 1).addPeer(LocalPeer.of(r.regionId())
                            .peers(r.peerId()).lastLogTerm(r.lastLogTerm()).lastIndex(r.lastIndex())
                            .commitIndex(r.commitIndex()).version(r.version()).range(r.startKey(), r.endKey()).build(),
                            r.lastIndex() - (applied.nextInt(4) == 0 ? applied.nextInt(3) : 0)));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the sink does no I/O
        }
        InMemoryStoreBackend.link(out); // a region's replicas are each other's voters
        return out;
    }

    /** Removes every replica of one region: a hole the planner must refuse. */
    public static List<StockReplica> withHole(List<StockReplica> layout, long region) {
        return layout.stream().filter(r -> r.peer().regionId() != region).toList();
    }

    /**
     * Adds a stale region overlapping a newer one: region {@code staleId} with version 1 covering the
     * first two regions' range, on store 1 only. The planner drops it (tombstone request).
     */
    public static List<StockReplica> withStaleOverlap(List<StockReplica> layout, long staleId) {
        List<StockReplica> out = new ArrayList<>(layout);
        out.add(new StockReplica(1, LocalPeer.of(staleId).peers(9001).lastLogTerm(3).lastIndex(5).version(1)
                .range(key(0), key(2)).build(), 5));
        return out;
    }
}
