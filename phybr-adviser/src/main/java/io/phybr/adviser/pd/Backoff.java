package io.phybr.adviser.pd;

import java.util.concurrent.locks.LockSupport;

/** Waiting between attempts. */
public final class Backoff {
    private Backoff() {
    }

    /** Parks for {@code millis}; an interrupt ends the wait early and stays set for the caller to see. */
    public static void pause(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        long left;
        while ((left = end - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(left);
        }
    }
}
