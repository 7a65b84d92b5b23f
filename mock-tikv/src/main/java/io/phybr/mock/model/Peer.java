package io.phybr.mock.model;

import java.util.TreeMap;

/**
 * One replica of a region on one store: its Raft progress and the region state that results from
 * applying its log up to {@link #applied}. Mutable; {@link #copy()} freezes it for a snapshot.
 */
public final class Peer {
    public final long store;
    public final long regionId;
    public long peerId;
    /** Entries applied to the state machine. */
    public long applied;
    /** Entries persisted in the local Raft log (may exceed {@link #applied}). */
    public long last;
    /** The Raft term the peer has seen (HardState term). */
    public long term;
    public byte[] start;
    public byte[] end;
    public long version;
    public long confVer;
    public boolean tombstone;
    /** After the adviser's commands: the peer must not campaign. */
    public boolean silenced;
    /** Region members as this peer knows them: store id → peer id. */
    public final TreeMap<Long, Long> members;

    public Peer(long store, long regionId, long peerId, long applied, long last, long term,
                byte[] start, byte[] end, long version, long confVer, TreeMap<Long, Long> members) {
        this.store = store;
        this.regionId = regionId;
        this.peerId = peerId;
        this.applied = applied;
        this.last = last;
        this.term = term;
        this.start = start;
        this.end = end;
        this.version = version;
        this.confVer = confVer;
        this.members = members;
    }

    public Peer copy() {
        Peer p = new Peer(store, regionId, peerId, applied, last, term, start, end, version, confVer,
                new TreeMap<>(members));
        p.tombstone = tombstone;
        p.silenced = silenced;
        return p;
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
        return "r" + regionId + "@s" + store + "{applied=" + applied + ", last=" + last + ", term=" + term
                + ", version=" + version + ", range=" + Keys.range(start, end) + (tombstone ? ", tombstone" : "")
                + (silenced ? ", silenced" : "") + "}";
    }
}
