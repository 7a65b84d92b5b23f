package io.phybr.adviser.stock;

import io.grpc.Status;
import java.time.Duration;

/**
 * How a store's part of a phase is retried: up to {@code attempts} tries with exponential backoff,
 * within the phase deadline. Transient: UNAVAILABLE (store down or rebooting), ABORTED (a newer call
 * superseded ours, or the store restarted), RESOURCE_EXHAUSTED, INTERNAL/UNKNOWN/CANCELLED (a reset
 * stream), and an {@code error} in a store's answer.
 */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff) {
    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1");
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(8, Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    public static boolean transientCode(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, ABORTED, RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN, CANCELLED -> true;
            default -> false;
        };
    }
}
