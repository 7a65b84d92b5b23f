package io.phybr.adviser.stock;

/**
 * A store's part of a phase cannot finish and must not be retried; the message is the sentence naming the store
 * that goes into the phase's diagnosis. Made by {@link #timedOut(String)} or {@link #failed(String)}: the phase
 * exits with a timeout only when every store's failure was one.
 */
final class StoreFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean timedOut;

    private StoreFailure(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    /** The store did not answer in time. */
    static StoreFailure timedOut(String message) {
        return new StoreFailure(message, true);
    }

    /** The store answered wrongly, restarted once too often, or cannot be proven to have applied. */
    static StoreFailure failed(String message) {
        return new StoreFailure(message, false);
    }

    boolean timedOut() {
        return timedOut;
    }
}
