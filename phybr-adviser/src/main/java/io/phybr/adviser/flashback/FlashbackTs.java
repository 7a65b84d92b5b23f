package io.phybr.adviser.flashback;

/**
 * The three timestamps of a flashback: the data goes back to {@code version} (the resolved ts); the rewritten
 * versions are written as one transaction {@code startTs}/{@code commitTs}, which must be newer than anything in
 * the cluster (TiKV asserts every latest commit ts is at most {@code commitTs}) — hence a timestamp from PD's TSO.
 * As BR: one TSO {@code t}, start {@code t - 1}, commit {@code t} (br/pkg/restore/data: prepare with restoreTS-1,
 * flashback with commitTS-1 and commitTS). The same three go to every region, in prepare and in flashback, and to a
 * rerun of a killed run: TiKV's prepare is idempotent for one start ts and its flashback finds its own commit record
 * and returns at once (txn/actions/flashback_to_version.rs {@code check_flashback_commit}).
 */
public record FlashbackTs(long version, long startTs, long commitTs) {
    public FlashbackTs {
        if (!(Long.compareUnsigned(version, startTs) < 0 && Long.compareUnsigned(startTs, commitTs) < 0)) {
            throw new IllegalArgumentException("flashback timestamps must rise: version " + Long.toUnsignedString(version)
                    + " < start " + Long.toUnsignedString(startTs) + " < commit " + Long.toUnsignedString(commitTs));
        }
    }

    /** From PD's timestamp {@code tso}; empty when the TSO is not above the resolved ts (then PD cannot be right). */
    public static java.util.Optional<FlashbackTs> fromTso(long resolvedTs, long tso) {
        if (Long.compareUnsigned(tso, 2) < 0 || Long.compareUnsigned(resolvedTs, tso - 1) >= 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new FlashbackTs(resolvedTs, tso - 1, tso));
    }

    /** {@code version 1, start 2, commit 3} as a log reads it. */
    public String describe() {
        return "version " + Long.toUnsignedString(version) + ", start ts " + Long.toUnsignedString(startTs)
                + ", commit ts " + Long.toUnsignedString(commitTs);
    }
}
