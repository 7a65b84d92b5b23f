package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A Raft group as its leader sees it: the one true log of a region and its current epoch. Only history steps
 * ({@link Cluster}) change it; everyone else reads it through the accessors.
 */
public final class Group {
    /** TiKV's RAFT_INIT_LOG_INDEX / RAFT_INIT_LOG_TERM: a new region's log starts here. */
    public static final long INIT_INDEX = 5;
    public static final long INIT_TERM = 5;

    final long id;
    final List<Entry> log = new ArrayList<>();
    long term = INIT_TERM;
    /** The store that leads; before the first election ({@link #elected} false) the store that will campaign first. */
    long leader;
    /** False until the region's first leader won a Raft election (TiKV: a new peer campaigns, it is not appointed). */
    boolean elected;
    /** Voters: store id → peer id. */
    final TreeMap<Long, Long> members;
    byte[] start;
    byte[] end;
    long version;
    long confVer;
    long commit = INIT_INDEX;
    /** False once merged into another region. */
    boolean alive = true;
    boolean merging;
    /** Stores added by AddPeer that still wait for their snapshot: store → index of the AddPeer entry. */
    final TreeMap<Long, Long> pendingAdds = new TreeMap<>();
    /** The region this one split from (0 for an initial region) and the index of that Split entry. */
    long parent;
    long splitIndex;
    /** Stores removed by RemovePeer: store → index of the RemovePeer entry (they may still learn it). */
    final TreeMap<Long, Long> removedAt = new TreeMap<>();

    Group(long id, long leader, TreeMap<Long, Long> members, byte[] start, byte[] end, long version, long confVer) {
        this.id = id;
        this.leader = leader;
        this.members = members;
        this.start = start;
        this.end = end;
        this.version = version;
        this.confVer = confVer;
    }

    public long id() {
        return id;
    }

    /** The current term. */
    public long term() {
        return term;
    }

    /** The store of the current leader (before the first election: the store that campaigns first). */
    public long leader() {
        return leader;
    }

    /**
     * Whether a leader has won an election yet. A region declared by the history, or born by a split, starts with
     * every peer at RAFT_INIT_LOG_TERM and no vote; its first leader is elected like any later one.
     */
    public boolean elected() {
        return elected;
    }

    /** Voters: store id → peer id (read-only). */
    public java.util.SortedMap<Long, Long> members() {
        return java.util.Collections.unmodifiableSortedMap(members);
    }

    public byte[] start() {
        return start.clone();
    }

    public byte[] end() {
        return end.clone();
    }

    public long version() {
        return version;
    }

    public long confVer() {
        return confVer;
    }

    /** The leader's commit index. */
    public long commit() {
        return commit;
    }

    /** False once merged into another region. */
    public boolean alive() {
        return alive;
    }

    /** A merge of this region has been proposed and not yet applied. */
    public boolean merging() {
        return merging;
    }

    public long lastIndex() {
        return INIT_INDEX + log.size();
    }

    public Entry entry(long index) {
        return log.get((int) (index - INIT_INDEX - 1));
    }

    /** Stores added by AddPeer still waiting for their snapshot (learners): store → index of the AddPeer entry. */
    public java.util.Map<Long, Long> pendingAdds() {
        return java.util.Collections.unmodifiableMap(pendingAdds);
    }

    public List<Entry> log() {
        return List.copyOf(log);
    }
}
