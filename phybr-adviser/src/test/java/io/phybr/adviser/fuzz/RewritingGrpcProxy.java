package io.phybr.adviser.fuzz;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.phybr.contract.wire.RawBytesMarshaller;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A rogue peer on loopback: a gRPC server that forwards every call of any method, byte for byte, to an honest
 * upstream (a mock store or the mock PD) and lets a {@link Rewrite} replace the answers — a store or PD that sends
 * mutated protobuf bytes, which no client-side encoder would let a test send. Headers, trailers, status, deadline and
 * half-close are passed through; flow control is one message at a time (the tests' messages are small).
 */
final class RewritingGrpcProxy implements AutoCloseable {
    /** The answer to put on the wire in place of {@code message}: the {@code index}-th answer of this call to {@code method}. */
    @FunctionalInterface
    interface Rewrite {
        byte[] answer(String method, int index, byte[] message);
    }

    /** Messages as their bytes, unparsed (the project's marshaller for pre-encoded messages). */
    static final MethodDescriptor.Marshaller<byte[]> RAW = RawBytesMarshaller.INSTANCE;

    private final ManagedChannel upstream;
    private final Server server;
    private final Rewrite rewrite;
    private volatile boolean dead;
    /** Kept: a killed server no longer tells its port, and the adviser may still dial it. */
    private final String address;

    RewritingGrpcProxy(String upstreamAddress, Rewrite rewrite) throws IOException {
        this.rewrite = rewrite;
        this.upstream = NettyChannelBuilder.forTarget(upstreamAddress).usePlaintext().build();
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .fallbackHandlerRegistry(new HandlerRegistry() {
                    @Override
                    public ServerMethodDefinition<?, ?> lookupMethod(String name, String authority) {
                        MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
                                .setFullMethodName(name).setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                                .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
                        return ServerMethodDefinition.create(m, new Forward(m));
                    }
                }).build().start();
        this.address = "127.0.0.1:" + server.getPort();
    }

    String address() {
        return address;
    }

    /** One call: the client's messages go up as they are, the upstream's come back through the rewrite. */
    private final class Forward implements ServerCallHandler<byte[], byte[]> {
        private final MethodDescriptor<byte[], byte[]> method;

        Forward(MethodDescriptor<byte[], byte[]> method) {
            this.method = method;
        }

        @Override
        public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> in, Metadata headers) {
            CallOptions options = CallOptions.DEFAULT;
            if (Context.current().getDeadline() != null) {
                options = options.withDeadline(Context.current().getDeadline());
            }
            ClientCall<byte[], byte[]> out = upstream.newCall(method, options);
            String name = method.getFullMethodName();
            int[] answered = {0};
            out.start(new ClientCall.Listener<>() {
                @Override
                public void onHeaders(Metadata h) {
                    synchronized (in) {
                        in.sendHeaders(h);
                    }
                }

                @Override
                public void onMessage(byte[] message) {
                    byte[] sent = dead ? null : rewrite.answer(name, answered[0]++, message);
                    synchronized (in) {
                        if (sent != null) { // null: the rogue drops it
                            in.sendMessage(sent);
                        }
                    }
                    out.request(1);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    synchronized (in) {
                        in.close(status, trailers);
                    }
                }
            }, headers);
            out.request(1);
            in.request(1);
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(byte[] message) {
                    if (!dead) { // a dead client's last words never reach the peer
                        out.sendMessage(message);
                    }
                    in.request(1);
                }

                @Override
                public void onHalfClose() {
                    out.halfClose();
                }

                @Override
                public void onCancel() {
                    out.cancel("the client cancelled", null);
                }
            };
        }
    }

    /**
     * The peer's process dies: from now on nothing more is answered, every call in flight is cut (the honest upstream
     * sees its calls cancelled, as TiKV sees a client's connection drop) and new connections are refused. Safe to
     * call from a rewrite (the shutdown runs on its own thread).
     */
    void kill() {
        dead = true;
        Thread t = new Thread(() -> {
            server.shutdownNow();
            upstream.shutdownNow();
        }, "rogue-proxy-kill");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        upstream.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
        upstream.awaitTermination(5, TimeUnit.SECONDS);
    }
}
