package io.phybr.mock.pd;

import java.time.Clock;

/**
 * PD's timestamp oracle (tikv/pd {@code pkg/tso/tso.go}): a timestamp is {@code physical} milliseconds and a
 * {@code logical} counter below 2^18; each allocation of {@code count} answers the largest timestamp of the batch
 * (the client uses {@code logical-count+1 … logical}), strictly increasing across allocations even if the clock goes
 * back. When the logical part would overflow, physical moves to the next millisecond. Thread-safe.
 */
final class Tso {
    static final int LOGICAL_BITS = 18;
    static final long MAX_LOGICAL = 1L << LOGICAL_BITS;

    private final Clock clock;
    private long physical;
    private long logical;

    Tso(Clock clock) {
        this.clock = clock;
    }

    /** Allocates {@code count} timestamps: {physical, logical} of the largest. */
    synchronized long[] next(int count) {
        long now = clock.millis();
        if (now > physical) {
            physical = now;
            logical = 0;
        }
        if (logical + count >= MAX_LOGICAL) {
            physical++;
            logical = 0;
        }
        logical += count;
        return new long[] {physical, logical};
    }

    /** The composed ts of {physical, logical}: {@code physical << 18 | logical}, what TiKV and BR compare. */
    static long compose(long physical, long logical) {
        return physical << LOGICAL_BITS | logical;
    }
}
