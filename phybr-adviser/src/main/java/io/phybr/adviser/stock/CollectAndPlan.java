package io.phybr.adviser.stock;

import io.phybr.adviser.files.AtomicFiles;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.record.StoreRecording;
import io.phybr.adviser.text.Texts;
import io.phybr.contract.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collect and plan phases' work, apart from {@link StockRecovery}'s sequencing: what the stores report
 * (ReadRegionMeta, recorded per attempt) and what the planner makes of it (BR policy, logged, written out).
 * Nothing here changes a store or PD.
 */
final class CollectAndPlan {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    private CollectAndPlan() {
    }

    /** ReadRegionMeta from every store; returns every meta, stores in id order. */
    static ReplicaTable collect(PhaseRunner runner, List<PdStore> stores, Duration timeout, RunRecorder recorder)
            throws PhaseFailure {
        Map<Long, ReplicaTable> tables = new ConcurrentHashMap<>();
        runner.run(Phase.COLLECT, "region metas", stores, timeout, (s, ch, deadline, prog) -> {
            StoreRecording rec = recorder.store(s.id()); // one per attempt: a retried attempt's lines are discarded
            ReplicaTable t;
            try {
                t = StoreRpc.collect(s, ch, deadline, prog, rec);
            } catch (Exception | Error e) {
                rec.discard();
                throw e;
            }
            rec.complete();
            tables.put(s.id(), t);
        });
        long total = tables.values().stream().mapToLong(ReplicaTable::size).sum();
        ReplicaTable table = new ReplicaTable((int) Math.min(Integer.MAX_VALUE - 16, Math.max(16, total)));
        for (PdStore s : stores) {
            table.appendAll(tables.remove(s.id()));
        }
        return table;
    }

    /** The BR policy; a refusal fails the run before anything changed on a store. Hands the plan to the recorder. */
    static Plan plan(ReplicaTable table, boolean acceptHoles, RunRecorder recorder) throws PhaseFailure {
        long t0 = System.nanoTime();
        PlanOutcome outcome = Planner.plan(table, PlanOptions.of(Policy.BR).withAcceptHoles(acceptHoles));
        if (outcome instanceof Refusal r) {
            throw new PhaseFailure(ExitCode.REFUSED, r.message());
        }
        Plan p = (Plan) outcome;
        recorder.planned(p); // asynchronous: never delays the recovery
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.atInfo().addKeyValue("phase", Phase.PLAN.label()).addKeyValue("replicas", table.size())
                .addKeyValue("regions_kept", p.summary().regionsKept()).addKeyValue("regions_dropped", p.summary().regionsDropped())
                .addKeyValue("commands", p.commandCount()).addKeyValue("duration_ms", took.toMillis())
                .log("plan: {} replicas planned in {}", table.size(), Texts.elapsed(took));
        LOG.info("{}", p.summary().toText());
        return p;
    }

    /** Writes the plan to {@code --output} (whole or absent); nothing when no output was asked for. */
    static void write(Plan p, Path planOutput) throws IOException {
        if (planOutput != null) {
            AtomicFiles.write(planOutput, p::writeJsonLines);
            LOG.info("plan: wrote {} commands to {}", p.commandCount(), planOutput);
        }
    }

    /** The largest store, region or peer id seen: PD's base alloc id is raised to it so new ids never collide. */
    static long maxId(List<PdStore> stores, ReplicaTable t) {
        long max = 0;
        for (PdStore s : stores) {
            max = Math.max(max, s.id());
        }
        for (int i = 0; i < t.size(); i++) {
            max = Math.max(max, Math.max(t.store(i), Math.max(t.regionId(i), t.peerId(i))));
        }
        return max;
    }
}
