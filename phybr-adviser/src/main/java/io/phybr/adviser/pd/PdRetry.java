package io.phybr.adviser.pd;

import java.time.Duration;

/** Retries PD calls that failed transiently (no answer, 5xx) with exponential backoff. */
public final class PdRetry {
    /** PD calls retried in this process (a metric: {@code phybr_pd_retries_total}). */
    private static final java.util.concurrent.atomic.AtomicLong RETRIES = new java.util.concurrent.atomic.AtomicLong();
    /** PD calls that failed for good in this process ({@code phybr_pd_errors_total}). */
    private static final java.util.concurrent.atomic.AtomicLong ERRORS = new java.util.concurrent.atomic.AtomicLong();

    public static long retries() {
        return RETRIES.get();
    }

    public static long errors() {
        return ERRORS.get();
    }

    /** A PD call. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws PdException;
    }

    private final int attempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    public PdRetry(int attempts, Duration initialBackoff, Duration maxBackoff) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1");
        }
        this.attempts = attempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    public <T> T run(String what, Call<T> call) throws PdException {
        long backoff = initialBackoff.toMillis();
        for (int i = 1; ; i++) {
            try {
                return call.run();
            } catch (PdException e) {
                if (!e.transient_() || i >= attempts) {
                    ERRORS.incrementAndGet();
                    if (i > 1) {
                        throw new PdException(e.getMessage() + " (" + what + ", after " + i + " attempts)", e.status(), e);
                    }
                    throw e;
                }
                org.slf4j.LoggerFactory.getLogger(PdRetry.class)
                        .warn("PD {}: attempt {}/{} failed, retrying in {} ms: {}", what, i, attempts, backoff, e.getMessage());
                RETRIES.incrementAndGet();
                Backoff.pause(backoff);
                backoff = Math.min(maxBackoff.toMillis(), backoff * 2);
            }
        }
    }

    public void runVoid(String what, VoidCall call) throws PdException {
        run(what, () -> {
            call.run();
            return null;
        });
    }

    @FunctionalInterface
    public interface VoidCall {
        void run() throws PdException;
    }
}
