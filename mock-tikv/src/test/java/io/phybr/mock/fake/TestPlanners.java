package io.phybr.mock.fake;

import io.phybr.mock.model.Keys;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test-only seed-protocol planners: a straightforward reading of SPEC §4 (to exercise the harness
 * before the real adviser exists) and deliberately broken ones the checker must catch.
 */
public final class TestPlanners {
    private TestPlanners() {
    }

    public static final class Refused extends Exception {
        public Refused(String msg) {
            super(msg);
        }
    }

    @FunctionalInterface
    public interface Planner {
        Map<Long, List<RegionRecover>> plan(Map<Long, List<RegionMeta>> metas) throws Refused;
    }

    record Replica(long store, RegionMeta m) {
    }

    /** Seed policy: highest applied index, then term, then lowest store. */
    public static Planner seed() {
        return metas -> plan(metas, Comparator.comparingLong((Replica r) -> r.m.getAppliedIndex())
                .thenComparingLong(r -> r.m.getTerm()).thenComparingLong(r -> -r.store), true);
    }

    /** Broken: the replica with the LOWEST applied index leads. */
    public static Planner lowestApplied() {
        return metas -> plan(metas, Comparator.comparingLong((Replica r) -> -r.m.getAppliedIndex())
                .thenComparingLong(r -> -r.store), true);
    }

    private static Map<Long, List<RegionRecover>> plan(Map<Long, List<RegionMeta>> metas, Comparator<Replica> better,
                                                       boolean refuseHoles) throws Refused {
        TreeMap<Long, List<Replica>> byRegion = new TreeMap<>();
        for (Map.Entry<Long, List<RegionMeta>> e : metas.entrySet()) {
            java.util.Set<Long> seen = new java.util.HashSet<>();
            for (RegionMeta m : e.getValue()) {
                if (!seen.add(m.getRegionId())) {
                    throw new Refused("store " + e.getKey() + " reported region " + m.getRegionId() + " twice");
                }
                if (!m.getEndKey().isEmpty() && Keys.compare(m.getStartKey().toByteArray(), m.getEndKey().toByteArray()) >= 0) {
                    throw new Refused("store " + e.getKey() + " region " + m.getRegionId() + ": start_key >= end_key");
                }
                if (!m.getUnknownFields().asMap().isEmpty()) {
                    throw new Refused("store " + e.getKey() + " region " + m.getRegionId() + ": unknown fields");
                }
                byRegion.computeIfAbsent(m.getRegionId(), k -> new ArrayList<>()).add(new Replica(e.getKey(), m));
            }
        }
        TreeMap<Long, Replica> leaders = new TreeMap<>();
        for (Map.Entry<Long, List<Replica>> e : byRegion.entrySet()) {
            e.getValue().stream().filter(r -> !r.m.getTombstone()).max(better).ifPresent(r -> leaders.put(e.getKey(), r));
        }
        List<Replica> order = new ArrayList<>(leaders.values());
        order.sort(Comparator.comparingLong((Replica r) -> -r.m.getVersion()).thenComparingLong(r -> r.m.getRegionId()));
        List<Replica> kept = new ArrayList<>();
        for (Replica r : order) {
            boolean overlap = false;
            for (Replica k : kept) {
                if (Keys.overlaps(r.m.getStartKey().toByteArray(), r.m.getEndKey().toByteArray(),
                        k.m.getStartKey().toByteArray(), k.m.getEndKey().toByteArray())) {
                    overlap = true;
                    break;
                }
            }
            if (!overlap) {
                kept.add(r);
            }
        }
        kept.sort((a, b) -> Keys.compare(a.m.getStartKey().toByteArray(), b.m.getStartKey().toByteArray()));
        byte[] reach = Keys.EMPTY;
        boolean inf = false;
        for (Replica k : kept) {
            if (Keys.compare(k.m.getStartKey().toByteArray(), reach) > 0 && refuseHoles) {
                throw new Refused("hole " + Keys.range(reach, k.m.getStartKey().toByteArray()));
            }
            byte[] end = k.m.getEndKey().toByteArray();
            if (end.length == 0) {
                inf = true;
            } else {
                reach = end;
            }
        }
        if (!inf && refuseHoles) {
            throw new Refused("hole " + Keys.range(reach, Keys.EMPTY));
        }
        TreeMap<Long, List<RegionRecover>> out = new TreeMap<>();
        java.util.Set<Long> keptIds = new java.util.HashSet<>();
        kept.forEach(k -> keptIds.add(k.m.getRegionId()));
        for (Map.Entry<Long, List<Replica>> e : byRegion.entrySet()) {
            long region = e.getKey();
            if (!keptIds.contains(region)) {
                for (Replica r : e.getValue()) {
                    if (!r.m.getTombstone()) {
                        out.computeIfAbsent(r.store, k -> new ArrayList<>()).add(RegionRecover.newBuilder()
                                .setRegionId(region).setTombstone(true).build());
                    }
                }
                continue;
            }
            Replica leader = leaders.get(region);
            long term = e.getValue().stream().mapToLong(r -> r.m.getTerm()).max().orElse(0);
            for (Replica r : e.getValue()) {
                if (r == leader) {
                    if (r.m.getTerm() != term) {
                        out.computeIfAbsent(r.store, k -> new ArrayList<>()).add(RegionRecover.newBuilder()
                                .setRegionId(region).setTerm(term).build());
                    }
                } else {
                    out.computeIfAbsent(r.store, k -> new ArrayList<>()).add(RegionRecover.newBuilder()
                            .setRegionId(region).setTerm(term).setSilence(true).build());
                }
            }
        }
        return out;
    }
}
