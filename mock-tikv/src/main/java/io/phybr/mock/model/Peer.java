package io.phybr.mock.model;

import java.util.List;
import java.util.TreeMap;

/**
 * One replica of a region on one store: its Raft state (own log, hard state, commit) and the region state that
 * results from applying that log up to {@link #applied}. Mutable; {@link #copy()} freezes it for a snapshot.
 *
 * <h2>What a replica holds (the truth its reports hide)</h2>
 * In TiKV a peer's Raft state is {@code RaftLocalState{hard_state{term, vote, commit}, last_index}} plus its log
 * entries (raft volume), and its apply state {@code RaftApplyState{applied_index}} plus {@code RegionLocalState}
 * (range, epoch, Tombstone) sit in the kv engine (kv volume). The read API below exposes exactly that, so the
 * stock-store backend can run Raft's vote rule (last entry term, last index) and WaitApply (applied vs last, the
 * unapplied tail and its terms) without asking the history model:
 * <ul>
 *   <li>{@link #lastIndex()}, {@link #lastEntryTerm()} — what Raft's vote rule compares;</li>
 *   <li>{@link #hardStateTerm()}, {@link #vote()} — the hard state; the term can exceed the last entry's term
 *       (a vote or failed campaign in a later term with no entry of it: SPEC R2);</li>
 *   <li>{@link #commitIndex()} — the commit index this replica has heard of (persisted in its hard state);</li>
 *   <li>{@link #appliedIndex()} — from the kv engine; normally ≤ commit ≤ last, but a store whose raft and kv
 *       volumes were snapshotted at different instants (SPEC R16) can hold applied &gt; last;</li>
 *   <li>{@link #entry(long)}, {@link #entryTerm(long)}, {@link #unappliedEntries()} — its own log, which can end in
 *       entries of an older term that a newer leader overwrote elsewhere (tikv#16307).</li>
 * </ul>
 * The log ({@link RaftLog}) holds entries {@code logBase+1 .. last}; {@code logBase} and its term are where it starts
 * (a new region's RAFT_INIT_LOG_INDEX, or the snapshot it was created from).
 */
public final class Peer {
    final long store;
    final long regionId;
    long peerId;
    /** Entries applied to the state machine (kv engine's RaftApplyState). */
    long applied;
    /** The Raft hard-state term: the highest term this peer has seen or voted in (≥ its last entry's term). */
    long term;
    /** Hard-state vote: the peer id this replica voted for in {@link #term}, 0 for none. */
    long vote;
    /** Hard-state commit: the highest index this replica knows to be committed (≤ last, unless skewed). */
    long commit;
    byte[] start;
    byte[] end;
    long version;
    long confVer;
    boolean tombstone;
    /** After the adviser's commands: the peer must not campaign. */
    boolean silenced;
    /** Region members as this peer knows them: store id → peer id. */
    final TreeMap<Long, Long> members;
    /** The local Raft log (raft volume): its entries, base and last index. */
    private final RaftLog log;

    /** A new replica of {@code region} on {@code store}, each part named ({@link PeerBuilder}). */
    public static PeerBuilder of(long store, long region) {
        return new PeerBuilder(store, region);
    }

    /**
     * A replica whose log is empty after {@code last} (term {@code term} at that index) and which has applied and
     * knows committed everything up to {@code applied}. Outside {@link #copy()}, built by name through {@link #of}.
     */
    Peer(long store, long regionId, long peerId, long applied, long last, long term,
                byte[] start, byte[] end, long version, long confVer, TreeMap<Long, Long> members) {
        this.store = store;
        this.regionId = regionId;
        this.peerId = peerId;
        this.applied = applied;
        this.term = term;
        this.commit = Math.min(applied, last);
        this.start = start;
        this.end = end;
        this.version = version;
        this.confVer = confVer;
        this.members = members;
        this.log = new RaftLog(last, term);
    }

    public Peer copy() {
        Peer p = new Peer(store, regionId, peerId, applied, log.last(), term, start, end, version, confVer,
                new TreeMap<>(members));
        p.vote = vote;
        p.commit = commit;
        p.tombstone = tombstone;
        p.silenced = silenced;
        p.copyRaftLogFrom(this);
        return p;
    }

    // ------------------------------------------------------------------ read API (stable; the stock store reads it)

    /** The store this replica lives on. */
    public long store() {
        return store;
    }

    public long regionId() {
        return regionId;
    }

    /** This replica's own peer id (changes when a store is given a fresh replica of the region). */
    public long peerId() {
        return peerId;
    }

