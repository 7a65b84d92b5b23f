package io.phybr.adviser.stock;

import io.phybr.adviser.plan.Plan;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The RecoverRegion commands each store gets: the plan's, except for regions whose forced leader could not win
 * and were moved to their next candidate. Cheap at any size: the plan stays the source, moves are an overlay.
 * Thread-safe for reads while no move is made (moves happen between rounds).
 */
final class Assignment {
    /** One store's commands, in plan order, moved-in regions last. */
    interface Commands {
        int size();

        RecoverRegionRequest get(int k);
    }

    private final Plan plan;
    /** region → store now forced to lead it, for moved regions only. */
    private final Map<Long, Long> movedTo = new HashMap<>();
    /** region → the store the plan forced, for moved regions only. */
    private final Map<Long, Long> movedFrom = new HashMap<>();
    /** Regions no store is forced to lead any more: merged away during RecoverRegion (their data is the target's). */
    private final java.util.Set<Long> dropped = new java.util.HashSet<>();

    Assignment(Plan plan) {
        this.plan = plan;
    }

    Plan plan() {
        return plan;
    }

    /** The store forced to lead a region now. */
    synchronized long leaderOf(long regionId, long plannedStore) {
        return movedTo.getOrDefault(regionId, plannedStore);
    }

    /** Forces {@code regionId} on {@code to} from now on instead of its current store. */
    synchronized void move(long regionId, long from, long to) {
        movedFrom.putIfAbsent(regionId, from);
        movedTo.put(regionId, to);
    }

    /** Forces {@code regionId} nowhere from now on: a merge destroyed it, so no store's router holds it (R4). */
    synchronized void drop(long regionId) {
        dropped.add(regionId);
    }

    synchronized Map<Long, Long> moves() {
        return new TreeMap<>(movedTo);
    }

    /** The store has anything to do in RecoverRegion (a forced leader; tombstones alone are ignored by TiKV but sent). */
    boolean hasCommands(long store) {
        return commands(store).size() > 0;
    }

    /** The forced-leader regions of a store now, ascending plan order. */
    List<Long> leaders(long store) {
        Commands c = commands(store);
        List<Long> out = new ArrayList<>();
        for (int k = 0; k < c.size(); k++) {
            if (c.get(k).getAsLeader()) {
                out.add(c.get(k).getRegionId());
            }
        }
        return out;
    }

    /** The commands for one store now. */
    synchronized Commands commands(long store) {
        int from = plan.commandsFrom(store);
        int to = plan.commandsTo(store);
        if (movedTo.isEmpty() && dropped.isEmpty()) {
            return new Commands() {
                public int size() {
                    return to - from;
                }

                public RecoverRegionRequest get(int k) {
                    return request(from + k);
                }
            };
        }
        List<RecoverRegionRequest> out = new ArrayList<>();
        for (int k = from; k < to; k++) {
            long region = plan.commandRegion(k);
            if (plan.commandAsLeader(k) && (dropped.contains(region)
                    || movedTo.containsKey(region) && movedTo.get(region) != store)) {
                continue;
            }
            out.add(request(k));
        }
        movedTo.forEach((region, s) -> {
            if (s == store && movedFrom.get(region) != store && !dropped.contains(region)) {
                out.add(RecoverRegionRequest.newBuilder().setRegionId(region).setAsLeader(true).build());
            }
        });
        return new Commands() {
            public int size() {
                return out.size();
            }

            public RecoverRegionRequest get(int k) {
                return out.get(k);
            }
        };
    }

    private RecoverRegionRequest request(int k) {
        return RecoverRegionRequest.newBuilder().setRegionId(plan.commandRegion(k))
                .setAsLeader(plan.commandAsLeader(k)).setTombstone(plan.commandTombstone(k)).build();
    }
}
