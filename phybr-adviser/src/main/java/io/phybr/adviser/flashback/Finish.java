package io.phybr.adviser.flashback;

import java.util.Locale;

/**
 * How {@code recover} finishes once every forced leader leads (SPEC §3): the two ways BR has had.
 * <ul>
 *   <li>{@link #FLASHBACK} (BR 7.x, tidb#50312/#50316): PrepareFlashbackToVersion then FlashbackToVersion on every
 *       region through its leader, to the resolved ts, with a fresh PD timestamp as the flashback's start/commit ts.
 *       Raft-replicated: no WaitApply (which hangs, R8) and no retried wait taken for a barrier (R10), no physical
 *       delete outside Raft, no full compaction (R5, R11). Needs TiKV ≥ 6.5 and PD's TSO.</li>
 *   <li>{@link #RESOLVE} (BR 6.x): WaitApply on every store, then ResolveKvData deletes locks and writes newer than
 *       the resolved ts directly in RocksDB and compacts every store. Works on any TiKV in recovery mode (≥ 6.3).</li>
 * </ul>
 */
public enum Finish {
    FLASHBACK("flashback"),
    RESOLVE("resolve");

    private final String label;

    Finish(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** {@code flashback} or {@code resolve} (any case); anything else is an {@link IllegalArgumentException} naming both. */
    public static Finish parse(String text) {
        for (Finish f : values()) {
            if (f.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a finish: give flashback or resolve");
    }

    @Override
    public String toString() {
        return label;
    }
}
