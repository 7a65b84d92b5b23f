package io.phybr.adviser.grpc;

import io.grpc.ManagedChannel;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/** Closing the channels a recovery opened (the stores', PD's), the grpc-java way. */
public final class Channels {
    private Channels() {
    }

    /**
     * Shuts every channel down at once, then waits up to 5 s for each to end (calls still in flight are cancelled,
     * not waited for); an interrupt stops the waiting and is kept. Does not clear {@code channels}.
     */
    public static void closeAll(Collection<ManagedChannel> channels) {
        for (ManagedChannel ch : channels) {
            ch.shutdownNow();
        }
        for (ManagedChannel ch : channels) {
            try {
                ch.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