    /** RegionLocalState's start key (inclusive, empty = -inf); do not modify the array. */
    public byte[] start() {
        return start;
    }

    /** RegionLocalState's end key (exclusive, empty = +inf); do not modify the array. */
    public byte[] end() {
        return end;
    }

    /** The region epoch's version (bumped by split and merge). */
    public long version() {
        return version;
    }

    /** The region epoch's conf_ver (bumped by membership changes). */
    public long confVer() {
        return confVer;
    }

    /** True when RegionLocalState says Tombstone: the replica was removed and only its marker is left. */
    public boolean tombstone() {
        return tombstone;
    }

    /** True after the adviser's commands told this replica not to campaign. */
    public boolean silenced() {
        return silenced;
    }

    /** Region members as this replica knows them, store id → peer id; a read-only view. */
    public java.util.SortedMap<Long, Long> members() {
        return java.util.Collections.unmodifiableSortedMap(members);
    }

    /** RaftLocalState.last_index: the index of the last entry persisted locally. */
    public long lastIndex() {
        return log.last();
    }

    /** The term of the last entry persisted locally: what Raft's vote rule compares (not the hard-state term). */
    public long lastEntryTerm() {
        return log.lastTerm();
    }

    /** Raft hard-state term; what TiKV reports as {@code last_log_term} (SPEC R2). */
    public long hardStateTerm() {
        return term;
    }

    /** Raft hard-state vote: the peer id voted for in {@link #hardStateTerm()}, 0 for none. */
    public long vote() {
        return vote;
    }

    /** Raft hard-state commit: the highest index this replica knows is committed. */
    public long commitIndex() {
        return commit;
    }

    /** RaftApplyState.applied_index (kv engine). */
    public long appliedIndex() {
        return applied;
    }

    /** The index this replica's log starts after (its creation or snapshot point); entries at or below are gone. */
    public long logBase() {
        return log.base();
    }

    /** The local entry at {@code index}, or null when the log does not hold it (at or below the base, beyond last). */
    public Entry entry(long index) {
        return log.entry(index);
    }

    /** The term of the local entry at {@code index}: the base term at the base, -1 where the log holds nothing. */
    public long entryTerm(long index) {
        return log.termAt(index);
    }

    /** Entries persisted but not applied (index &gt; applied), oldest first, with their terms. */
    public List<Entry> unappliedEntries() {
        return log.after(applied);
    }

    // ------------------------------------------------------------------ the adviser's commands (seed protocol)

    /** This replica is removed (the adviser's tombstone command, a RemovePeer or merge applied); its marker stays. */
    public void markTombstone() {
        tombstone = true;
    }

    /**
     * The adviser's recover command for a replica it keeps: adopt {@code term} as the hard-state term — lower or
     * higher, as the seed agent writes {@code hard_state.term = command.term} whenever they differ (tikv/tikv
     * {@code cmd/tikv-phybr/src/main.rs}) — and, when {@code silence}, never campaign again.
     */
    public void takeRecoverCommand(long term, boolean silence) {
        this.term = term;
        this.silenced = silence;
    }

    // ------------------------------------------------------------------ recovery mode (the stock store's)

    /** Recovery mode: this replica must not campaign (a follower, or not yet forced to lead). */
    public void silence() {
        silenced = true;
    }

    /** Recovery mode: this replica leads (was elected or forced) and may campaign again. */
    public void unsilence() {
        silenced = false;
    }

    /** Raises the hard-state term to {@code term} (a forced leader campaigning above every replica's term). */
    public void raiseTermTo(long term) {
        this.term = Math.max(this.term, term);
    }

    /** Applies every persisted entry (applied = last): a leader that commits and applies its whole log. */
    public void applyAllPersisted() {
        applied = log.last();
    }

    /** A split at {@code at}: this replica keeps {@code [start, at)} and its epoch's version goes up by one. */
    public void keepLeftOfSplit(byte[] at) {
        end = at.clone();
        version++;
    }

    // ------------------------------------------------------------------ hard state, commit, apply (the model's Raft)

    /** A higher {@code term} becomes the hard-state term and clears the vote (raft-rs become_follower); else nothing. */
    boolean observeTerm(long term) {
        if (term <= this.term) {
            return false;
        }
        this.term = term;
        this.vote = 0;
        return true;
    }

    /**
     * Writes the hard state's term and vote (0: none): as an election leaves them, or as a crafted raft volume could
     * hold them (e.g. a vote in a term with no entry of it, SPEC R2). The log is untouched.
     */
    public void writeHardState(long term, long vote) {
        this.term = term;
        this.vote = vote;
    }

