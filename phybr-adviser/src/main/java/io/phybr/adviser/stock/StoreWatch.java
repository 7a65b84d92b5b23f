package io.phybr.adviser.stock;

import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.pd.PdStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the recovery knows about each store process, from PD's {@code start_timestamp} (R9) and from the calls it
 * made, so that no barrier is trusted that TiKV did not really give:
 * <ul>
 *   <li><b>restarts</b>: a store whose start timestamp changed lost its forced leaders (R9) and every pending wait;
 *       it needs its RecoverRegion plan again, and the waits that depended on it are redone;</li>
 *   <li><b>unproven applies</b>: a RecoverRegion or WaitApply that may have reached the store and ended without
 *       its answer (connection lost, deadline, aborted) can leave its wait pending on the store; while it is,
 *       a later WaitApply or leader-apply wait is aborted as {@code Duplicated} and answers success at once
 *       (R10, raftstore {@code fsm/peer.rs on_snapshot_br_wait_apply}). Only a restart of the store (a new start
 *       timestamp) clears such a wait before its region applied, so the store stays unproven until then.</li>
 * </ul>
 * Thread-safe.
 */
final class StoreWatch {
    /** One store: the start timestamp its plan was last sent under, and why its apply is unproven (null: proven). */
    private static final class Entry {
        final PdStore store;
        long planSentUnder;
        long appliedUnder = -1;
        long lastSeen;
        int restarts;
        String unproven;

        /** It restarted since its plan was last sent: it has no forced leader left (R9). */
        boolean owesPlan() {
            return lastSeen != planSentUnder;
        }

        Entry(PdStore s) {
            this.store = s;
            this.planSentUnder = s.startTimestamp();
            this.lastSeen = s.startTimestamp();
        }
    }

    private final PdClient pd;
    private final PdRetry pdRetry;
    private final Map<Long, Entry> entries = new TreeMap<>();
    private final java.util.function.Consumer<PdStore> onRestart;

    /**
     * {@code onRestart} is told each store whose restart a poll sees, under the watch's lock and before any caller can
     * see the restart — the recovery drops the store's connection there: it led to the old process, and a call sent on
     * it before the client noticed that process die would end without an answer and look like a wait left pending (R10).
     */
    StoreWatch(PdClient pd, PdRetry pdRetry, List<PdStore> stores, java.util.function.Consumer<PdStore> onRestart) {
        this.pd = pd;
        this.pdRetry = pdRetry;
        this.onRestart = onRestart;
        for (PdStore s : stores) {
            entries.put(s.id(), new Entry(s));
        }
    }

    /** PD reports start timestamps at all (else restarts cannot be seen, and an interrupted wait stays unproven). */
    synchronized boolean timestampsKnown() {
        return entries.values().stream().allMatch(e -> e.lastSeen != 0);
    }

    /** A call that installs waits on the store may have reached it and ended without its answer. */
    synchronized void interrupted(long storeId, String what) {
        Entry e = entries.get(storeId);
        if (e != null && e.unproven == null) {
            e.unproven = what;
        }
    }

    /** Why the store's apply is not proven, or null. */
    synchronized String unproven(long storeId) {
        Entry e = entries.get(storeId);
        return e == null ? null : e.unproven;
    }

    /** The stores whose apply is not proven, with why. */
    synchronized Map<Long, String> unproven() {
        Map<Long, String> out = new TreeMap<>();
        entries.forEach((id, e) -> {
            if (e.unproven != null) {
                out.put(id, e.unproven);
            }
        });
        return out;
    }

    /** The store's plan was (re)sent while it ran under its last seen start timestamp. */
    synchronized void planSent(long storeId) {
        Entry e = entries.get(storeId);
        if (e != null) {
            e.planSentUnder = e.lastSeen;
        }
    }

    /** The store restarted since its plan was last sent: it has no forced leader left (R9). */
    synchronized boolean needsPlan(long storeId) {
        Entry e = entries.get(storeId);
        return e != null && e.owesPlan();
    }

    /**
     * The stores that restarted since their plan was last sent, by id: what a restart watcher sends again at every
     * check until it is through — TiKV registers its new start timestamp with PD before its gRPC port serves
     * ({@code raft_server.rs} put_store in {@code init_servers}, the server in {@code run_server}), so the first try
     * after a restart is seen may find the port closed.
     */
    synchronized List<Long> needingPlan() {
        List<Long> out = new ArrayList<>();
        entries.forEach((id, e) -> {
            if (e.owesPlan()) {
                out.add(id);
            }
        });
        return out;
    }

    /** The store's WaitApply answered (as a barrier) while it ran under its last seen start timestamp. */
    synchronized void applied(long storeId) {
        Entry e = entries.get(storeId);
        if (e != null) {
            e.appliedUnder = e.lastSeen;
        }
    }

    /** The store has no WaitApply answered under its current process (never, or it restarted since). */
    synchronized boolean needsWait(long storeId) {
        Entry e = entries.get(storeId);
        return e != null && e.appliedUnder != e.lastSeen;
    }

    /** Store id → the start timestamp last seen in PD. */
    synchronized Map<Long, Long> startTimestamps() {
        Map<Long, Long> out = new TreeMap<>();
        entries.forEach((id, e) -> out.put(id, e.lastSeen));
        return out;
    }

    synchronized int restarts(long storeId) {
        Entry e = entries.get(storeId);
        return e == null ? 0 : e.restarts;
    }

    synchronized PdStore store(long storeId) {
        return entries.get(storeId).store;
    }

    /**
     * Reads PD's store list once and returns the stores that restarted since the last poll (new start
     * timestamp). A restart clears what made the store unproven: its process and every wait pending in it are gone.
     */
    List<PdStore> poll() throws PdException {
        List<PdStore> listed = pdRetry.run("list stores", pd::stores);
        Map<Long, PdStore> byId = new HashMap<>();
        listed.forEach(s -> byId.put(s.id(), s));
        List<PdStore> restarted = new ArrayList<>();
        synchronized (this) {
            for (Entry e : entries.values()) {
                PdStore now = byId.get(e.store.id());
                if (now == null || now.startTimestamp() == 0 || now.startTimestamp() == e.lastSeen) {
                    continue;
                }
                boolean wasKnown = e.lastSeen != 0;
                e.lastSeen = now.startTimestamp();
                if (wasKnown) {
                    e.restarts++;
                    e.unproven = null;
                    restarted.add(now);
                    onRestart.accept(e.store); // before any thread can act on the restart (needsPlan is now true)
                } else {
                    e.planSentUnder = e.lastSeen; // the first timestamp PD gave: nothing to compare with yet
                    if (e.appliedUnder == 0) {
                        e.appliedUnder = e.lastSeen;
                    }
                }
            }
        }
        return restarted;
    }
}
