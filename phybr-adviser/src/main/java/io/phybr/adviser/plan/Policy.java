package io.phybr.adviser.plan;

/** How the leader of a region is chosen among its live replicas (SPEC §4 rule 2). */
public enum Policy {
    /** The seed's rule: highest applied_index, then highest term; remaining ties go to the lowest store id. */
    SEED,
    /**
     * BR's rule: highest (last_log_term, last_index, commit_index); remaining ties are balanced
     * across stores so that the busiest store carries as few leaders as possible. Unlike BR, last_log_term (TiKV's
     * hard-state term, SPEC R2) above the highest term a majority of the region's live replicas reached is capped
     * there when replicas with logs at least as long refute it (enough of them to meet every majority; see
     * {@code PolicyFields#capIndex}), and at equal keys a replica within that term goes before a capped one: such a
     * term is a vote or a failed campaign, not a newer log, and BR's uncapped rank picks a replica that loses its
     * election (R3). A term the reports do not refute keeps BR's rank: the volume snapshots are no one cut, and a
     * replica snapshotted late may hold entries of a term the others reached only after their snapshots (issue 14).
     */
    BR;

    public static Policy parse(String text) {
        for (Policy p : values()) {
            if (p.name().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + text + "' (expected seed or br)");
    }
}
