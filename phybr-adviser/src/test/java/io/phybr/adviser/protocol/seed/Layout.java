package io.phybr.adviser.protocol.seed;

import com.google.protobuf.ByteString;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Region reports of a few stores, as agents would send them: a seeded random layout with the
 * things a restore sees (lagging followers with a stale wider range after a split, stale regions a
 * newer one replaced, tombstones, term differences), plus what the planner makes of it.
 */
public final class Layout {
    public final TreeMap<Long, List<RegionMeta>> byStore = new TreeMap<>();

    public static Layout random(long seed, int stores, int regions) {
        Random rnd = new Random(seed);
        Layout l = new Layout();
        for (long s = 1; s <= stores; s++) {
            l.byStore.put(s, new ArrayList<>());
        }
        TreeSet<Integer> cuts = new TreeSet<>();
        while (cuts.size() < regions - 1) {
            cuts.add(1 + rnd.nextInt(Integer.MAX_VALUE - 1));
        }
        List<byte[]> bounds = new ArrayList<>();
        bounds.add(new byte[0]);
        for (int c : cuts) {
            bounds.add(ByteBuffer.allocate(4).putInt(c).array());
        }
        bounds.add(new byte[0]);
        long staleId = regions + 1L;
        for (int i = 0; i < regions; i++) {
            long id = i + 1;
            long version = 5 + rnd.nextInt(20);
            long baseIndex = 100 + rnd.nextInt(1000);
            long baseTerm = 5 + rnd.nextInt(5);
            // A lagging follower after a split: store `lag` shows region i with the old, wider range of
            // i and i+1 and an older version, and nothing of region i+1.
            boolean split = i + 1 < regions && rnd.nextInt(8) == 0;
            long lag = split ? 1 + rnd.nextInt(stores) : -1;
            for (long s = 1; s <= stores; s++) {
                boolean stale = s == lag;
                byte[] start = bounds.get(i);
                byte[] end = bounds.get(stale ? i + 2 : i + 1);
                long index = stale ? baseIndex - 1 - rnd.nextInt(50) : baseIndex + rnd.nextInt(3);
                long term = baseTerm + rnd.nextInt(2);
                boolean tomb = !split && s != 1 && rnd.nextInt(20) == 0;
                l.add(s, id, index, term, stale ? version - 1 : version, tomb, start, end);
            }
            if (split) {
                i++;
                long id2 = i + 1;
                long v2 = 5 + rnd.nextInt(20);
                for (long s = 1; s <= stores; s++) {
                    if (s != lag) {
                        l.add(s, id2, baseIndex + rnd.nextInt(3), baseTerm, v2, false, bounds.get(i), bounds.get(i + 1));
                    }
                }
            }
            // A stale region an older layout left on one store, overlapped by newer regions: dropped.
            if (rnd.nextInt(10) == 0) {
                long s = 1 + rnd.nextInt(stores);
                l.add(s, staleId++, 50, 3, 1, false, bounds.get(i), bounds.get(Math.min(i + 1, regions)));
            }
        }
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
                t.addSeed(s, m.getRegionId(), m.getAppliedIndex(), m.getTerm(), m.getVersion(), m.getTombstone(),
                        m.getStartKey().toByteArray(), m.getEndKey().toByteArray());
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
