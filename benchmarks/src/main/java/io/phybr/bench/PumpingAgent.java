package io.phybr.bench;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.phybr.proto.seed.RegionRecover;
import java.util.concurrent.CompletableFuture;

/**
 * A store's side of recover_regions: messages sent as fast as flow control allows, then half-closed; the
 * adviser's answers are not needed here. Subclasses say what the messages are.
 */
abstract class PumpingAgent<T> implements ClientResponseObserver<T, RegionRecover> {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private ClientCallStreamObserver<T> out;
    private boolean halfClosed;

    abstract boolean hasNext();

    abstract T next();

    @Override
    public void beforeStart(ClientCallStreamObserver<T> r) {
        out = r;
        r.setOnReadyHandler(this::pump);
    }

    private synchronized void pump() {
        while (hasNext() && out.isReady()) {
            out.onNext(next());
        }
        if (!hasNext() && !halfClosed) {
            halfClosed = true;
            out.onCompleted();
        }
    }

    @Override
    public void onNext(RegionRecover value) {
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        done.complete(null);
    }
}
