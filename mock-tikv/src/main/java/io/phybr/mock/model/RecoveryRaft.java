package io.phybr.mock.model;

/**
 * Internal (not API): public only because the stock stores' Raft network ({@code stock}) runs it.
 *
 * <p>The Raft steps a TiKV in recovery mode takes on its replicas, for the mock stock stores (which run elections and
 * replication across stores themselves; this class is their only way to change a replica's log and hard state).
 * raft-rs semantics: a voter that sees a higher term takes it and forgets its vote ({@code Raft::become_follower});
 * it grants its vote once per term, only to a candidate at least as up to date (last entry term, then last index:
 * {@code RaftLog::is_up_to_date}); a new leader appends an empty entry in its term; a follower keeps its log up to
 * the last index whose term matches the leader's and takes the leader's entries after it (a conflicting tail of an
 * older term is overwritten: {@code RaftLog::maybe_append}); committed entries are applied in order.
 */
public final class RecoveryRaft {
    private RecoveryRaft() {
    }

    /** The replica hears of {@code term}: a higher term becomes its hard-state term and clears its vote. */
    public static void observe(Peer p, long term) {
        p.observeTerm(term);
    }

    /** The candidate campaigns: term + 1, votes for itself. Returns the election's term. */
    public static long campaign(Peer candidate) {
        candidate.writeHardState(candidate.term + 1, candidate.peerId);
        return candidate.term;
    }

    /** A RequestVote of {@code candidate} in {@code term} reaches {@code voter}: does it grant its vote? */
    public static boolean requestVote(Peer voter, Peer candidate, long term) {
        observe(voter, term);
        if (voter.term != term || voter.vote != 0 && voter.vote != candidate.peerId
                || !Elections.upToDate(candidate, voter)) {
            return false;
        }
        voter.writeHardState(term, candidate.peerId); // term: the voter's own, after observe
        return true;
    }

    /** The candidate won: it appends the empty entry of its term (raft-rs {@code become_leader}). */
    public static void becomeLeader(Peer leader) {
        leader.append(new Entry(leader.lastIndex() + 1, leader.term, new Entry.Noop()));
    }

    /**
     * The follower takes the leader's log: it keeps its entries up to the last index where its term matches the
     * leader's and takes the leader's after it. With no common index (the leader no longer holds the entries the
     * follower needs: its log starts after a snapshot) the leader sends a Raft snapshot of its replica at its applied
     * index, as TiKV does (raftstore {@code peer_storage.rs do_snapshot}: the RegionLocalState — range, epoch, peers —
     * and the region's KV data at the applied index; {@code apply_snapshot}: the follower's last and applied index
     * become the snapshot's, its old log goes); the caller moves the KV data ({@code StoreBackend}). A follower that
     * already knows a commit beyond the snapshot refuses it (raft-rs {@code Raft::restore}). Before, the follower took
     * the leader's log alone and stepped over the entries below its base without applying them: a write committed
     * there was missing from its data, and a flashback entry restoring that write's value later made the checker read
     * a value the replica never held (issue 14, run seed 2081714741270035687, history …35720).
     *
     * @return true when the follower installed a snapshot (the caller copies the leader's data over its range)
     */
    public static boolean follow(Peer follower, Peer leader) {
        observe(follower, leader.term);
        long match = matchIndex(follower, leader);
        if (match < 0) {
            long snap = leader.applied;
            if (leader.entryTerm(snap) == -1) {
                // a leader that holds no entry at its applied index (an in-memory store's replica keeps no entries):
                // no snapshot point to send; the follower takes the log alone, as before
                follower.copyRaftLogFrom(leader);
                return false;
            }
            if (follower.commit > snap) {
                return false; // raft-rs Raft::restore: a snapshot below the committed index is ignored
            }
            follower.installSnapshot(leader, snap, leader.entryTerm(snap));
            for (Entry e : leader.entriesAfter(snap)) {
                follower.append(e);
            }
            return true;
        }
        if (match < follower.lastIndex()) {
            follower.truncateAfter(match);
        }
        for (Entry e : leader.entriesAfter(match)) {
            follower.append(e);
        }
        return false;
    }

