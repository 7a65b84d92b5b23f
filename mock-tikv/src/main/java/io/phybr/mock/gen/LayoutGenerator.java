package io.phybr.mock.gen;

import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.dump.StockReport;
import io.phybr.mock.model.Keys;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * The fast path for capacity tests: draws a restored cluster's region reports directly, without
 * replaying a history, for millions of regions in constant memory. The layout is what histories
 * produce at scale: regions tile the key space with TiDB record keys as boundaries; most replicas
 * agree, followers lag by a few entries, and about {@code staleFraction} of regions had a split
 * that one store did not apply (that store shows the parent's wider range at the older version and
 * lacks the right half), plus a few tombstones of merged-away regions. Keys are written into
 * rotating buffers: a sink must consume (or copy) them before returning.
 */
public final class LayoutGenerator {

    /**
     * Receives one replica's protocol-A report, by name (it was eight positional arguments). The report and its key
     * arrays are reused for the next replica: consume or copy them before returning.
     */
    @FunctionalInterface
    public interface SeedSink {
        void replica(SeedReport report) throws IOException;
    }

    /** Receives one replica's protocol-B report (stock TiKV: no tombstones, commit_index 0), reused as above. */
    @FunctionalInterface
    public interface StockSink {
        void replica(StockReport report) throws IOException;
    }

    /** Counts of what was generated. */
    public record Stats(long regions, long replicas, long staleReplicas, long tombstones) {
    }

    /** Key ordinals between two boundaries: room for the jitter and for keys inside a region. */
    static final long ROWS_PER_REGION = 1000;

    private final long seed;
    private final long regions;
    private final int stores;
    private final int replicas;
    private final double staleFraction;
    private double missedMergeFraction;

    public LayoutGenerator(long seed, long regions, int stores, int replicas, double staleFraction) {
        if (regions < 1) {
            throw new IllegalArgumentException("--regions must be at least 1, not " + regions);
        }
        if (stores < 1) {
            throw new IllegalArgumentException("--stores must be at least 1, not " + stores);
        }
        if (replicas < 1 || replicas > stores) {
            throw new IllegalArgumentException("replicas per region must be between 1 and the store count " + stores
                    + ", not " + replicas);
        }
        if (staleFraction < 0 || staleFraction > 0.5) {
            throw new IllegalArgumentException("the stale fraction must be between 0 and 0.5, not " + staleFraction);
        }
        this.seed = seed;
        this.regions = regions;
        this.stores = stores;
        this.replicas = replicas;
        this.staleFraction = staleFraction;
    }

    /** Boundary {@code i} (1 ≤ i < regions), {@code jitter} < 1000, as a TiDB record key written into {@code buf}. */
    private static void boundary(long i, long jitter, byte[] buf) {
        RecordKeys.CAPACITY.key(i * ROWS_PER_REGION + jitter, buf);
    }

    /**
     * Also leaves, after about {@code fraction} of the regions, the source of a merge alive on a store
     * that missed the merge: a live replica of another region over the same range at an older version,
     * which a correct plan drops. 0 (the default) draws exactly the layout without it.
     */
    public LayoutGenerator withMissedMerges(double fraction) {
        if (fraction < 0 || fraction > 0.5) {
            throw new IllegalArgumentException("the missed-merge fraction must be between 0 and 0.5, not " + fraction);
        }
        this.missedMergeFraction = fraction;
        return this;
    }

    public Stats generate(SeedSink seedSink) throws IOException {
        return run(seedSink, null);
    }

    public Stats generate(StockSink stockSink) throws IOException {
        return run(null, stockSink);
    }

