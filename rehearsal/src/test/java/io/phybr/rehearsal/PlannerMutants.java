package io.phybr.rehearsal;

import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Deliberately broken planners for protocol B, for {@link MutatedPlannerTest}: each is the adviser's BR planner with
 * one SPEC §4 rule broken, injected through {@link DirectStockRun.StockPlanner} (the run's planner parameter) — no
 * production code knows of them. Each takes the real plan's commands and changes exactly the decisions its rule
 * makes, reading the same collected reports the planner read.
 */
final class PlannerMutants {
    /** A named broken planner. */
    record Mutant(String name, String rule, DirectStockRun.StockPlanner planner) {
    }

    private PlannerMutants() {
    }

    static List<Mutant> all() {
        return List.of(
                mutant("equal-version-higher-id-wins", "rule 3: at equal versions the lower region id wins",
                        PlannerMutants::equalVersionHigherIdWins),
                mutant("leader-lowest-last-index", "rule 2: the leader has the highest (last_log_term, last_index)",
                        PlannerMutants::leaderByLowestIndex),
                mutant("stale-overlap-not-tombstoned", "rules 3, 5: a displaced region's replicas are tombstoned",
                        (reports, cmds) -> cmds.values().forEach(l -> l.removeIf(RecoverRegionRequest::getTombstone))),
                mutant("region-left-without-leader", "rule 2: every kept region gets one forced leader",
                        PlannerMutants::lastRegionWithoutLeader),
                mutant("newer-overlap-tombstoned", "rule 3: of two overlapping regions the newer version is kept",
                        PlannerMutants::newerOverlapTombstoned));
    }

    /** The real plan's commands, then {@code breakRule} on a mutable copy (store → its commands). */
    private static Mutant mutant(String name, String rule,
                                 BiConsumer<Map<Long, Replica[]>, Map<Long, List<RecoverRegionRequest>>> breakRule) {
        return new Mutant(name, rule, reports -> {
            DirectStockRun.Commands real = DirectStockRun.ADVISER.plan(reports);
            if (real.refusal() != null) {
                return real;
            }
            Map<Long, List<RecoverRegionRequest>> cmds = new TreeMap<>();
            real.perStore().forEach((store, l) -> cmds.put(store, new ArrayList<>(l)));
            breakRule.accept(replicas(reports), cmds);
            cmds.values().removeIf(List::isEmpty);
            return new DirectStockRun.Commands(cmds, null);
        });
    }

    /** One live replica as its store reported it. */
    record Replica(long store, long region, long term, long index, long version, byte[] start, byte[] end) {
        boolean overlaps(Replica o) {
            return (end.length == 0 || compare(o.start, end) < 0) && (o.end.length == 0 || compare(start, o.end) < 0);
        }
    }

    /** Region → its live replicas, in store order. */
    private static Map<Long, Replica[]> replicas(ReplicaTable t) {
        Map<Long, List<Replica>> by = new TreeMap<>();
        for (int i = 0; i < t.size(); i++) {
            if (!t.tombstone(i)) {
                by.computeIfAbsent(t.regionId(i), k -> new ArrayList<>()).add(new Replica(t.store(i), t.regionId(i),
                        t.term(i), t.index(i), t.version(i), t.startKey(i), t.endKey(i)));
            }
        }
        Map<Long, Replica[]> out = new TreeMap<>();
        by.forEach((r, l) -> out.put(r, l.toArray(Replica[]::new)));
        return out;
    }

    private static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    private static Long leaderOf(Map<Long, List<RecoverRegionRequest>> cmds, long region) {
        for (Map.Entry<Long, List<RecoverRegionRequest>> e : cmds.entrySet()) {
            for (RecoverRegionRequest r : e.getValue()) {
                if (r.getRegionId() == region && r.getAsLeader()) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    private static void removeRegion(Map<Long, List<RecoverRegionRequest>> cmds, long region) {
        cmds.values().forEach(l -> l.removeIf(r -> r.getRegionId() == region));
    }

    private static void lead(Map<Long, List<RecoverRegionRequest>> cmds, long region, long store) {
        cmds.computeIfAbsent(store, s -> new ArrayList<>())
                .add(RecoverRegionRequest.newBuilder().setRegionId(region).setAsLeader(true).build());
    }

    private static void tombstone(Map<Long, List<RecoverRegionRequest>> cmds, Replica[] replicas) {
        for (Replica r : replicas) {
            cmds.computeIfAbsent(r.store(), s -> new ArrayList<>())
                    .add(RecoverRegionRequest.newBuilder().setRegionId(r.region()).setTombstone(true).build());
        }
    }

    /** The replica BR's rank puts first (highest term, then last index, then lowest store). */
    private static Replica best(Replica[] rs) {
        return Arrays.stream(rs).max(Comparator.comparingLong(Replica::term).thenComparingLong(Replica::index)
                .thenComparing(Comparator.comparingLong(Replica::store).reversed())).orElseThrow();
    }

    /** Kept and dropped swap wherever two overlapping regions tie on version: the higher id is led, the lower dies. */
    private static void equalVersionHigherIdWins(Map<Long, Replica[]> reps, Map<Long, List<RecoverRegionRequest>> cmds) {
        for (long low : reps.keySet()) {
            for (long high : reps.keySet()) {
                if (high <= low || leaderOf(cmds, low) == null || leaderOf(cmds, high) != null) {
                    continue;
                }
                Replica a = best(reps.get(low));
                Replica b = best(reps.get(high));
                if (a.version() == b.version() && a.overlaps(b)) {
                    removeRegion(cmds, low);
                    removeRegion(cmds, high);
                    lead(cmds, high, b.store());
                    tombstone(cmds, reps.get(low));
                }
            }
        }
    }

    /** Every led region with two or more live replicas is forced on the one with the lowest last index instead. */
    private static void leaderByLowestIndex(Map<Long, Replica[]> reps, Map<Long, List<RecoverRegionRequest>> cmds) {
        reps.forEach((region, rs) -> {
            Long now = leaderOf(cmds, region);
            if (now != null && rs.length > 1) {
                Replica worst = Arrays.stream(rs).min(Comparator.comparingLong(Replica::index)
                        .thenComparingLong(Replica::term).thenComparingLong(Replica::store)).orElseThrow();
                cmds.get(now).removeIf(r -> r.getRegionId() == region && r.getAsLeader());
                lead(cmds, region, worst.store());
            }
        });
    }

    /** The kept region with the highest id gets no forced leader. */
    private static void lastRegionWithoutLeader(Map<Long, Replica[]> reps, Map<Long, List<RecoverRegionRequest>> cmds) {
        long last = -1;
        for (long region : reps.keySet()) {
            if (leaderOf(cmds, region) != null) {
                last = region;
            }
        }
        long gone = last;
        cmds.values().forEach(l -> l.removeIf(r -> r.getRegionId() == gone && r.getAsLeader()));
    }

    /** Each tombstoned region is led instead, and the kept region that displaced it is tombstoned. */
    private static void newerOverlapTombstoned(Map<Long, Replica[]> reps, Map<Long, List<RecoverRegionRequest>> cmds) {
        List<Long> dropped = new ArrayList<>();
        for (long region : reps.keySet()) {
            if (leaderOf(cmds, region) == null && cmds.values().stream().flatMap(List::stream)
                    .anyMatch(r -> r.getRegionId() == region && r.getTombstone())) {
                dropped.add(region);
            }
        }
        for (long d : dropped) {
            Replica stale = best(reps.get(d));
            for (Map.Entry<Long, Replica[]> k : reps.entrySet()) {
                Long keptOn = leaderOf(cmds, k.getKey());
                if (keptOn != null && best(k.getValue()).version() > stale.version() && best(k.getValue()).overlaps(stale)) {
                    removeRegion(cmds, k.getKey());
                    removeRegion(cmds, d);
                    tombstone(cmds, k.getValue());
                    lead(cmds, d, stale.store());
                    break;
                }
            }
        }
    }
}