    /** The highest index where both logs hold an entry of the same term (Raft's log matching), or -1. */
    private static long matchIndex(Peer follower, Peer leader) {
        for (long i = Math.min(follower.lastIndex(), leader.lastIndex()); i >= Math.max(follower.logBase(), leader.logBase()); i--) {
            long t = follower.entryTerm(i);
            if (t != -1 && t == leader.entryTerm(i)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether {@code follower} holds a committed entry that {@code leader}'s log contradicts (a different term at that
     * index, or none): Raft's leader completeness says this never happens, but volume snapshots taken store after
     * store can leave an entry committed after one store's snapshot on a single restored replica, and a candidate
     * that campaigned in vain (pre-vote off: its hard-state term above its last entry's) can then win over the
     * shorter logs (issue 14, histories 777101414 and 777103048 of the pre-vote-off first-elections batch). raft-rs
     * never lets such a follower overwrite a committed entry, and never panics over it either: its probe walks down to
     * an index below the follower's commit, which {@code Raft::handle_append_entries} answers with a success at the
     * follower's commit index ("got message with lower index than committed") — before {@code RaftLog::maybe_append}
     * and its "conflict with committed entry" fatal are reached — so the leader counts the follower matched up to its
     * commit (a quorum member for entries up to there); every later append, anchored at the leader's entry at that
     * index, is rejected ({@code maybe_append} finds no matching term), and the leader drops the rejection as stale
     * ({@code Progress::maybe_decr_to}: rejected == matched) or probes the same anchor again. The follower keeps its
     * log and applied data and takes nothing more from this leader — no entry, no flashback step — until the leader
     * sends it a Raft snapshot (only once its log is compacted past that index). Only a follower whose log shares an
     * index with the leader's: with none, the leader sends a snapshot ({@link #follow}).
     */
    public static boolean holdsCommittedEntryLeaderLacks(Peer follower, Peer leader) {
        long match = matchIndex(follower, leader);
        return match >= 0 && match < Math.min(follower.commit, follower.lastIndex());
    }

    /**
     * The replica learns that everything up to {@code index} is committed and applies it in order. Entries its log
     * no longer holds (at or below its log base: the mock's in-memory stores keep no entries) apply without effect.
     */
    public static void commitAndApply(StoreImage store, Peer p, long index) {
        commitAndApply(store, p, index, (region, prepareIndex) -> null);
    }

    /** Where the source's entries a CommitMerge carries come from: a replica of the source region holding them. */
    @FunctionalInterface
    public interface MergeEntries {
        /** A replica (any store, tombstone or not) of {@code sourceRegion} whose log holds its PrepareMerge, or null. */
        Peer holding(long sourceRegion, long prepareIndex);
    }

    /**
     * As {@link #commitAndApply(StoreImage, Peer, long)}, and a CommitMerge whose source peer on this store has not
     * applied its PrepareMerge first catches that source up, as TiKV does (raft_cmdpb CommitMergeRequest carries the
     * source's entries up to PrepareMerge; the target's apply sends them to the local source peer in a CatchUpLogs,
     * fsm/peer.rs on_catch_up_logs_for_merge; the source applies them, marks itself pending_remove (Merge) and is
     * destroyed — a Tombstone here — and the target applies the merge). A source that holds the entries but only
     * never learned they committed applies its own; one cut off before them takes them from {@code entries}.
     */
    public static void commitAndApply(StoreImage store, Peer p, long index, MergeEntries entries) {
        p.raiseCommitTo(Math.min(index, p.lastIndex()));
        while (p.applied < p.commit && !p.tombstone) {
            Entry e = p.entry(p.applied + 1);
            if (e == null) {
                p.writeAppliedIndex(p.applied + 1);
                continue;
            }
            if (e.command() instanceof Entry.CommitMerge cm) {
                catchUpSource(store, cm, entries);
            }
            if (!Replication.applyEntry(store, p, e)) {
                break;
            }
        }
    }

    private static void catchUpSource(StoreImage store, Entry.CommitMerge cm, MergeEntries entries) {
        Peer src = store.peer(cm.source());
        if (src == null || src.tombstone || src.applied >= cm.sourcePrepareIndex()) {
            return;
        }
        if (src.lastIndex() < cm.sourcePrepareIndex() || src.entryTerm(cm.sourcePrepareIndex()) == -1) {
            Peer donor = entries.holding(cm.source(), cm.sourcePrepareIndex());
            if (donor == null) {
                return; // nothing carries them: the target waits, as TiKV's would without the entries
            }
            follow(src, donor);
        }
        src.raiseCommitTo(Math.min(cm.sourcePrepareIndex(), src.lastIndex()));
        while (src.applied < cm.sourcePrepareIndex() && src.applied < src.lastIndex() && !src.tombstone) {
            Entry e = src.entry(src.applied + 1);
            if (e == null) {
                src.writeAppliedIndex(src.applied + 1);
            } else if (!Replication.applyEntry(store, src, e)) {
                return;
            }
        }
    }
}
