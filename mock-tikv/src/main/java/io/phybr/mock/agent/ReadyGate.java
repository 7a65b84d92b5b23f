package io.phybr.mock.agent;

import io.grpc.stub.CallStreamObserver;
import java.util.function.BooleanSupplier;

/**
 * Internal (the seed agent's {@link ReportStream} and the stock store's ReadRegionMeta use it). Holds a sending
 * thread while its gRPC stream is not ready (grpc flow control, as grpcio's sink honours it in TiKV):
 * a slow reader holds the mock's sender back instead of the sender buffering its whole meta stream in memory. Made
 * where grpc-java allows setting the stream's on-ready handler (a server method before it returns; a client's
 * {@code beforeStart}); the handler only wakes the sender.
 *
 * <p>Readiness is checked once per burst of {@link #BURST} bytes, not per message. grpc-java's stream turns ready
 * again as soon as its queued bytes drop under the threshold, i.e. after each message the transport writes: a sender
 * that checked per message would wake up — a thread switch — for every few messages once the queue is full (seen:
 * twice the CPU per meta and a third of the rate of a sender that pumps in the handler). So what a sender can have
 * queued is bounded by {@link #THRESHOLD} + {@link #BURST} + one message.
 *
 * <p>Readiness is checked under the gate's monitor, which the handler also takes to wake the sender, so a ready
 * signal cannot slip in between the check and the wait. The wait is bounded (50 ms) only so that {@code stop} —
 * a cancelled call, a dead store — is noticed without a signal.
 */
public final class ReadyGate {
    /**
     * Bytes grpc-java may hold queued for the transport before the stream stops being ready (its default is 32 KiB,
     * ~360 metas). Still a bound: HTTP/2 flow control decides what goes on the wire.
     */
    public static final int THRESHOLD = 128 * 1024;
    /** Bytes sent after one readiness check before the next. */
    static final int BURST = 128 * 1024;

    private final CallStreamObserver<?> stream;
    /** Bytes left in the current burst (the sending thread's). */
    private long credit;

    public ReadyGate(CallStreamObserver<?> stream) {
        this.stream = stream;
        if (stream instanceof io.grpc.stub.ServerCallStreamObserver<?> server) {
            server.setOnReadyThreshold(THRESHOLD); // a client's is set in its CallOptions
        }
        stream.setOnReadyHandler(this::wake);
    }

    private synchronized void wake() {
        notifyAll();
    }

    /**
     * Before sending a message of {@code bytes}: returns at once within a burst, else waits until the stream is ready
     * or {@code stop} says so (or the thread is interrupted: the flag stays set). One sending thread only.
     */
    public void await(int bytes, BooleanSupplier stop) {
        if (credit > 0) {
            credit -= bytes;
            return;
        }
        synchronized (this) {
            while (!stream.isReady() && !stop.getAsBoolean()) {
                try {
                    wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        credit = BURST - bytes;
    }
}
