package io.phybr.adviser.stock;

import java.time.Duration;

/** How long each phase may take in all, retries included. */
public record Timeouts(Duration collect, Duration recover, Duration waitApply, Duration resolve) {
    public static Timeouts defaults() {
        return new Timeouts(Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofMinutes(30), Duration.ofMinutes(60));
    }
}
