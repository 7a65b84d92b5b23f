package io.phybr.mock.stock;

import io.phybr.mock.model.Peer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each peer's pending WaitApply state, TiKV's {@code snapshot_recovery_state} (fsm/peer.rs
 * {@code on_snapshot_br_wait_apply}, {@code snapshot_recovery_maybe_finish_wait_apply}; SPEC R8, R10): a peer that
 * must wait remembers the last index it saw at request time until it has applied it; a second request while the first
 * still waits is aborted as {@code Duplicated}, which answers success at once. Plain state: {@link RaftNet} holds it
 * under its lock and says which peer a store holds and whether it leads.
 */
final class WaitApplyStates {
    /** What a peer does with a new WaitApply request. */
    enum Admission {
        /** Already applied to its last index, or a follower that never voted: nothing to wait for. */
        TRIVIAL,
        /** It now waits until applied ≥ its last index. */
        WAITING,
        /** An older request still waits here: the new syncer is aborted as Duplicated — which answers at once. */
        DUPLICATED
    }

    /** The store's live peer of a region, or null. */
    @FunctionalInterface
    interface Peers {
        Peer of(long store, long region);
    }

    /** Store → region → target index of the peer's pending state. */
    private final Map<Long, Map<Long, Long>> pending = new TreeMap<>();
    private final Peers peers;

    WaitApplyStates(Peers peers) {
        this.peers = peers;
    }

    /** A request reaches {@code store}'s peer of {@code region} (relaxed: no epoch or term check). */
    Admission admit(long store, long region, boolean leaderWait, boolean leads) {
        Peer p = peers.of(store, region);
        Map<Long, Long> mine = pending.computeIfAbsent(store, k -> new TreeMap<>());
        finishSatisfied(store, mine);
        if (mine.containsKey(region)) {
            return Admission.DUPLICATED;
        }
        if (p == null || p.appliedIndex() >= p.lastIndex()) {
            return Admission.TRIVIAL;
        }
        if (!leaderWait && !leads && p.vote() == 0) {
            return Admission.TRIVIAL; // "never vote before or pending remove, it should be skip to wait apply"
        }
        mine.put(region, p.lastIndex());
        return Admission.WAITING;
    }

    /** Whether {@code store}'s peer of {@code region} no longer waits (applied to its target, or its state is gone). */
    boolean applied(long store, long region) {
        Map<Long, Long> mine = pending.get(store);
        if (mine == null) {
            return true;
        }
        finishSatisfied(store, mine);
        return !mine.containsKey(region);
    }

    /** Regions of {@code store} whose peers wait. */
    List<Long> waiting(long store) {
        Map<Long, Long> mine = pending.computeIfAbsent(store, k -> new TreeMap<>());
        finishSatisfied(store, mine);
        return List.copyOf(mine.keySet());
    }

    /** The store restarted: its peers' states were in memory. */
    void forget(long store) {
        pending.remove(store);
    }

    private void finishSatisfied(long store, Map<Long, Long> mine) {
        mine.entrySet().removeIf(e -> {
            Peer p = peers.of(store, e.getKey());
            return p == null || p.appliedIndex() >= e.getValue();
        });
    }
}
