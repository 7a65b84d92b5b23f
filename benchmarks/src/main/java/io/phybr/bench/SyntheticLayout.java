package io.phybr.bench;

import io.phybr.contract.dump.StockReport;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.contract.dump.SeedReport;
import io.phybr.mock.gen.RecordKeys;
import java.util.SplittableRandom;

/**
 * The overlap-heavy worst case for the planner (realistic layouts come from mock-tikv's generator,
 * see {@link Layouts}), built straight into a {@link ReplicaTable}: regions tile the key space with
 * TiDB-like 27-byte record keys, ids scattered with respect to key order, 3 replicas on 3 stores
 * arriving store after store, and a share of regions whose replicas disagree the way a volume
 * snapshot leaves them — with {@code overlaps}, every one of them a distinct merged-away region
 * still alive on one store, overlapping a kept one. Deterministic in its seed.
 */
public final class SyntheticLayout {
    private SyntheticLayout() {
    }

    /**
     * @param regions  regions in the true layout
     * @param stale    share of regions with a stale replica (0.05 = 5%)
     * @param stock    fill stock-TiKV fields (BR policy) instead of seed fields
     * @param overlaps make every stale replica an overlapping stale region (the worst case)
     */
    public static ReplicaTable build(long seed, int regions, double stale, boolean stock, boolean overlaps) {
        SplittableRandom rnd = new SplittableRandom(seed);
        final int stores = 3;
        ReplicaTable t = new ReplicaTable((int) Math.min(Integer.MAX_VALUE - 8, regions * 3L + regions * stale * 2 + 16));
        long mult = coprimeMultiplier(regions, rnd);
        // Per region: version, index, term; which regions are stale, decided up front so that
        // every store sees the same history.
        int[] version = new int[regions];
        byte[] kind = new byte[regions]; // 0 healthy, 1 store 3 missed the split of i into i and i+1, 2 merged-away source alive
        for (int i = 0; i < regions; i++) {
            version[i] = 2 + rnd.nextInt(1000);
            if (i + 1 < regions && rnd.nextDouble() < stale) {
                kind[i] = (byte) (overlaps || rnd.nextBoolean() ? 2 : 1);
                if (kind[i] == 1) {
                    kind[i + 1] = 3; // the right half: no replica on store 3 yet
                    i++;
                    // a split gives both halves the parent's new version, above the stale replica's
                    version[i] = version[i - 1];
                }
            }
        }
        int extraId = regions;
        for (int s = 1; s <= stores; s++) {
            SplittableRandom storeRnd = new SplittableRandom(seed * 31 + s);
            for (int i = 0; i < regions; i++) {
                long id = 1 + (i * mult) % regions;
                byte[] start = i == 0 ? new byte[0] : key(i);
                byte[] end = i + 1 == regions ? new byte[0] : key(i + 1);
                long index = 1000 + (i % 977);
                long term = 6 + (i % 5);
                if (kind[i] == 3 && s == 3) {
                    continue;
                }
                if (kind[i] == 1 && s == 3) {
                    // Missed the split: the parent's range, one version older.
                    byte[] parentEnd = i + 2 >= regions ? new byte[0] : key(i + 2);
                    add(t, stock, s, id, index - 5, term, version[i] - 1, start, parentEnd);
                    continue;
                }
                // Followers are sometimes behind; after a quiet backup most replicas tie.
                long lag = storeRnd.nextInt(20) == 0 ? 1 + storeRnd.nextInt(5) : 0;
                add(t, stock, s, id, index - lag, term, version[i], start, end);
                if (kind[i] == 2 && s == 2) {
                    // A region merged into i long ago; store 2 never applied the merge.
                    byte[] mid = midKey(i);
                    add(t, stock, s, ++extraId, 50, term - 1, 1, start, mid);
                }
            }
        }
        for (int s = 1; s <= stores; s++) {
            t.declareStore(s);
        }
        return t;
    }

    private static void add(ReplicaTable t, boolean stock, long store, long id, long index, long term, long version,
                            byte[] start, byte[] end) {
        if (stock) {
            t.addStock(new StockReport().store(store).region(id).peerId(id * 3 + store).lastLogTerm(term)
                    .lastIndex(index).commitIndex(0).version(version).tombstone(false).keys(start, end));
        } else {
            t.addSeed(new SeedReport().store(store).region(id).appliedIndex(index).term(term).version(version)
                    .tombstone(false).keys(start, end));
        }
    }

    /** Boundary {@code i}: mock-tikv's shared record-key maker, as the realistic layouts use. */
    static byte[] key(long i) {
        return RecordKeys.CAPACITY.key(i * 1000);
    }

    /** A key strictly inside region {@code i}, i.e. in (key(i), key(i+1)); region 0 starts at the empty key. */
    private static byte[] midKey(long i) {
        return RecordKeys.CAPACITY.key(i * 1000 + 500);
    }

    private static long coprimeMultiplier(int n, SplittableRandom rnd) {
        while (true) {
            long a = 1 + rnd.nextInt(Math.max(1, n - 1)) + (long) n / 3;
            if (gcd(a % Math.max(n, 1), n) == 1) {
                return a % n == 0 ? 1 : a % n;
            }
        }
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
