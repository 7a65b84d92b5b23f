package io.phybr.mock.model;

import java.util.TreeMap;

/**
 * Regions whose first leader has not been elected yet, by id: the initial regions until the history starts, and
 * regions born by a split until their would-be leader's peer exists and wins a majority (tikv
 * fsm/peer.rs on_ready_split_region: the new peer on the parent leader's store campaigns at once).
 */
final class FirstElections {
    private final Elections elections;
    private final Replication replication;
    private final TreeMap<Long, Group> pending = new TreeMap<>();

    FirstElections(Elections elections, Replication replication) {
        this.elections = elections;
        this.replication = replication;
    }

    /** {@code g} waits for its first leader, its first candidate being {@code g.leader}. */
    void add(Group g) {
        pending.put(g.id, g);
    }

    /**
     * Every region still waiting for its first leader whose first candidate can win now is elected (a new term, every
     * reached peer's vote) and appends its noop, as a newly elected raft-rs leader does; then the cluster settles. One
     * settle for all of them: an initial layout of many regions is elected in one pass.
     */
    void holdNow() {
        boolean any = true;
        while (any && !pending.isEmpty()) {
            any = false;
            for (java.util.Iterator<Group> it = pending.values().iterator(); it.hasNext(); ) {
                Group g = it.next();
                if (!g.alive || g.elected) {
                    it.remove();
                } else if (elections.refusal(g, g.leader) == null) {
                    elections.elect(g, g.leader);
                    g.log.add(new Entry(g.lastIndex() + 1, g.term, new Entry.Noop()));
                    it.remove();
                    any = true;
                }
            }
            if (any) {
                replication.settle();
            }
        }
    }
}
