package io.phybr.mock.pd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a recovery may change on PD, at one moment; compare the state before and after a run.
 *
 * @param scheduleConfig persisted schedule items (what {@code GET /pd/api/v1/config} shows), values as text
 * @param ttlConfig      live TTL overrides (full key, e.g. {@code schedule.leader-schedule-limit}) → value
 * @param schedulers     scheduler name → its persisted settings (JSON); a deleted and re-added one has defaults
 * @param paused         schedulers paused now
 * @param baseAllocId    meant to move during a recovery: compare {@link #withoutAllocId()}
 */
public record PdState(Map<String, String> scheduleConfig, Map<String, String> ttlConfig, Map<String, String> schedulers,
                      List<String> paused, boolean snapshotRecovering, long baseAllocId) {
    public PdState {
        scheduleConfig = Map.copyOf(scheduleConfig);
        ttlConfig = Map.copyOf(ttlConfig);
        schedulers = Map.copyOf(schedulers);
        paused = List.copyOf(paused);
    }

    /** The same state with another marker value (what a successful recovery leaves: unmarked). */
    public PdState withMarker(boolean marked) {
        return new PdState(scheduleConfig, ttlConfig, schedulers, paused, marked, baseAllocId);
    }

    /** Ignores the alloc id: a recovery raises it on purpose. */
    public PdState withoutAllocId() {
        return new PdState(scheduleConfig, ttlConfig, schedulers, paused, snapshotRecovering, 0);
    }

    /**
     * The same state without live TTL items: what the operator had when the TTLs were a killed run's (R12), so a
     * recovery that puts PD back as the operator had it leaves none.
     */
    public PdState withoutTtl() {
        return new PdState(scheduleConfig, Map.of(), schedulers, paused, snapshotRecovering, baseAllocId);
    }

    /** Every difference from {@code before}, one line each (empty when equal): for a failing test's message. */
    public List<String> diff(PdState before) {
        List<String> out = new ArrayList<>();
        diffMaps("config", before.scheduleConfig, scheduleConfig, out);
        diffMaps("ttl", before.ttlConfig, ttlConfig, out);
        diffMaps("scheduler", before.schedulers, schedulers, out);
        if (!before.paused.equals(paused)) {
            out.add("paused schedulers: " + before.paused + " -> " + paused);
        }
        if (before.snapshotRecovering != snapshotRecovering) {
            out.add("snapshot-recovering: " + before.snapshotRecovering + " -> " + snapshotRecovering);
        }
        if (before.baseAllocId != baseAllocId) {
            out.add("base alloc id: " + before.baseAllocId + " -> " + baseAllocId);
        }
        return out;
    }

    private static void diffMaps(String what, Map<String, String> a, Map<String, String> b, List<String> out) {
        Map<String, String> all = new TreeMap<>(a);
        all.putAll(b);
        for (String k : all.keySet()) {
            if (!Objects.equals(a.get(k), b.get(k))) {
                out.add(what + " " + k + ": " + a.getOrDefault(k, "(absent)") + " -> " + b.getOrDefault(k, "(absent)"));
            }
        }
    }
}
