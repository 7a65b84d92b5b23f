package io.phybr.adviser.stock;

/** A store answered with an {@code error} in its response message. Retried like a transient failure. */
final class StoreError extends Exception {
    private static final long serialVersionUID = 1L;

    StoreError(String message) {
        super(message);
    }
}
