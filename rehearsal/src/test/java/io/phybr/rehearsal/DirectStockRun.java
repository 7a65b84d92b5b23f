package io.phybr.rehearsal;

import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.stock.MetaReader;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.stock.DirectStockStores;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One protocol-B history with no transport and no wall clock: the history's stores as {@link DirectStockStores} (the
 * mock's own RecoverData and flashback work, on a virtual clock), the adviser's collection decoding
 * ({@link MetaReader#table}) of the very bytes the stores report, a {@link StockPlanner} (the adviser's BR planner, or
 * a test's mutant), the commands sent in BR's phase order, and the model's checker. What it leaves out, and the gRPC
 * path ({@link RandomStockHistoryTest}) keeps: the adviser's transport, retries, PD handling, its RecoverRegion rounds
 * (a region whose forced leader cannot win moves to its next candidate there; here the run stops in a diagnosis) and
 * its flashback's region walk and retries (here one prepare + flashback per led region, on its leader).
 */
final class DirectStockRun {
    /** How long a store call may run in TiKV time before it counts as hung: 30 LeaderKeeper periods. */
    static final Duration HANG_BOUND = Duration.ofMinutes(5);

    /** What a planner hands the stores: each store's RecoverRegion commands, or a refusal (nothing is sent). */
    record Commands(Map<Long, List<RecoverRegionRequest>> perStore, String refusal) {
    }

    /** The seam a mutated planner comes in through: the collected reports in, the stores' commands out. */
    @FunctionalInterface
    interface StockPlanner {
        Commands plan(ReplicaTable reports);
    }

    /** The adviser's planner, as {@code recover} calls it (BR policy), its plan's commands as the stores get them. */
    static final StockPlanner ADVISER = reports -> {
        PlanOutcome o = Planner.plan(reports, PlanOptions.of(Policy.BR));
        return o instanceof Refusal r ? new Commands(Map.of(), r.message()) : new Commands(commands((Plan) o), null);
    };

    /** The plan's commands per store, as RecoverRegion requests. */
    static Map<Long, List<RecoverRegionRequest>> commands(Plan p) {
        Map<Long, List<RecoverRegionRequest>> out = new TreeMap<>();
        for (long store : p.stores()) {
            List<RecoverRegionRequest> reqs = new ArrayList<>();
            for (int k = p.commandsFrom(store); k < p.commandsTo(store); k++) {
                reqs.add(RecoverRegionRequest.newBuilder().setRegionId(p.commandRegion(k))
                        .setAsLeader(p.commandAsLeader(k)).setTombstone(p.commandTombstone(k)).build());
            }
            if (!reqs.isEmpty()) {
                out.put(store, reqs);
            }
        }
        return out;
    }

    enum Ending {
        /** Every phase answered, and the checker passed. */
        RECOVERED,
        /** The run stopped before the finish, where the adviser stops or retries too (a refusal, a hang, a dead store). */
        DIAGNOSIS,
        /** Every phase answered, yet the checker finds data lost or the layout wrong. */
        BROKEN
    }

    /** How the run ended, why, and every RecoverRegion command the stores received (for {@code PlanFactCheck}). */
    record Result(Ending ending, String text, List<io.phybr.mock.check.PlanFactCheck.Sent> sent) {
        Result(Ending ending, String text) {
            this(ending, text, List.of());
        }
    }

    private DirectStockRun() {
    }

    /** Even seeds finish by flashback (the mock's TiKV 7.5.1 default), odd ones by WaitApply + ResolveKvData. */
    static boolean flashback(long seed) {
        return seed % 2 == 0;
    }

    static Result run(Scenario s, long seed, StockPlanner planner) {
        return run(s.run(), seed, planner);
    }

    /** {@link #run(Scenario, long, StockPlanner)} on the backup of the scenario's history, already run. */
    static Result run(Backup backup, long seed, StockPlanner planner) {
        Map<Long, StoreImage> images = backup.freshImages();
        DirectStockStores stores = new DirectStockStores(backup, images, HANG_BOUND);
        for (long id : stores.storeIds()) {
            if (stores.bootFailure(id) != null) {
                return new Result(Ending.DIAGNOSIS, "store " + id + " never came up: " + stores.bootFailure(id));
            }
        }
        // collect: every store's metas, decoded by the adviser from the bytes the store reports
        ReplicaTable table = new ReplicaTable(64);
        for (long id : stores.storeIds()) {
            try {
                table.appendAll(MetaReader.table(id, stores.readRegionMeta(id)));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                return new Result(Ending.BROKEN, "store " + id + " reported an unreadable meta: " + e.getMessage());
            }
        }
        Commands plan = planner.plan(table);
        if (plan.refusal() != null) {
            return new Result(Ending.DIAGNOSIS, "plan refused: " + plan.refusal());
        }
        List<io.phybr.mock.check.PlanFactCheck.Sent> sent = new ArrayList<>();
        plan.perStore().forEach((store, reqs) -> reqs.forEach(r -> sent.add(
                new io.phybr.mock.check.PlanFactCheck.Sent(store, r.getRegionId(), r.getAsLeader(), r.getTombstone()))));
        Result r = finish(stores, backup, seed, plan, table);
        return new Result(r.ending(), r.text(), List.copyOf(sent));
    }

    /**
     * SPEC §4 rule 5 under protocol B, judged from the outcome, not the plan: a region a store reported that leads
     * nowhere after the recovery was dropped, so that store must have been sent its tombstone request. TiKV only counts
     * tombstone requests (R1: the store keeps the peer), so the model's checker cannot see a missing one.
     */
    static List<String> unTombstoned(ReplicaTable table, Commands plan, java.util.Set<Long> led) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < table.size(); i++) {
            long store = table.store(i);
            long region = table.regionId(i);
            if (led.contains(region)) {
                continue;
            }
            boolean sent = plan.perStore().getOrDefault(store, List.of()).stream()
                    .anyMatch(q -> q.getRegionId() == region && q.getTombstone());
            if (!sent) {
                out.add("region " + region + " reported by store " + store + " leads nowhere after the recovery, and"
                        + " store " + store + " got no tombstone for it (SPEC §4 rule 5)");
            }
        }
        return out;
    }

    /** From RecoverRegion on: the commands sent in BR's order, then the finish and the checker. */
    private static Result finish(DirectStockStores stores, Backup backup, long seed, Commands plan, ReplicaTable table) {
        // recover: each store its commands; a store that hangs gets them once more after the others answered (R6:
        // the newer call replaces the older), as the adviser's next round would send them
        List<Long> hung = new ArrayList<>();
        plan.perStore().forEach((store, reqs) -> {
            if (!stores.recoverRegion(store, reqs)) {
                hung.add(store);
            }
        });
        hung.removeIf(store -> stores.recoverRegion(store, plan.perStore().get(store)));
        if (!hung.isEmpty()) {
            return new Result(Ending.DIAGNOSIS, "RecoverRegion never answers on stores " + hung + " (leaders now "
                    + stores.leaders() + ")");
        }
        if (flashback(seed)) {
            long startTs = stores.aboveEveryWrite();
            for (long region : stores.leaders().keySet()) {
                String error = stores.flashback(region, backup.resolvedTs(), startTs, startTs + 1);
                if (error != null) {
                    return new Result(Ending.DIAGNOSIS, "flashback of region " + region + ": " + error);
                }
            }
        } else {
            for (long id : stores.storeIds()) {
                if (!stores.waitApply(id)) {
                    return new Result(Ending.DIAGNOSIS, "WaitApply never answers on store " + id);
                }
            }
            for (long id : stores.storeIds()) {
                stores.resolveKvData(id, Math.max(1, backup.resolvedTs()));
            }
        }
        List<String> problems = new ArrayList<>(stores.check());
        problems.addAll(unTombstoned(table, plan, stores.leaders().keySet()));
        return problems.isEmpty() ? new Result(Ending.RECOVERED, "")
                : new Result(Ending.BROKEN, "every phase answered, but the checker finds: " + problems
                        + "; calls " + stores.calls());
    }
}
