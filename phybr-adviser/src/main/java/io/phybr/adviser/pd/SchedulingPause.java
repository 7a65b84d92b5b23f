package io.phybr.adviser.pd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds PD's scheduling off during a recovery and puts back exactly what it changed: the schedule
 * limits it set to 0 (with their original values) and the schedulers it removed. {@link #restore}
 * is idempotent and thread-safe, so the normal path, a failure path and a shutdown hook can all call it.
 */
public final class SchedulingPause {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulingPause.class);

    /**
     * Schedulers that move leaders or regions and take no arguments, so they can be added back by name
     * alone. Others (evict-leader with its store list, grant-leader...) are left alone and logged.
     */
    public static final Set<String> REMOVABLE = Set.of("balance-leader-scheduler", "balance-region-scheduler",
            "balance-hot-region-scheduler", "balance-witness-scheduler", "shuffle-leader-scheduler",
            "shuffle-region-scheduler", "shuffle-hot-region-scheduler", "random-merge-scheduler",
            "split-bucket-scheduler", "transfer-witness-leader-scheduler", "evict-slow-store-scheduler",
            "evict-slow-trend-scheduler", "label-scheduler");

    private final PdClient pd;
    private final PdRetry retry;
    private final Map<String, Long> changedLimits = new LinkedHashMap<>();
    private final List<String> removedSchedulers = new ArrayList<>();
    private boolean restored;

    public SchedulingPause(PdClient pd, PdRetry retry) {
        this.pd = pd;
        this.retry = retry;
    }

    /** Sets every non-zero schedule limit to 0 and removes the moving schedulers, remembering each change. */
    public synchronized void pause() throws PdException {
        Map<String, Long> limits = retry.run("read schedule config", pd::scheduleLimits);
        Map<String, Long> zero = new LinkedHashMap<>();
        limits.forEach((k, v) -> {
            if (v != 0) {
                zero.put(k, 0L);
            }
        });
        if (!zero.isEmpty()) {
            retry.runVoid("set schedule limits to 0", () -> pd.setConfig(zero));
            zero.keySet().forEach(k -> changedLimits.put(k, limits.get(k)));
            LOG.info("prepare: PD schedule limits set to 0 (were {})", changedLimits);
        }
        List<String> schedulers = retry.run("list schedulers", pd::schedulers);
        for (String s : schedulers) {
            if (REMOVABLE.contains(s)) {
                retry.runVoid("remove scheduler " + s, () -> pd.removeScheduler(s));
                removedSchedulers.add(s);
            } else {
                LOG.info("prepare: leaving PD scheduler {} in place (not a balancing scheduler)", s);
            }
        }
        if (!removedSchedulers.isEmpty()) {
            LOG.info("prepare: PD schedulers removed: {}", removedSchedulers);
        }
    }

    public synchronized boolean changedAnything() {
        return !changedLimits.isEmpty() || !removedSchedulers.isEmpty();
    }

    /**
     * Puts back what {@link #pause} changed. Returns null when PD is as before, else one sentence naming
     * what could not be restored (and how to do it by hand).
     */
    public synchronized String restore() {
        if (restored) {
            return null;
        }
        List<String> failed = new ArrayList<>();
        if (!changedLimits.isEmpty()) {
            try {
                retry.runVoid("restore schedule limits", () -> pd.setConfig(changedLimits));
                LOG.info("finish: PD schedule limits restored to {}", changedLimits);
            } catch (PdException e) {
                failed.add("schedule limits " + changedLimits + " (pd-ctl config set NAME VALUE): " + e.getMessage());
            }
        }
        for (String s : removedSchedulers) {
            try {
                retry.runVoid("add scheduler " + s, () -> pd.addScheduler(s));
            } catch (PdException e) {
                failed.add("scheduler " + s + " (pd-ctl scheduler add " + s.replace("-scheduler", "") + "): " + e.getMessage());
            }
        }
        if (!removedSchedulers.isEmpty() && failed.stream().noneMatch(f -> f.startsWith("scheduler"))) {
            LOG.info("finish: PD schedulers added back: {}", removedSchedulers);
        }
        restored = true;
        return failed.isEmpty() ? null : "could not restore PD " + String.join("; ", failed);
    }
}
