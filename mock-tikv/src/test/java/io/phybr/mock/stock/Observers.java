package io.phybr.mock.stock;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** The conformance tests' way to hold a call's answer: the last message, or the error, in a future. */
final class Observers {
    private Observers() {
    }

    /** Completes {@code f} with the last message when the call ends, or exceptionally with its error. */
    static <T> StreamObserver<T> lastOf(CompletableFuture<? super T> f) {
        return new StreamObserver<>() {
            private T last;

            @Override
            public void onNext(T v) {
                last = v;
            }

            @Override
            public void onError(Throwable t) {
                f.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                f.complete(last);
            }
        };
    }
}