    private Stats run(SeedSink seedSink, StockSink stockSink) throws IOException {
        Reports out = new Reports(seedSink, stockSink);
        SplittableRandom rng = new SplittableRandom(seed);
        // rotating key buffers: start of region i, end of region i, end of region i+1
        byte[][] keys = {new byte[RecordKeys.LENGTH], new byte[RecordKeys.LENGTH], new byte[RecordKeys.LENGTH]};
        byte[] empty = Keys.EMPTY;
        long replicaCount = 0;
        long staleCount = 0;
        long tombstones = 0;
        long[] storeOf = new long[replicas];
        // state carried from a region whose right half it split off
        boolean childOfStale = false;
        long carriedVersion = 0;
        long carriedBase = 0;
        long missingStore = -1;
        if (regions > 1) {
            boundary(1, rng.nextLong(1000), keys[1]);
        }
        for (long i = 1; i <= regions; i++) {
            byte[] start = i == 1 ? empty : keys[0];
            byte[] end = i == regions ? empty : keys[1];
            boolean hasNext = i + 1 <= regions;
            if (i + 1 < regions) {
                boundary(i + 1, rng.nextLong(1000), keys[2]);
            }
            byte[] nextEnd = i + 1 >= regions ? empty : keys[2];
            long regionId = 2 * i + 2; // TiKV allocates ids in steps; region 1 is rarely left
            long version;
            long base;
            if (childOfStale) {
                version = carriedVersion;
                base = carriedBase;
            } else {
                version = 2 + rng.nextInt(60);
                base = rng.nextInt(stores);
            }
            for (int r = 0; r < replicas; r++) {
                storeOf[r] = 1 + (base + r) % stores;
            }
            long applied = 60 + rng.nextInt(100_000);
            long term = 6 + rng.nextInt(4);
            boolean stale = !childOfStale && hasNext && rng.nextDouble() < staleFraction / 2;
            int staleReplica = stale ? 1 + rng.nextInt(Math.max(1, replicas - 1)) % replicas : -1;
            if (replicas == 1) {
                stale = false;
                staleReplica = -1;
            }
            for (int r = 0; r < replicas; r++) {
                long store = storeOf[r];
                if (childOfStale && store == missingStore) {
                    continue; // the split never applied there: no peer of the right half
                }
                long a = applied;
                long t = term;
                long v = version;
                byte[] e = end;
                if (r == staleReplica) {
                    a = Math.max(5, applied - 3 - rng.nextInt(50));
                    v = version - 1;
                    e = nextEnd;
                    staleCount++;
                } else if (r > 0 && rng.nextInt(10) == 0) {
                    a = applied - rng.nextInt(5); // a follower a few entries behind
                }
                if (r > 0 && rng.nextInt(50) == 0) {
                    t = term - 1; // missed the last election
                }
                long peerId = regionId * 8 + replicas;
                // a replica that missed the split persisted nothing after it: last = applied
                long last = r == staleReplica ? a : a + rng.nextInt(3);
                out.emit(store, regionId, peerId, a, last, t, Math.max(1, v), false, start, e);
                replicaCount++;
            }
            if (!childOfStale && rng.nextInt(100) == 0) {
                // a merged-away source whose tombstone stayed on one store
                long ghost = 2 * (regions + i) + 3;
                if (seedSink != null) {
                    out.emit(storeOf[0], ghost, 0, applied, applied, term, Math.max(1, version - 2), true, start, end);
                    tombstones++;
                    replicaCount++;
                }
            }
            if (missedMergeFraction > 0 && !childOfStale && rng.nextDouble() < missedMergeFraction) {
                // a merge source still alive where the merge never applied: older version, same range
                long source = 4 * regions + 2 * i + 5;
                out.emit(storeOf[replicas - 1], source, source * 8 + replicas, applied / 2,
                        applied / 2, term, Math.max(1, version - 1), false, start, end);
                replicaCount++;
            }
            childOfStale = stale;
            if (stale) {
                carriedVersion = version;
                carriedBase = base;
                missingStore = storeOf[staleReplica];
            }
            byte[] t0 = keys[0];
            keys[0] = keys[1];
            keys[1] = keys[2];
            keys[2] = t0;
        }
        return new Stats(regions, replicaCount, staleCount, tombstones);
    }

    /** The one sink of a run and the one report it is handed, refilled for every replica. */
    private record Reports(SeedSink seedSink, StockSink stockSink, SeedReport seed, StockReport stock) {
        Reports(SeedSink seedSink, StockSink stockSink) {
            this(seedSink, stockSink, new SeedReport(), new StockReport());
        }

        /** A replica as the run's protocol reports it: stock TiKV shows no tombstones and commit_index 0. */
        void emit(long store, long regionId, long peerId, long applied, long last, long term, long version,
                  boolean tombstone, byte[] start, byte[] end) throws IOException {
            if (seedSink != null) {
                seedSink.replica(seed.store(store).region(regionId).appliedIndex(applied).term(term).version(version)
                        .tombstone(tombstone).keys(start, end));
            } else if (!tombstone) {
                stockSink.replica(stock.store(store).region(regionId).peerId(peerId).lastLogTerm(term).lastIndex(last)
                        .commitIndex(0).version(version).tombstone(false).keys(start, end));
            }
        }
    }
}
