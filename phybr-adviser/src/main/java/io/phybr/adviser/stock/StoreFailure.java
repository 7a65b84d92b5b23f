package io.phybr.adviser.stock;

/**
 * A store's part of a phase cannot finish and must not be retried; the message is the sentence naming the store
 * that goes into the phase's diagnosis.
 */
final class StoreFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean timedOut;

    StoreFailure(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    boolean timedOut() {
        return timedOut;
    }
}
