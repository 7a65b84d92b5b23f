package io.phybr.adviser.outcome;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.plan.Plan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How an adviser run ended, for either protocol: {@code serve} (seed protocol, tikv-phybr agents) or
 * {@code recover} (stock TiKV in recovery mode). One type so the CLI, the recorder and the rehearsal
 * read both the same way.
 *
 * @param exitCode  OK, REFUSED, TIMEOUT, FAILURE, BAD_INPUT (or INTERNAL on a bug)
 * @param verdict   one paragraph for the log and the operator
 * @param diagnosis one paragraph explaining a non-OK end (which stores, regions, ranges); empty on OK
 * @param plan      the plan, once one was made (absent when nothing could be planned)
 * @param phase     the last phase entered, by its operator-facing name ({@code "done"} after a full run;
 *                  empty when the protocol does not report phases)
 * @param counts    what the run handled; {@link Counts#NONE} where the protocol does not count it
 */
public record Outcome(ExitCode exitCode, String verdict, Optional<String> diagnosis, Optional<Plan> plan,
                      String phase, Counts counts) {
    public Outcome {
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(diagnosis, "diagnosis");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(counts, "counts");
    }

    /** An outcome without phase or counts (the seed protocol's). */
    public Outcome(ExitCode exitCode, String verdict, Optional<String> diagnosis, Optional<Plan> plan) {
        this(exitCode, verdict, diagnosis, plan, "", Counts.NONE);
    }

    /**
     * What a run handled.
     *
     * @param stores       stores taking part
     * @param replicas     region reports collected
     * @param resolvedKeys keys deleted by ResolveKvData over all stores (stock TiKV only)
     * @param pdRestored   PD's scheduling settings are as before the run (true also when nothing was changed)
     * @param deleted      per store, what ResolveKvData reported deleted (stock TiKV only; empty otherwise)
     */
    public record Counts(int stores, long replicas, long resolvedKeys, boolean pdRestored, Map<Long, Deleted> deleted) {
        public static final Counts NONE = new Counts(0, 0, 0, true, Map.of());

        public Counts {
            deleted = Map.copyOf(deleted);
        }
    }

    /** Keys one store reported deleted by ResolveKvData: every lock, and writes newer than the resolved ts. */
    public record Deleted(long locks, long writes) {
    }

    public boolean ok() {
        return exitCode == ExitCode.OK;
    }

    /** The outcome as one JSON object (for {@code --summary-json}). */
    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("exit_code", exitCode.code());
        o.put("result", exitCode.name().toLowerCase());
        o.put("verdict", verdict);
        o.put("phase", phase);
        o.put("stores", counts.stores());
        o.put("replicas", counts.replicas());
        o.put("resolved_keys", counts.resolvedKeys());
        o.put("pd_restored", counts.pdRestored());
        ObjectNode perStore = o.putObject("deleted_per_store");
        new TreeMap<>(counts.deleted()).forEach((store, d) -> perStore.putObject(Long.toString(store))
                .put("locks", d.locks()).put("writes", d.writes()));
        try {
            o.set("plan", plan.isEmpty() ? null : plan.get().summary().toJsonNode());
            return m.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