    /** The replica learns that everything up to {@code index} is committed (the commit index never goes down). */
    void raiseCommitTo(long index) {
        commit = Math.max(commit, index);
    }

    /**
     * Writes RaftApplyState.applied_index: entry {@code applied} was applied (or, not held in the log, skipped), or a
     * crafted kv volume holds it (an unapplied tail after it).
     */
    public void writeAppliedIndex(long applied) {
        this.applied = applied;
    }

    /** A CommitMerge applied: the range grows by the adjacent {@code source}'s, the version passes both. */
    void absorb(Peer source) {
        if (Keys.compare(source.end, start) == 0 && source.end.length != 0) {
            start = source.start;
        } else {
            end = source.end;
        }
        version = Math.max(version, source.version) + 1;
    }

    /** A PrepareMerge applied: the epoch's version and conf version go up by one. */
    void prepareMerge() {
        version++;
        confVer++;
    }

    /** An AddPeer ({@code add}) or RemovePeer applied on {@code store}'s peer {@code peerId}: the conf version goes up. */
    void changeMember(boolean add, long store, long peerId) {
        if (add) {
            members.put(store, peerId);
        } else {
            members.remove(store);
        }
        confVer++;
    }

    // ------------------------------------------------------------------ log mutation (the history model's)

    /** Appends one entry at {@code last + 1}. */
    void append(Entry e) {
        if (e.index() != log.last() + 1) {
            throw new IllegalStateException(this + ": appending entry " + e.index() + " after " + log.last());
        }
        log.append(e);
    }

    /** Drops every entry after {@code index} (a conflicting tail that a newer leader overwrites). */
    void truncateAfter(long index) {
        if (index < log.base()) {
            throw new IllegalStateException(this + ": truncating below the log base " + log.base());
        }
        log.truncateAfter(index);
    }

    /** Resets the log to start after {@code base} (term {@code term}): a peer created from a snapshot. */
    void resetLog(long base, long term) {
        log.reset(base, term);
    }

    /**
     * A Raft snapshot of {@code leader}'s replica at its index {@code index} (term {@code term}) applied here
     * (raftstore {@code peer_storage.rs apply_snapshot}): the region state becomes the leader's (range, epoch,
     * members), the log is empty after the snapshot point, and last, commit and applied index are the snapshot's. The
     * store's KV data over the range is the caller's to replace.
     */
    void installSnapshot(Peer leader, long index, long term) {
        start = leader.start;
        end = leader.end;
        version = leader.version;
        confVer = leader.confVer;
        members.clear();
        members.putAll(leader.members);
        resetLog(index, term);
        applied = index;
        commit = index;
    }

    /** Takes {@code other}'s Raft state (log, last, hard state): a raft volume from another instant (R16). */
    void copyRaftLogFrom(Peer other) {
        log.copyFrom(other.log);
    }

    /**
     * Takes the Raft state (log, hard state) of {@code raft}, the same replica as a raft volume snapshotted at
     * another instant saw it (SPEC R16); null when that volume predates the replica: no raft state, reported as an
     * empty log at RAFT_INIT_LOG_INDEX (harsher than TiKV, whose collector then fails the whole report).
     */
    void takeRaftState(Peer raft) {
        if (raft == this) {
            return;
        }
        if (raft == null) {
            resetLog(Group.INIT_INDEX, Group.INIT_TERM);
            term = Group.INIT_TERM;
            vote = 0;
            commit = Group.INIT_INDEX;
            return;
        }
        copyRaftLogFrom(raft);
        term = raft.term;
        vote = raft.vote;
        commit = raft.commit;
    }

    /** Local entries after {@code index}, oldest first. */
    List<Entry> entriesAfter(long index) {
        return log.after(index);
    }

    /** Protocol B's {@code peer_id}: the largest peer id of the region as this replica knows it. */
    public long largestPeerId() {
        long max = peerId;
        for (long id : members.values()) {
            max = Math.max(max, id);
        }
        return max;
    }

    public boolean live() {
        return !tombstone;
    }

    @Override
    public String toString() {
        return "r" + regionId + "@s" + store + "{applied=" + applied + ", commit=" + commit + ", last=" + log.last()
                + ", lastTerm=" + lastEntryTerm() + ", term=" + term + (vote != 0 ? ", vote=" + vote : "")
                + ", version=" + version + ", range=" + Keys.range(start, end) + (tombstone ? ", tombstone" : "")
                + (silenced ? ", silenced" : "") + "}";
    }
}
