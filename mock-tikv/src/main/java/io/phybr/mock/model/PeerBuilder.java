package io.phybr.mock.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * Names each part of a new {@link Peer} (which had a constructor of eight positional longs):
 * {@code Peer.of(store, region).peerId(71).applied(40).lastIndex(40).term(6).range(start, end).version(5)
 * .members(m).build()}. What it is not told is a fresh replica of a new region: peer id 0, an empty log at
 * RAFT_INIT_LOG_INDEX in RAFT_INIT_LOG_TERM with everything up to there applied, epoch version 1 and conf_ver 1, no
 * members, the whole key space.
 */
public final class PeerBuilder {
    private final long store;
    private final long region;
    private long peerId;
    private long applied = Group.INIT_INDEX;
    private long lastIndex = Group.INIT_INDEX;
    private long term = Group.INIT_TERM;
    private byte[] start = new byte[0];
    private byte[] end = new byte[0];
    private long version = 1;
    private long confVer = 1;
    private Map<Long, Long> members = Map.of();

    PeerBuilder(long store, long region) {
        this.store = store;
        this.region = region;
    }

    /** This replica's own peer id. */
    public PeerBuilder peerId(long id) {
        this.peerId = id;
        return this;
    }

    /** RaftApplyState.applied_index; the replica also knows everything up to it (or to its last index) committed. */
    public PeerBuilder applied(long index) {
        this.applied = index;
        return this;
    }

    /** Where its log starts and ends: an empty log after this index (RaftLocalState.last_index). */
    public PeerBuilder lastIndex(long index) {
        this.lastIndex = index;
        return this;
    }

    /** The hard-state term, which is also the term of the entry at {@link #lastIndex}. */
    public PeerBuilder term(long t) {
        this.term = t;
        return this;
    }

    /** RegionLocalState's range: start inclusive, end exclusive, empty = -inf / +inf; the arrays are kept as given. */
    public PeerBuilder range(byte[] startKey, byte[] endKey) {
        this.start = startKey;
        this.end = endKey;
        return this;
    }

    /** The region epoch's version. */
    public PeerBuilder version(long v) {
        this.version = v;
        return this;
    }

    /** The region epoch's conf_ver. */
    public PeerBuilder confVer(long v) {
        this.confVer = v;
        return this;
    }

    /** Region members as this replica knows them, store id → peer id (copied). */
    public PeerBuilder members(Map<Long, Long> m) {
        this.members = m;
        return this;
    }

    public Peer build() {
        return new Peer(store, region, peerId, applied, lastIndex, term, start, end, version, confVer,
                new TreeMap<>(members));
    }
}
