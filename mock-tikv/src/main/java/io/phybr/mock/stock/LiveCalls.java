package io.phybr.mock.stock;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls one store process is serving, so that killing the process breaks each of them the way a killed TiKV's
 * dropped connections do: the client sees {@code UNAVAILABLE}. Without this, the restart's
 * {@code Server.shutdownNow()} resets every open stream (grpc-java's forceful close sends RST_STREAM CANCEL), and the
 * client saw {@code CANCELLED} or {@code UNAVAILABLE} by which frame won a race — a code real TiKV never answers a
 * killed call with, and a flaky test (session 7's CI failed on it). {@link #killAll} closes every open call with
 * {@code UNAVAILABLE} before the server shuts down: each call's trailers are queued on its connection ahead of the
 * shutdown's reset, so they reach the client first. A call that arrives after the kill is refused the same way.
 *
 * <p>One instance per process start. Each call is wrapped so that the service's own later sends and close — its
 * threads may still be running when the process "dies" — are dropped instead of failing on a closed call.
 */
final class LiveCalls implements ServerInterceptor {
    private final Set<Tracked<?, ?>> open = ConcurrentHashMap.newKeySet();
    private volatile Status killedWith;

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                        ServerCallHandler<Q, A> next) {
        Tracked<Q, A> t = new Tracked<>(call);
        open.add(t);
        Status killed = killedWith;
        if (killed != null) { // the process is gone: nothing serves the call
            t.close(killed, new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        // a call the client cancelled may never be closed by the service: it leaves the set when its stream ends
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(t, headers)) {
            @Override
            public void onCancel() {
                open.remove(t);
                t.ended.countDown();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                open.remove(t);
                t.ended.countDown();
                super.onComplete();
            }
        };
    }

    /**
     * The process dies: every open call, and every later one, ends with {@code status}. Returns once the open calls'
     * statuses are written (their streams ended), or after {@code bound}: a status still queued behind the shutdown's
     * stream reset would lose to it.
     */
    void killAll(Status status, java.time.Duration bound) {
        killedWith = status;
        java.util.List<Tracked<?, ?>> killed = new java.util.ArrayList<>(open);
        for (Tracked<?, ?> t : killed) {
            t.close(status, new Metadata());
        }
        long end = System.nanoTime() + bound.toNanos();
        try {
            for (Tracked<?, ?> t : killed) {
                if (!t.ended.await(Math.max(0, end - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    return; // the reset may win for what is left: shutting down must not wait on a stuck call
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A call whose sends and close are serialized with {@link #killAll}, and dropped once it is closed. */
    private final class Tracked<Q, A> extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
        private boolean closed;
        /** Counted down when the call's stream ended: its status written, or the client gone. */
        final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

        Tracked(ServerCall<Q, A> delegate) {
            super(delegate);
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!closed) {
                super.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(A message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized boolean isReady() {
            return !closed && super.isReady();
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (closed) {
                return;
            }
            closed = true;
            open.remove(this);
            super.close(status, trailers);
        }
    }
}
