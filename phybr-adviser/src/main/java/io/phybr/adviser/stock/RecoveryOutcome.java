package io.phybr.adviser.stock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.plan.PlanSummary;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How a stock recovery ended.
 *
 * @param exitCode     the process exit code it maps to
 * @param verdict      one paragraph for the operator
 * @param phase        the last phase entered (prepare, collect, plan, alloc-id, recover, wait-apply, resolve, finish, done)
 * @param stores       TiKV stores taking part
 * @param replicas     region metas collected
 * @param summary      the plan's summary, or null if no plan was made
 * @param resolvedKeys keys deleted by ResolveKvData over all stores
 * @param pdRestored   PD's scheduling settings are as before the run (true also when nothing was changed)
 */
public record RecoveryOutcome(ExitCode exitCode, String verdict, String phase, int stores, long replicas,
                              PlanSummary summary, long resolvedKeys, boolean pdRestored) {

    public boolean ok() {
        return exitCode == ExitCode.OK;
    }

    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("exit_code", exitCode.code());
        o.put("result", exitCode.name().toLowerCase());
        o.put("verdict", verdict);
        o.put("phase", phase);
        o.put("stores", stores);
        o.put("replicas", replicas);
        o.put("resolved_keys", resolvedKeys);
        o.put("pd_restored", pdRestored);
        try {
            o.set("plan", summary == null ? null : m.readTree(summary.toJson()));
            return m.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
