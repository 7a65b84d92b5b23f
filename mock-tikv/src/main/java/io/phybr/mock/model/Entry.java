package io.phybr.mock.model;

import java.util.TreeMap;

/** One Raft log entry of a region. */
public record Entry(long index, long term, Command command) {

    /** What an entry does when applied. */
    public sealed interface Command {
    }

    /** An empty entry a new leader appends in its term. */
    public record Noop() implements Command {
    }

    /** User data: {@code writeId} indexes {@link Cluster#writes()}. */
    public record Write(int writeId) implements Command {
    }

    /** Left part keeps the id, the right part becomes {@code newRegion}; both get version + 1. */
    public record Split(byte[] at, long newRegion, TreeMap<Long, Long> newPeers) implements Command {
    }

    /** In the source's log: the source freezes (version + 1, conf_ver + 1) until the target commits. */
    public record PrepareMerge(long target) implements Command {
    }

    /** In the target's log: take the source's range; version = max + 1; the source peer dies. */
    public record CommitMerge(long source, long sourcePrepareIndex) implements Command {
    }

    public record AddPeer(long store, long peerId) implements Command {
    }

    public record RemovePeer(long store) implements Command {
    }
}
