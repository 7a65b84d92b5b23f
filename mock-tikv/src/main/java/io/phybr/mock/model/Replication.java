package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raft's replication inside the history model: followers persist the leader's log (truncating a conflicting tail
 * first), the leader commits an index once a majority of voters match it and it is of the leader's term, replicas
 * learn the commit index and their term from the leader, and apply committed entries to their store's kv engine.
 * {@link #settle()} runs all of that until nothing moves. A replica that lags ({@link Lag}) stops part of it.
 */
final class Replication {
    private final TreeMap<Long, StoreImage> stores;
    private final TreeMap<Long, Group> groups;
    private final List<Write> writes;
    private final TreeMap<Long, TreeMap<Long, Lag>> lags;

    Replication(TreeMap<Long, StoreImage> stores, TreeMap<Long, Group> groups, List<Write> writes,
                TreeMap<Long, TreeMap<Long, Lag>> lags) {
        this.stores = stores;
        this.groups = groups;
        this.writes = writes;
        this.lags = lags;
    }

    Lag lag(long storeId, long regionId) {
        TreeMap<Long, Lag> m = lags.get(storeId);
        return m == null ? null : m.get(regionId);
    }

    /** Cluster#lag: the checks and the bookkeeping of a lag that starts now. */
    void startLag(long storeId, long regionId, Lag mode) {
        if (!groups.containsKey(regionId)) {
            throw new ModelException("region " + regionId + " does not exist");
        }
        Group g = groups.get(regionId);
        if (g.alive && g.leader == storeId && mode == Lag.COMMIT) {
            throw new ModelException("store " + storeId + " leads region " + regionId + "; a leader knows its commit "
                    + "index (cut it off with 'lag store " + storeId + " region " + regionId + "' instead)");
        }
        if (g.alive && g.leader == storeId && mode == Lag.CUT) {
            for (long i = g.commit + 1; i <= g.lastIndex(); i++) {
                if (!(g.entry(i).command() instanceof Entry.Write || g.entry(i).command() instanceof Entry.Noop)) {
                    throw new ModelException("region " + regionId + "'s leader on store " + storeId + " has an "
                            + "uncommitted " + g.entry(i).command().getClass().getSimpleName() + " at index " + i
                            + "; the model cuts off a leader only when its uncommitted tail is data");
                }
            }
        }
        if (lags.computeIfAbsent(storeId, k -> new TreeMap<>()).putIfAbsent(regionId, mode) != null) {
            throw new ModelException("store " + storeId + " already lags on region " + regionId);
        }
    }

    /** Cluster#resume: the lag of {@code storeId}'s peer of {@code regionId} ends. */
    void endLag(long storeId, long regionId) {
        TreeMap<Long, Lag> m = lags.get(storeId);
        if (m == null || !m.containsKey(regionId)) {
            throw new ModelException("store " + storeId + " does not lag on region " + regionId);
        }
        m.remove(regionId);
    }

    boolean cut(long storeId, long regionId) {
        return lag(storeId, regionId) == Lag.CUT;
    }

    /** The term of the group's (leader's) log at {@code index}; -1 where it holds nothing. */
    static long termAt(Group g, long index) {
        if (index == Group.INIT_INDEX) {
            return Group.INIT_TERM;
        }
        if (index < Group.INIT_INDEX || index > g.lastIndex()) {
            return -1;
        }
        return g.entry(index).term();
    }

    /** The last index at which {@code p}'s log agrees with the leader's (Raft's log matching: all before agree). */
    static long matchIndex(Peer p, Group g) {
        for (long i = Math.min(p.lastIndex(), g.lastIndex()); i >= p.logBase(); i--) {
            if (p.entryTerm(i) == termAt(g, i)) {
                return i;
            }
        }
        return p.logBase() - 1;
    }

    /** Does the leader reach this replica (both sides not cut off)? */
    boolean hearsLeader(long storeId, Group g) {
        return storeId == g.leader || !cut(storeId, g.id) && !cut(g.leader, g.id);
    }

    /** Persists, commits and applies everything that can move, until nothing does. */
    void settle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Group g : new ArrayList<>(groups.values())) {
                for (long s : g.members.keySet()) {
                    moved |= persist(s, g, g.lastIndex());
                }
                for (Map.Entry<Long, Long> r : g.removedAt.entrySet()) {
                    moved |= persist(r.getKey(), g, r.getValue());
                }
                moved |= updateCommit(g);
                moved |= learnCommit(g);
                for (long s : new ArrayList<>(g.members.keySet())) {
                    moved |= apply(s, g);
                }
                // removed peers that still wait for their removal entry, and stale peers of merged regions
                for (StoreImage st : stores.values()) {
                    if (!g.members.containsKey(st.id)) {
                        moved |= apply(st.id, g);
                    }
                }
                moved |= deliverSnapshots(g);
            }
        }
    }

    private boolean persist(long storeId, Group g, long upTo) {
        Peer p = stores.get(storeId).peer(g.id);
        if (p == null || p.tombstone || !hearsLeader(storeId, g)) {
            return false;
        }
        long match = matchIndex(p, g);
        if (match < p.logBase()) {
            throw new IllegalStateException(p + " disagrees with the leader of region " + g.id + " at its log base");
        }
        if (upTo <= match || match == p.lastIndex() && p.lastIndex() >= upTo) {
            return false;
        }
        p.truncateAfter(match); // an older leader's uncommitted tail, overwritten (Raft's log matching)
        for (long i = match + 1; i <= upTo; i++) {
            p.append(g.entry(i));
        }
        return true;
    }

    private boolean updateCommit(Group g) {
        // a peer added by AddPeer counts once it has its snapshot (PD adds learners, then promotes them)
        long[] progress = new long[g.members.size() - g.pendingAdds.size()];
        int i = 0;
        for (long s : g.members.keySet()) {
            if (g.pendingAdds.containsKey(s)) {
                continue;
            }
            Peer p = stores.get(s).peer(g.id);
            progress[i++] = p == null || p.tombstone ? 0 : Math.max(0, matchIndex(p, g));
        }
        if (progress.length == 0) {
            return false;
        }
        Arrays.sort(progress);
        long quorum = progress[progress.length - (progress.length / 2 + 1)];
        // Raft commits by counting replicas only entries of the leader's own term (Raft paper §5.4.2)
        if (quorum > g.commit && termAt(g, quorum) == g.term) {
            g.commit = quorum;
            return true;
        }
        return false;
    }

    /** Replicas that hear from the leader take its term and learn the commit index (up to what they match). */
    private boolean learnCommit(Group g) {
        boolean moved = false;
        List<long[]> targets = new ArrayList<>();
        for (long s : g.members.keySet()) {
            targets.add(new long[] {s, Long.MAX_VALUE});
        }
        for (Map.Entry<Long, Long> r : g.removedAt.entrySet()) {
            targets.add(new long[] {r.getKey(), r.getValue()});
        }
        for (long[] t : targets) {
            Peer p = stores.get(t[0]).peer(g.id);
            if (p == null || p.tombstone || !hearsLeader(t[0], g)) {
                continue;
            }
            if (p.observeTerm(g.term)) {
                moved = true;
            }
            if (lag(t[0], g.id) == Lag.COMMIT && t[0] != g.leader) {
                continue;
            }
            long c = Math.min(Math.min(g.commit, matchIndex(p, g)), t[1]);
            if (c > p.commit) {
                p.raiseCommitTo(c);
                moved = true;
            }
        }
        return moved;
    }

    private boolean apply(long storeId, Group g) {
        StoreImage st = stores.get(storeId);
        Peer p = st.peer(g.id);
        if (p == null || p.tombstone || lag(storeId, g.id) == Lag.APPLY) {
            return false;
        }
        long limit = Math.min(p.commit, p.lastIndex());
        boolean moved = false;
        while (p.applied < limit && !p.tombstone) {
            Entry e = p.entry(p.applied + 1);
            if (e == null || !applyEntry(st, p, e)) {
                break;
            }
            moved = true;
        }
        return moved;
    }

    static boolean applyEntry(StoreImage st, Peer p, Entry e) {
        Entry.Command c = e.command();
        if (c instanceof Entry.CommitMerge cm) {
            Peer src = st.peer(cm.source());
            if (src == null || src.applied < cm.sourcePrepareIndex()) {
                return false; // waits for the source peer to catch up, as TiKV does
            }
            p.writeAppliedIndex(e.index());
            p.absorb(src);
            src.markTombstone();
            return true;
        }
        p.writeAppliedIndex(e.index());
        if (c instanceof Entry.Write w) {
            st.data.set(w.writeId());
        } else if (c instanceof Entry.Split sp) {
            byte[] oldEnd = p.end;
            p.keepLeftOfSplit(sp.at());
            Peer existing = st.peer(sp.newRegion());
            if (existing == null && sp.newPeers().containsKey(st.id)) {
                Peer child = Peer.of(st.id, sp.newRegion()).peerId(sp.newPeers().get(st.id))
                        .applied(Group.INIT_INDEX).lastIndex(Group.INIT_INDEX).term(Group.INIT_TERM)
                        .range(sp.at(), oldEnd).version(p.version).confVer(p.confVer).members(sp.newPeers()).build();
                st.peers.put(sp.newRegion(), child);
            }
        } else if (c instanceof Entry.PrepareMerge) {
            p.prepareMerge();
        } else if (c instanceof Entry.AddPeer ap) {
            p.changeMember(true, ap.store(), ap.peerId());
        } else if (c instanceof Entry.RemovePeer rp) {
            p.changeMember(false, rp.store(), 0);
            if (rp.store() == st.id) {
                p.markTombstone();
            }
        }
        return true;
    }

    /** New peers (AddPeer) get a snapshot of the leader once the AddPeer entry has committed. */
    private boolean deliverSnapshots(Group g) {
        boolean moved = false;
        if (g.alive && g.parent != 0) {
            // a store whose parent peer got past the split by a snapshot never ran the split: the
            // child's leader sends it a snapshot instead
            for (long s : g.members.keySet()) {
                Peer parent = stores.get(s).peer(g.parent);
                if (stores.get(s).peer(g.id) == null && !g.pendingAdds.containsKey(s) && parent != null
                        && parent.applied >= g.splitIndex && !cut(s, g.id)) {
                    g.pendingAdds.put(s, Group.INIT_INDEX);
                }
            }
        }
        for (Map.Entry<Long, Long> pending : new ArrayList<>(g.pendingAdds.entrySet())) {
            long s = pending.getKey();
            Peer leader = stores.get(g.leader).peer(g.id);
            if (g.commit < pending.getValue() || !hearsLeader(s, g) || leader == null
                    || leader.applied < pending.getValue()) {
                continue;
            }
            StoreImage st = stores.get(s);
            Peer p = Peer.of(s, g.id).peerId(g.members.get(s)).applied(leader.applied).lastIndex(leader.applied)
                    .term(g.term).range(leader.start, leader.end).version(leader.version).confVer(leader.confVer)
                    .members(leader.members).build();
            p.resetLog(leader.applied, termAt(g, leader.applied));
            st.peers.put(g.id, p);
            BitSet leaderData = stores.get(g.leader).data;
            for (int w = leaderData.nextSetBit(0); w >= 0; w = leaderData.nextSetBit(w + 1)) {
                if (Keys.contains(p.start, p.end, writes.get(w).key())) {
                    st.data.set(w);
                }
            }
            g.pendingAdds.remove(s);
            moved = true;
        }
        return moved;
    }
}
