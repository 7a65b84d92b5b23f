package io.phybr.adviser.pd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits, bounded and with progress, until PD lists every expected TiKV store up (R14: after a volume restore TiKVs
 * register one by one; tidb-operator#5242; BR's {@code restore_data.go} refuses a store count that differs from
 * the backup meta's). A recovery of a subset would leave the late stores with data newer than the resolved ts while
 * their peers are recovered, so this never returns fewer stores than expected, except the ones the operator named.
 */
public final class StoreWait {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    /** The wait ended without every expected store up; the message is the one-paragraph diagnosis. */
    public static final class NotAllUp extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        NotAllUp(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }

        /** True for a timeout (exit 4), false for a layout that cannot match (more stores or unknown ids: exit 5). */
        public boolean timedOut() {
            return timedOut;
        }
    }

    private final PdClient pd;
    private final PdRetry retry;
    private final Duration poll;

    public StoreWait(PdClient pd, PdRetry retry, Duration poll) {
        this.pd = pd;
        this.retry = retry;
        this.poll = poll;
    }

    /** TiKV stores (TiFlash and tombstones skipped) by id. */
    static List<PdStore> tikv(List<PdStore> all) {
        return all.stream().filter(s -> !s.tiflash() && !s.tombstone()).sorted(Comparator.comparingLong(PdStore::id)).toList();
    }

    /** Returns the TiKV stores that take part (every expected one up, minus the allowed missing ones that are not). */
    public List<PdStore> await(ExpectedStores expected, Duration timeout) throws NotAllUp, PdException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastProgress = "";
        boolean first = true;
        while (true) {
            List<PdStore> all = retry.run("list stores", pd::stores);
            if (first) {
                for (PdStore s : all) {
                    if (s.tiflash() || s.tombstone()) {
                        LOG.info("prepare: skipping {} store {} ({})", s.tiflash() ? "TiFlash" : "tombstone", s.id(), s.address());
                    }
                }
                first = false;
            }
            List<PdStore> listed = tikv(all);
            List<PdStore> up = listed.stream().filter(s -> "Up".equalsIgnoreCase(s.state())).toList();
            Set<Long> upIds = up.stream().map(PdStore::id).collect(Collectors.toCollection(TreeSet::new));
            String extra = extra(expected, listed);
            if (extra != null) {
                throw new NotAllUp(extra, false);
            }
            Set<Long> missing = missing(expected, upIds);
            if (satisfied(expected, upIds, missing)) {
                if (!missing.isEmpty() || upIds.size() < expected.count()) {
                    LOG.warn("prepare: going on WITHOUT stores {} as --allow-missing-stores says: their replicas take no"
                            + " part and keep whatever they hold", expected.allowMissing());
                }
                return up;
            }
            long left = deadline - System.nanoTime();
            String progress = "prepare: " + upIds.size() + "/" + expected.count() + " expected TiKV stores up in PD "
                    + upIds + (missing.isEmpty() ? ", waiting for " + (expected.needed() - countWithoutAllowed(expected, upIds))
                    + " more" : ", waiting for stores " + missing);
            if (!progress.equals(lastProgress)) {
                LOG.info("{} ({} s left)", progress, Math.max(0, left / 1_000_000_000L));
                lastProgress = progress;
            }
            if (left <= 0) {
                throw new NotAllUp(diagnosis(expected, listed, upIds, missing, timeout), true);
            }
            Backoff.pause(Math.min(poll.toMillis(), Math.max(1, left / 1_000_000L)));
            if (Thread.currentThread().isInterrupted()) {
                throw new PdException("interrupted while waiting for the TiKV stores to register", 0, null);
            }
        }
    }

    private static Set<Long> missing(ExpectedStores e, Set<Long> upIds) {
        Set<Long> m = new TreeSet<>(e.ids());
        m.removeAll(upIds);
        m.removeAll(e.allowMissing());
        return m;
    }

    private static boolean satisfied(ExpectedStores e, Set<Long> upIds, Set<Long> missing) {
        if (!e.ids().isEmpty()) {
            return missing.isEmpty();
        }
        Set<Long> counted = new TreeSet<>(upIds);
        counted.removeAll(e.allowMissing());
        return counted.size() >= e.needed();
    }

    /** A listing that can never match the expected layout: more TiKV stores, or stores the backup does not have. */
    private static String extra(ExpectedStores e, List<PdStore> listed) {
        if (!e.ids().isEmpty()) {
            List<Long> unknown = listed.stream().map(PdStore::id).filter(id -> !e.ids().contains(id)).toList();
            if (!unknown.isEmpty()) {
                return "PD lists TiKV stores " + unknown + " that " + e.source() + " does not have (it lists "
                        + e.sortedIds() + "); this is not the cluster that was backed up, or the stores were"
                        + " re-created with new ids. Nothing was changed on PD or any store.";
            }
        } else if (listed.size() > e.count()) {
            return "PD lists " + listed.size() + " TiKV stores " + ids(listed) + " but " + e.source() + " says the"
                    + " cluster had " + e.count() + "; recovering a different set of stores than was backed up is"
                    + " refused (as BR does). Nothing was changed on PD or any store.";
        }
        return null;
    }

    private static String diagnosis(ExpectedStores e, List<PdStore> listed, Set<Long> upIds, Set<Long> missing,
                                    Duration timeout) {
        List<String> notUp = new ArrayList<>();
        for (PdStore s : listed) {
            if (!upIds.contains(s.id())) {
                notUp.add("store " + s.id() + " (" + s.address() + ") is " + s.state());
            }
        }
        String who = !missing.isEmpty() ? "stores " + missing + " never came up in PD"
                : (e.needed() - countWithoutAllowed(e, upIds)) + " of the " + e.count() + " expected TiKV stores never"
                        + " came up in PD (only " + upIds + " are up; PD does not know the ids of stores that never"
                        + " registered)";
        return "waited " + human(timeout) + " for " + e.describe() + ": " + who
                + (notUp.isEmpty() ? "" : "; " + String.join(", ", notUp)) + ". Nothing was changed on PD or any store."
                + " Start the missing TiKVs from their restored volumes (PD must be marked snapshot-recovering first),"
                + " then run recover again; only if a store is lost for good, name it with --allow-missing-stores"
                + " (its replicas then take no part and may hold data newer than the resolved ts).";
    }

    private static int countWithoutAllowed(ExpectedStores e, Set<Long> upIds) {
        Set<Long> c = new TreeSet<>(upIds);
        c.removeAll(e.allowMissing());
        return c.size();
    }

    private static String ids(List<PdStore> stores) {
        return stores.stream().map(s -> Long.toString(s.id())).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String human(Duration d) {
        return d.toMinutes() > 0 && d.toSecondsPart() == 0 ? d.toMinutes() + " min" : d.toMillis() % 1000 == 0
                ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
