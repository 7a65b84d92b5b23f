package io.phybr.adviser.cli;

import java.util.Locale;

/**
 * The one paragraph an {@link OutOfMemoryError} becomes: how big the heap was, how much the input
 * needs (estimated from its size, or from the rows read before memory ran out) and how to give it.
 * Nothing in here allocates much: it runs when the heap has just been exhausted (the caller drops its
 * big references first).
 */
final class HeapAdvice {
    /**
     * Heap per dump byte `plan` needs, measured: the table (~74 B per replica plus its key bytes), the planner's
     * working columns and the JVM's own slack, over dumps of mock-tikv's capacity layout (~229 bytes per line).
     * 1M regions (684 MB) plan in -Xmx600m; 10M regions (6.9 GB) in -Xmx6g (peak heap 4.6 GB): a little generous.
     */
    static final double HEAP_PER_DUMP_BYTE = 0.85;
    /** Heap per replica, for input of unknown size (standard input, a live collection): the same, per line. */
    static final long HEAP_PER_REPLICA = 200;
    private static final long BASE = 256L << 20;

    private HeapAdvice() {
    }

    /** Heap a dump of {@code bytes} bytes needs, in bytes. */
    static long forDumpBytes(long bytes) {
        return BASE + (long) (bytes * HEAP_PER_DUMP_BYTE);
    }

    /** Heap {@code replicas} replicas need, in bytes. */
    static long forReplicas(long replicas) {
        return BASE + replicas * HEAP_PER_REPLICA;
    }

    /**
     * The paragraph: {@code what} names the work and the input ("planning /x/reports.jsonl (6.9 GB)"),
     * {@code needed} is the estimate in bytes ({@code atLeast} when only the rows read so far are known).
     */
    static String paragraph(String command, String what, long estimate, boolean atLeast, String rerun, String outcome) {
        long max = Runtime.getRuntime().maxMemory();
        // It did not fit in this heap, whatever the estimate says: never advise a heap this size or smaller.
        long needed = Math.max(estimate, max + Math.max(512L << 20, max / 4));
        String gib = giB(needed);
        return String.format(Locale.ROOT, "phybr %s: out of memory while %s: the Java heap is %s (-Xmx) and this input"
                        + " needs %sabout %s. Give the JVM more heap and run it again: %s (or set"
                        + " JAVA_TOOL_OPTIONS=-Xmx%s for a wrapper script); the machine needs that much free memory."
                        + " %s", command, what, human(max), atLeast ? "at least " : "",
                human(needed), rerun.replace("JAVA", "java -Xmx" + gib), gib, outcome);
    }

    /**
     * The paragraph for a command whose input size is unknown up front ({@code serve}, {@code recover}): the heap a
     * cluster needs per replica, with a worked example.
     */
    static String generic(String command) {
        return String.format(Locale.ROOT, "phybr %s: out of memory: the Java heap is %s (-Xmx). The adviser needs about"
                + " %s plus %d bytes per region replica of the cluster (a million regions of 3 replicas: about %s):"
                + " give the JVM that much with java -Xmx<size> -jar phybr-adviser.jar %s ... (or JAVA_TOOL_OPTIONS)"
                + " and run it again. A recover that stopped here is resumed by running it again; see the log for the"
                + " phase it reached.", command, human(Runtime.getRuntime().maxMemory()), human(BASE),
                HEAP_PER_REPLICA, human(forReplicas(3_000_000)), command);
    }

    /** Whole GiB, rounded up, as -Xmx takes it ("6g"). */
    static String giB(long bytes) {
        return ((bytes + (1L << 30) - 1) >> 30) + "g";
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return (bytes >> 20) + " MiB";
    }
}
