package io.phybr.bench;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameStream;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ResetFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * A sender with no per-message cost, to measure a receiver alone: one store's whole gRPC message stream
 * (each message's 5-byte length prefix and bytes, end to end, exactly what grpc-java or TiKV's grpcio put on the
 * wire) written as large HTTP/2 DATA frames by Netty's HTTP/2 codec, which keeps to the receiver's flow-control
 * windows. grpc-java's own senders cost about as much per message as its receivers (each message is framed,
 * queued and flushed alone), so with them a benchmark shows the sum of both ends; this one leaves the receiver's
 * share. The wire format is unchanged: how messages are cut into DATA frames is the transport's choice, and
 * TiKV's grpcio packs many small messages per frame as this does.
 */
final class Http2Wire {
    /** Bytes per DATA frame written; the codec cuts them to the peer's maximum frame size. */
    private static final int CHUNK = 64 * 1024;

    private Http2Wire() {
    }

    /** Every message of {@code w}, gRPC length-prefixed (uncompressed), end to end. */
    static byte[] framed(WireBytes w) {
        byte[] out = new byte[w.bytes.length + 5 * w.count()];
        int p = 0;
        for (int k = 0; k < w.count(); k++) {
            int off = w.offsets[k];
            int len = w.offsets[k + 1] - off;
            out[p] = 0;
            out[p + 1] = (byte) (len >>> 24);
            out[p + 2] = (byte) (len >>> 16);
            out[p + 3] = (byte) (len >>> 8);
            out[p + 4] = (byte) len;
            System.arraycopy(w.bytes, off, out, p + 5, len);
            p += 5 + len;
        }
        return out;
    }

    static EventLoopGroup group() {
        return new NioEventLoopGroup(1);
    }

    private static void writeBody(ChannelHandlerContext ctx, Http2FrameStream stream, byte[] body) {
        for (int off = 0; off < body.length; off += CHUNK) {
            int n = Math.min(CHUNK, body.length - off);
            ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body, off, n), false).stream(stream));
        }
    }

    /** Returns a received DATA frame's bytes to the flow controller (they are read and dropped). */
    private static void consume(ChannelHandlerContext ctx, Http2DataFrame df) {
        int n = df.initialFlowControlledBytes();
        if (n > 0) {
            ctx.write(new DefaultHttp2WindowUpdateFrame(n).stream(df.stream()));
        }
    }

    /**
     * A seed agent: opens one connection, calls {@code path} with {@code phybr-store-id: store}, streams {@code body}
     * and half-closes. Completes when the server ends the call with grpc-status 0 (the adviser's commands are read
     * and dropped), exceptionally on another status or a reset.
     */
    static CompletableFuture<Void> call(EventLoopGroup group, int port, String path, long store, byte[] body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel connection;
        try {
            connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    }).connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.completeExceptionally(e);
            return done;
        }
        done.whenComplete((v, e) -> connection.close());
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http").path(path)
                        .authority("127.0.0.1:" + port);
                h.add("content-type", "application/grpc").add("te", "trailers")
                        .add("phybr-store-id", Long.toString(store));
                ctx.write(new DefaultHttp2HeadersFrame(h, false));
                for (int off = 0; off < body.length; off += CHUNK) {
                    int n = Math.min(CHUNK, body.length - off);
                    ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body, off, n), off + n == body.length));
                }
                ctx.flush();
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    ended(msg, done); // a stream channel returns what it reads to the flow controller itself
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                done.completeExceptionally(new IllegalStateException("stream closed before the call ended"));
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                done.completeExceptionally(cause);
                ctx.close();
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
    }

    private static void ended(Object msg, CompletableFuture<Void> done) {
        if (msg instanceof Http2HeadersFrame hf && hf.isEndStream()) {
            CharSequence status = hf.headers().get("grpc-status");
            if (status != null && status.toString().equals("0")) {
                done.complete(null);
            } else {
                done.completeExceptionally(new IllegalStateException("call ended with grpc-status " + status + ": "
                        + hf.headers().get("grpc-message")));
            }
        } else if (msg instanceof Http2ResetFrame || msg instanceof Http2GoAwayFrame) {
            done.completeExceptionally(new IllegalStateException("call ended by " + msg));
        }
    }

    /**
     * A stock store: answers every call (ReadRegionMeta from the adviser) with {@code body} and grpc-status 0, once
     * the request is whole. Close the returned channel, then shut the group down.
     */
    static Channel server(EventLoopGroup group, byte[] body) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        try {
                                            answer(ctx, msg, body);
                                        } finally {
                                            ReferenceCountUtil.release(msg);
                                        }
                                    }

                                    @Override
                                    public void channelReadComplete(ChannelHandlerContext ctx) {
                                        ctx.flush();
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private static void answer(ChannelHandlerContext ctx, Object msg, byte[] body) {
        Http2FrameStream stream;
        if (msg instanceof Http2DataFrame df) {
            consume(ctx, df);
            if (!df.isEndStream()) {
                return;
            }
            stream = df.stream();
        } else if (msg instanceof Http2HeadersFrame hf && hf.isEndStream()) {
            stream = hf.stream();
        } else {
            return;
        }
        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                .add("content-type", "application/grpc"), false).stream(stream));
        writeBody(ctx, stream, body);
        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0"), true).stream(stream));
        ctx.flush();
    }
}
