package io.phybr.adviser.protocol.seed;

import com.google.protobuf.ByteString;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.contract.dump.SeedReport;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import io.phybr.mock.gen.LayoutGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Region reports of a few stores, as agents would send them, plus what the planner makes of them
 * (the expectation of a transport test: every store must receive exactly its part of the plan).
 * The layout itself is the mock cluster's seeded generator ({@link LayoutGenerator}: TiDB record
 * keys, lagging followers, a replica that missed a split showing the wider parent range, merged
 * tombstones, merge sources left alive where a merge missed); only the planner side is the adviser's own.
 */
public final class Layout {
    public final TreeMap<Long, List<RegionMeta>> byStore = new TreeMap<>();

    /** {@code regions} regions, each on every one of {@code stores} stores (at most 3), shuffled per store. */
    public static Layout random(long seed, int stores, int regions) {
        Layout l = new Layout();
        for (long s = 1; s <= stores; s++) {
            l.byStore.put(s, new ArrayList<>());
        }
        try {
            new LayoutGenerator(seed, regions, stores, Math.min(3, stores), 0.2).withMissedMerges(0.1).generate(
                    (SeedReport r) -> l.add(r.store(), r.regionId(), r.appliedIndex(), r.term(), r.version(),
                            r.tombstone(), r.startKey().clone(), r.endKey().clone()));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the sink does no I/O
        }
        Random rnd = new Random(seed);
        for (List<RegionMeta> metas : l.byStore.values()) {
            Collections.shuffle(metas, rnd); // arrival order must not matter
        }
        return l;
    }

    /** A few regions, no surprises: region i on every store. */
    public static Layout simple(int stores, int regions) {
        return random(42, stores, regions);
    }

    public void add(long store, long region, long index, long term, long version, boolean tombstone, byte[] start, byte[] end) {
        byStore.computeIfAbsent(store, k -> new ArrayList<>()).add(meta(region, index, term, version, tombstone, start, end));
    }

    public static RegionMeta meta(long region, long index, long term, long version, boolean tombstone, byte[] start, byte[] end) {
        return RegionMeta.newBuilder().setRegionId(region).setAppliedIndex(index).setTerm(term).setVersion(version)
                .setTombstone(tombstone).setStartKey(ByteString.copyFrom(start)).setEndKey(ByteString.copyFrom(end))
                .build();
    }

    public List<RegionMeta> of(long store) {
        return byStore.getOrDefault(store, List.of());
    }

    public int metaCount() {
        return byStore.values().stream().mapToInt(List::size).sum();
    }

    /** The same rows the adviser collects, in store order (the planner does not care about order). */
    public ReplicaTable table() {
        ReplicaTable t = new ReplicaTable();
        byStore.forEach((s, metas) -> {
            t.declareStore(s);
            for (RegionMeta m : metas) {
                t.addSeed(new SeedReport().store(s).region(m.getRegionId()).appliedIndex(m.getAppliedIndex())
                        .term(m.getTerm()).version(m.getVersion()).tombstone(m.getTombstone())
                        .keys(m.getStartKey().toByteArray(), m.getEndKey().toByteArray()));
            }
        });
        return t;
    }

    public PlanOutcome plan(boolean acceptHoles) {
        return Planner.plan(table(), PlanOptions.of(Policy.SEED).withAcceptHoles(acceptHoles));
    }

    public Plan plan() {
        PlanOutcome o = plan(false);
        if (!(o instanceof Plan p)) {
            throw new AssertionError("the layout should plan: " + o);
        }
        return p;
    }

    /** The commands a store must receive, in plan order. */
    public static List<RegionRecover> commandsOf(Plan p, long store) {
        List<RegionRecover> out = new ArrayList<>();
        for (int k = p.commandsFrom(store); k < p.commandsTo(store); k++) {
            out.add(RegionRecover.newBuilder().setRegionId(p.commandRegion(k)).setTerm(p.commandTerm(k))
                    .setSilence(p.commandSilence(k)).setTombstone(p.commandTombstone(k)).build());
        }
        return out;
    }
}
