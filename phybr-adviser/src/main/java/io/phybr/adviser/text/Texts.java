package io.phybr.adviser.text;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The small text helpers every diagnosis uses, in one place so that lists are cut and durations
 * are spelled the same way in the planner's refusals, the seed adviser's and the stock recovery's.
 */
public final class Texts {
    /** Problems listed in a diagnosis before "and N more". */
    public static final int MAX_LISTED = 12;

    /**
     * Why a store may never answer although it was started (no trailing period). R16: TiKV refuses at start a store
     * whose kv volume applied entries its raft volume lacks (tikv {@code entry_storage.rs validate_states}) — after it
     * registered with PD — so the skew shows as a store that never answers, never as a report.
     */
    public static final String NEVER_STARTED = "A TiKV that logs \"validate state fail\" (\"may lose data\") and exits"
            + " at start had its raft and kv volumes snapshotted at different instants (tidb#43433): no report of it"
            + " can be trusted; restore that store's volumes from one snapshot taken of them together and run again";

    private Texts() {
    }

    /**
     * Appends at most {@link #MAX_LISTED} of {@code lines} joined by "; ", then "; and N more" when
     * {@code total} (which may count lines that were never kept) is larger than what was shown.
     */
    public static void appendListed(StringBuilder sb, List<String> lines, int total) {
        int shown = Math.min(lines.size(), MAX_LISTED);
        sb.append(String.join("; ", lines.subList(0, shown)));
        if (total > shown) {
            sb.append("; and ").append(total - shown).append(" more");
        }
    }

    /**
     * A configured duration as an operator types it on the command line: {@code 10m}, {@code 30s},
     * {@code 1h}, {@code 1500ms} (the largest unit that states it exactly).
     */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** A measured time for a log line: milliseconds below ten seconds, else whole seconds. */
    public static String elapsed(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : (ms / 1000) + " s";
    }

    public static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** {@code "1, 4, 5"}. */
    public static String joinIds(long[] ids) {
        return Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(", "));
    }

    /** {@code "1, 4, 5"}. */
    public static String joinIds(Iterable<Long> ids) {
        List<String> out = new ArrayList<>();
        ids.forEach(i -> out.add(Long.toString(i)));
        return String.join(", ", out);
    }

    /** {@code "1 store"}, {@code "3 stores"}. */
    public static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
