package io.phybr.adviser.protocol.seed;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How the transport ended a call. When gRPC itself kills a stream (a message above what the
 * transport admits, a broken frame) the service only hears "cancelled"; this tracer keeps the
 * status the stream closed with, so the session can name the real cause.
 */
final class CallFate extends ServerStreamTracer {
    static final Context.Key<CallFate> KEY = Context.key("phybr-call-fate");
    /**
     * grpc-netty logs such a stream's death with a full stack trace; the session names the cause in
     * one line instead. Held here so the setting is not garbage-collected with the logger.
     */
    private static final Logger NETTY_STREAM = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerStream");

    static {
        NETTY_STREAM.setLevel(Level.SEVERE);
    }

    private volatile Status closed;

    @Override
    public Context filterContext(Context context) {
        return context.withValue(KEY, this);
    }

    @Override
    public void streamClosed(Status status) {
        closed = status;
    }

    /** Why the call died, when the transport says more than "cancelled"; else null. */
    String cause() {
        Status s = closed;
        if (s == null || s.isOk() || s.getCode() == Status.Code.CANCELLED && s.getDescription() == null) {
            return null;
        }
        return s.getDescription() == null ? s.getCode().name() : s.getCode() + ": " + s.getDescription();
    }

    static final class Factory extends ServerStreamTracer.Factory {
        @Override
        public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
            return new CallFate();
        }
    }
}
