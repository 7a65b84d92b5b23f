package io.phybr.adviser.plan;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ForkJoinPool;

/**
 * Two halves of a planning phase on two cores: the caller runs one, a common-pool thread the other.
 * Only phases whose halves write disjoint parts of their arrays and whose result does not depend on
 * which half finishes first use it, so the plan stays byte-identical to a one-core run
 * ({@code -Dphybr.planThreads=1} forces that, for comparison).
 */
final class Parallel {
    /** Below this many items a phase is not worth a hand-off. */
    static final int MIN_ITEMS = 1 << 16;
    private static final boolean ENABLED = Integer.getInteger("phybr.planThreads",
            Runtime.getRuntime().availableProcessors()) > 1 && ForkJoinPool.getCommonPoolParallelism() > 0;
    /**
     * Items from which a phase runs on two cores; tests move it (to 2: every phase split, however small; to
     * {@code Integer.MAX_VALUE}: none) to compare both ways. Either way the plan is the same, so a test moving it
     * never changes another test's result.
     */
    static volatile int threshold = ENABLED ? MIN_ITEMS : Integer.MAX_VALUE;

    private Parallel() {
    }

    /** Whether a phase over {@code items} items runs on two cores. */
    static boolean worth(int items) {
        return items >= Math.max(2, threshold);
    }

    /** Runs both, {@code b} on another thread, and returns when both are done; an error in either is thrown. */
    static void both(Runnable a, Runnable b) {
        CompletableFuture<Void> other = CompletableFuture.runAsync(b, ForkJoinPool.commonPool());
        Throwable mine = null;
        try {
            a.run();
        } catch (RuntimeException | Error e) {
            mine = e;
        }
        try {
            other.join();
        } catch (CompletionException e) {
            if (mine == null) {
                Throwable cause = e.getCause();
                if (cause instanceof Error err) {
                    throw err;
                }
                throw cause instanceof RuntimeException re ? re : e;
            }
        }
        if (mine instanceof Error err) {
            throw err;
        }
        if (mine != null) {
            throw (RuntimeException) mine;
        }
    }

    /** A range task: {@code [from, to)}. */
    interface Range {
        void run(int from, int to);
    }

    /** {@code task} over {@code [from, mid)} and {@code [mid, to)} at once, {@code mid} halfway. */
    static void halves(int from, int to, Range task) {
        int mid = from + ((to - from) >>> 1);
        both(() -> task.run(from, mid), () -> task.run(mid, to));
    }
}
