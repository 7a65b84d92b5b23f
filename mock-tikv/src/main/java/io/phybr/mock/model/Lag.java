package io.phybr.mock.model;

import java.util.Locale;

/**
 * How a replica falls behind its region's leader: the mode of a {@code lag} step ({@code history.Step.Lag}), for a
 * test that builds a history in code; a {@code .scn} file names it after {@code lag} ({@code apply}, {@code commit}).
 */
public enum Lag {
    /** Cut off from the leader (a partition): persists nothing new, learns no commit; applies what it knew. */
    CUT(""),
    /** Persists and learns the commit index but applies nothing (a slow or stuck apply worker). */
    APPLY("apply"),
    /**
     * Persists the leader's entries but never learns that they committed (the leader died or was cut off right
     * after sending them): the hard-state commit stays where it was, so nothing beyond it is ever applied unless a
     * leader talks to this replica again (tidb#50315's stale peers with unapplied tails).
     */
    COMMIT("commit");

    /** The scenario word after {@code lag store S region R} ("" for none). */
    public final String word;

    Lag(String word) {
        this.word = word;
    }

    public static Lag of(String word) {
        for (Lag l : values()) {
            if (l.word.equals(word.toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        return null;
    }
}
