package io.phybr.mock.model;

import java.util.Map;

/**
 * When a real cluster merges a region into its neighbour: the checks PD's merge checker and the source leader's
 * PrepareMerge proposal make, so that a history never merges where TiKV and PD would refuse.
 *
 * <ul>
 *   <li><b>Adjacent, on the same stores, neither merging</b> (PD {@code pkg/schedule/checker/merge_checker.go}
 *       {@code checkTarget}, {@code AllowMerge}, {@code checkPeerStore}; PD moves peers first).</li>
 *   <li><b>Every peer of both regions exists</b> (issue 14). PD merges only a source and a target with no pending peer
 *       ({@code merge_checker.go} {@code filter.IsRegionHealthy} on both; {@code pkg/schedule/filter/healthy.go}), and
 *       the leader reports as pending every peer whose {@code matched} is below its truncated index (tikv
 *       {@code components/raftstore/src/store/peer.rs} {@code collect_pending_peers}, whose comment says it: "The
 *       correctness of region merge depends on the fact that all target peers must exist during merging. (PD rely on
 *       pending_peers to check whether all target peers exist)"); the source's leader itself refuses PrepareMerge while
 *       any peer's {@code matched} is 0 ({@code peer.rs} {@code pre_propose_prepare_merge}: "log gap too large"). A
 *       peer that does not exist has matched nothing: a split's new region on a store that has not applied the split
 *       (its parent lags there), a peer still waiting for its snapshot. So is a peer cut off since before the current
 *       leader was elected: a new leader resets every progress to {@code matched = 0} (raft-rs
 *       {@code src/tracker/progress.rs} {@code Progress::reset}) and hears nothing from it.</li>
 *   <li><b>No admin command in the source's log gap</b>: PrepareMerge carries the entries after the lowest matched or
 *       committed index, and the leader refuses when any of them changes the epoch or the configuration (split,
 *       merge, peer change: {@code pre_propose_prepare_merge}).</li>
 * </ul>
 * Without the second rule the model merged a region whose peer on a lagging store did not exist yet; in recovery that
 * store applied the old split and created a live peer of a region merged away — a state TiKV never reaches, which
 * broke about 1 history in 120 once merges were drawn (issue 14). Not modelled, so the model merges more often than
 * TiKV would (harsher for the adviser): the log-gap size limits ({@code merge_max_log_gap}, 10 entries by default),
 * down peers (PD: no heartbeat for {@code max-peer-down-duration}), and a log truncated past a lagging peer.
 */
final class MergeRules {
    private MergeRules() {
    }

    /** Why the merge of {@code s} into {@code t} would not happen now, or null when it would. */
    static String refusal(Group s, Group t, Map<Long, StoreImage> stores, Replication replication) {
        if (s.id == t.id) {
            return "cannot merge region " + s.id + " into itself";
        }
        if (!s.alive || !t.alive) {
            return "region " + (s.alive ? t.id : s.id) + " was merged away and no longer exists";
        }
        if (!s.members.keySet().equals(t.members.keySet())) {
            return "cannot merge region " + s.id + " into region " + t.id + ": their peers are on different stores "
                    + s.members.keySet() + " and " + t.members.keySet() + " (PD would move peers first)";
        }
        if (!adjacent(s, t)) {
            return "cannot merge region " + s.id + " " + Keys.range(s.start, s.end) + " into region " + t.id + " "
                    + Keys.range(t.start, t.end) + ": they are not adjacent";
        }
        if (s.merging || t.merging) {
            return "region " + (s.merging ? s.id : t.id) + " is already merging";
        }
        for (Group g : new Group[] {s, t}) {
            String pending = pendingPeer(g, stores, replication);
            if (pending != null) {
                return "cannot merge region " + s.id + " into region " + t.id + ": " + pending + "; PD merges only "
                        + "regions with no pending peer and TiKV's PrepareMerge needs every peer matched (issue 14)";
            }
        }
        return adminInGap(s, stores, replication);
    }

    /** Whether {@code s} ends where {@code t} starts, or {@code t} ends where {@code s} starts. */
    static boolean adjacent(Group s, Group t) {
        return sourceIsLeft(s, t) || Keys.compare(t.end, s.start) == 0 && t.end.length != 0;
    }

    /** Whether the source lies left of the target (the target's start moves); else right (its end moves). */
    static boolean sourceIsLeft(Group s, Group t) {
        return Keys.compare(s.end, t.start) == 0 && s.end.length != 0;
    }

    /** A peer of {@code g} the leader has matched nothing of (described), or null. */
    private static String pendingPeer(Group g, Map<Long, StoreImage> stores, Replication replication) {
        for (Map.Entry<Long, Long> m : g.members.entrySet()) {
            long store = m.getKey();
            Peer p = stores.get(store).peer(g.id);
            if (g.pendingAdds.containsKey(store) || p == null || p.tombstone || p.peerId != m.getValue()) {
                return "region " + g.id + " has no peer on store " + store + " yet ("
                        + (g.pendingAdds.containsKey(store) ? "it waits for its snapshot"
                        : "that store has not applied the split that creates it") + ")";
            }
            if (store != g.leader && !replication.hearsLeader(store, g) && p.term < g.term) {
                return "region " + g.id + "'s peer on store " + store + " was cut off before the leader of term "
                        + g.term + " was elected, which has matched nothing of it";
            }
        }
        return null;
    }

    /** An admin command after the lowest matched or committed index of the source's peers (described), or null. */
    private static String adminInGap(Group s, Map<Long, StoreImage> stores, Replication replication) {
        long from = s.lastIndex();
        for (long store : s.members.keySet()) {
            Peer p = stores.get(store).peer(s.id);
            long matched = store == s.leader ? s.lastIndex() : Replication.matchIndex(p, s);
            from = Math.min(from, Math.min(matched, Math.max(p.commit, Group.INIT_INDEX)));
        }
        for (long i = Math.max(from, Group.INIT_INDEX) + 1; i <= s.lastIndex(); i++) {
            Entry.Command c = s.entry(i).command();
            if (!(c instanceof Entry.Write || c instanceof Entry.Noop)) {
                return "cannot merge region " + s.id + ": entry " + i + " (" + c.getClass().getSimpleName()
                        + ") is not yet matched or committed on every peer, and TiKV refuses a PrepareMerge whose log "
                        + "gap holds an admin command (raftstore peer.rs pre_propose_prepare_merge)";
            }
        }
        return null;
    }
}
