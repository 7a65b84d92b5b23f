package io.phybr.adviser.plan;

/**
 * The rule of SPEC §4 that made a decision about a region; every region carries one for its leader and one for its fate.
 * {@link #LEADER_UNSILENCED} is the one rule about a command: explain names it beside the leader's seed command.
 */
public enum Rule {
    // Leader choice (rule 2).
    ONLY_LIVE_REPLICA("its only live replica"),
    HIGHEST_APPLIED_INDEX("highest applied_index"),
    HIGHEST_TERM("highest term at equal applied_index"),
    HIGHEST_LAST_LOG_TERM("highest last_log_term (capped at the highest term a majority of its replicas reached"
            + " where replicas with logs as long refute a higher one)"),
    HIGHEST_LAST_INDEX("highest last_index at equal (capped) last_log_term"),
    HIGHEST_COMMIT_INDEX("highest commit_index at equal last_log_term and last_index"),
    TERM_REACHED_BY_MAJORITY("equal capped last_log_term, last_index and commit_index; a majority reached its"
            + " last_log_term, the others' is above that and refuted by replicas with logs as long: a vote or failed"
            + " campaign, not a newer log (R2)"),
    TIE_LOWEST_STORE("tie on every field, lowest store id"),
    TIE_HIGHER_VERSION("tie on every field, the replica with the newest version and range"),
    TIE_BALANCED("tie on every field, balanced across stores"),
    NO_LIVE_REPLICA("no live replica: every replica is a tombstone"),
    // Fate (rules 3 and 4).
    KEPT("kept: overlaps no region of higher version"),
    DROPPED_OVERLAP("dropped: its range overlaps a kept region of higher or equal version"),
    GONE("gone: no live replica to lead it"),
    // Commands (rule 5), protocol A only.
    LEADER_UNSILENCED("sent although the leader's term already is the target: a killed earlier run may have silenced"
            + " this replica, and a report cannot show it (departs from SPEC §4 rule 5)");

    private static final Rule[] VALUES = values();
    private final String text;

    static Rule of(int ordinal) {
        return VALUES[ordinal];
    }

    Rule(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
