package io.phybr.mock.stock;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * One recover_data call in flight on a mock store ({@link RecoverDataService}): answered once, by its work or by an
 * abort. {@code aborted} is also set when the client cancels; the call's work polls it.
 */
final class Call {
    private final StreamObserver<?> observer;
    boolean finished; // guarded by this (a sender holds the monitor while it checks and sends)
    volatile boolean aborted;

    Call(StreamObserver<?> observer) {
        this.observer = observer;
    }

    synchronized boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }

    /** Aborted by a newer call (R6): the stream ends ABORTED. */
    void abort() {
        aborted = true;
        if (finish()) {
            try {
                observer.onError(Status.ABORTED.withDescription("aborted by a newer recovery call").asRuntimeException());
            } catch (RuntimeException ignored) {
                // the call is already gone
            }
        }
    }
}
