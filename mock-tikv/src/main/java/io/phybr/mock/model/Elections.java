package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Raft elections in the history model, by raft-rs's rules (raft.rs {@code maybe_commit}, {@code handle_vote}:
 * a voter grants its vote once per term, only to a candidate whose log is at least as up to date as its own, i.e.
 * a higher last entry term, or the same last entry term and a last index at least as high; a candidate needs a
 * majority of the region's voters). A replica cut off from the others neither votes nor campaigns successfully.
 */
final class Elections {
    private final TreeMap<Long, StoreImage> stores;
    private final Replication replication;

    Elections(TreeMap<Long, StoreImage> stores, Replication replication) {
        this.stores = stores;
        this.replication = replication;
    }

    /** Raft's "at least as up to date" (raft-rs {@code RaftLog::is_up_to_date}). */
    static boolean upToDate(Peer candidate, Peer voter) {
        return candidate.lastEntryTerm() > voter.lastEntryTerm()
                || candidate.lastEntryTerm() == voter.lastEntryTerm() && candidate.lastIndex() >= voter.lastIndex();
    }

    private Peer peer(long store, long region) {
        StoreImage s = stores.get(store);
        if (s == null) {
            throw new ModelException("store " + store + " is not part of the cluster (stores " + stores.keySet() + ")");
        }
        return s.peer(region);
    }

    /** Why {@code store} cannot win an election of {@code g} now, or null when it wins. */
    String refusal(Group g, long store) {
        if (!g.members.containsKey(store)) {
            return "store " + store + " holds no peer of region " + g.id + " (members " + g.members.keySet() + ")";
        }
        if (g.pendingAdds.containsKey(store)) {
            return "store " + store + "'s peer of region " + g.id + " is a learner still waiting for its snapshot";
        }
        Peer p = peer(store, g.id);
        if (p == null || p.tombstone) {
            return "store " + store + " has no live peer of region " + g.id + " yet";
        }
        if (replication.cut(store, g.id)) {
            return "store " + store + " is cut off from region " + g.id + "'s other peers";
        }
        if (g.elected && store == g.leader && !replication.cut(store, g.id)) {
            return "store " + store + " already leads region " + g.id;
        }
        int voters = 0;
        int grants = 0;
        List<String> refused = new ArrayList<>();
        for (long v : g.members.keySet()) {
            if (g.pendingAdds.containsKey(v)) {
                continue;
            }
            voters++;
            Peer q = peer(v, g.id);
            if (v == store) {
                grants++;
            } else if (q == null || q.tombstone) {
                refused.add("store " + v + " has no live peer");
            } else if (replication.cut(v, g.id)) {
                refused.add("store " + v + " is cut off");
            } else if (!upToDate(p, q)) {
                refused.add("store " + v + "'s log (last term " + q.lastEntryTerm() + ", index " + q.lastIndex()
                        + ") is more up to date");
            } else {
                grants++;
            }
        }
        if (grants < voters / 2 + 1) {
            return "store " + store + " (last term " + p.lastEntryTerm() + ", index " + p.lastIndex() + ") gets " + grants
                    + " of " + voters + " votes: " + String.join(", ", refused);
        }
        return null;
    }

    /** {@code store} wins an election in a new term; the group's log becomes the winner's. */
    void elect(Group g, long store) {
        elect(g, store, false);
    }

    /**
     * The leader hears a higher term from a replica that rejoined and steps down; raft-rs then elects again, and the
     * old leader, whose log is the most up to date, wins in a term above every term it reaches.
     */
    void reelectLeader(Group g) {
        elect(g, g.leader, true);
    }

    private void elect(Group g, long store, boolean again) {
        String no = again && store == g.leader ? null : refusal(g, store);
        if (no != null) {
            throw new ModelException("store " + store + " cannot win an election for region " + g.id + ": " + no);
        }
        Peer p = peer(store, g.id);
        long term = p.term;
        List<Peer> reached = new ArrayList<>();
        for (long v : g.members.keySet()) {
            Peer q = peer(v, g.id);
            if (v != store && q != null && q.live() && !replication.cut(v, g.id) && !g.pendingAdds.containsKey(v)) {
                reached.add(q);
                term = Math.max(term, q.term);
            }
        }
        term++;
        p.writeHardState(term, p.peerId);
        for (Peer q : reached) {
            q.writeHardState(term, upToDate(p, q) ? p.peerId : 0);
        }
        long match = Replication.matchIndex(p, g);
        while (g.lastIndex() > match) {
            g.log.remove(g.log.size() - 1); // entries the winner lacks: overwritten (uncommitted, by the vote rule)
        }
        for (Entry e : p.entriesAfter(match)) {
            g.log.add(e);
        }
        g.term = term;
        g.leader = store;
        g.elected = true;
    }

    /** A campaign in a later term that does not win; {@code voters} grant their vote. */
    void campaign(Group g, long store, List<Long> voters) {
        Peer p = peer(store, g.id);
        if (p == null || p.tombstone) {
            throw new ModelException("store " + store + " holds no live peer of region " + g.id);
        }
        if (g.alive && g.elected && g.leader == store) {
            throw new ModelException("store " + store + " leads region " + g.id + "; a leader does not campaign");
        }
        hearsNoLeader(g, store, "campaign");
        long term = p.term + 1;
        List<Peer> granting = new ArrayList<>();
        for (long v : voters) {
            Peer q = peer(v, g.id);
            if (v == store || q == null || q.tombstone) {
                throw new ModelException("store " + v + " holds no other live peer of region " + g.id + " to vote");
            }
            hearsNoLeader(g, v, "vote");
            if (q.term >= term) {
                throw new ModelException("store " + v + " is already in term " + q.term + " and would refuse a vote "
                        + "in term " + term);
            }
            if (!upToDate(p, q)) {
                throw new ModelException("store " + v + "'s log (last term " + q.lastEntryTerm() + ", index " + q.lastIndex()
                        + ") is more up to date than store " + store + "'s: it would refuse the vote");
            }
            granting.add(q);
        }
        int electorate = p.members.isEmpty() ? 1 : p.members.size();
        if (1 + granting.size() >= electorate / 2 + 1) {
            throw new ModelException("store " + store + " would win with " + (1 + granting.size()) + " of " + electorate
                    + " votes; use 'leader r" + g.id + " store " + store + "' for an election that wins");
        }
        p.writeHardState(term, p.peerId);
        for (Peer q : granting) {
            q.writeHardState(term, p.peerId);
        }
    }

    private void hearsNoLeader(Group g, long store, String what) {
        if (g.alive && g.elected && g.members.containsKey(store) && replication.hearsLeader(store, g)) {
            throw new ModelException("store " + store + " hears from region " + g.id + "'s leader on store " + g.leader
                    + " and (with TiKV's prevote) would not " + what + "; cut it off first ('lag store " + store
                    + " region " + g.id + "') or cut off the leader");
        }
    }

    /** A replica the leader reaches whose term is above the leader's (the leader would step down), or null. */
    String higherTermThanLeader(Group g) {
        if (!g.elected) {
            return null;
        }
        for (long v : g.members.keySet()) {
            Peer q = peer(v, g.id);
            if (q != null && q.live() && v != g.leader && replication.hearsLeader(v, g) && q.term > g.term) {
                return "store " + v + "'s peer is in term " + q.term + ", above the leader's term " + g.term;
            }
        }
        return null;
    }
}
