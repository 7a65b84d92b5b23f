package io.phybr.mock.agent;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.UnpooledByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;

/**
 * The buffers the mock's senders — the seed agents' channels, the stock stores' servers — frame their gRPC messages
 * into: plain heap buffers, unpooled, not leak-tracked. A sender built here is still grpc-java over Netty end to end
 * (same messages, same HTTP/2); only where each message's frame buffer comes from changes. Benchmarks and tests that
 * stand in for the mock's senders build their channels here, so they measure what the mock sends with.
 *
 * <p>Why: the mock's senders stream a million ~100-byte messages per store, and grpc-java frames each message into a
 * buffer of its own, allocated on the sending thread and released on the transport's event loop once written. With
 * grpc-java's default (pooled direct) allocator every release is a cross-thread return to the pool's arena (no
 * thread cache), and each HTTP/2 DATA frame goes to the socket as a gather of ~150 tiny direct buffers. Heap buffers
 * cost a bump allocation and a young-generation collection, and Netty copies a whole DATA frame into one direct buffer
 * for the write. Measured (benchmarks/RESULTS.md, issue 16, session 7): the sending side's CPU per meta fell by about
 * a third, the end-to-end seed collection rate rose accordingly. The reading side is unaffected in volume: a sender
 * reads only window updates and the adviser's answers.
 */
public final class SenderBuffers {
    /** Heap, unpooled, leak detection off (a million sampled leak records per store cost, find nothing here). */
    private static final ByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(false, true);

    private SenderBuffers() {
    }

    /** A Netty channel builder for {@code target} ({@code host:port}) whose messages are framed in heap buffers. */
    public static NettyChannelBuilder channel(String target) {
        return NettyChannelBuilder.forTarget(target).withOption(ChannelOption.ALLOCATOR, ALLOCATOR);
    }

    /** {@code server}, its connections framing their messages in heap buffers. */
    public static NettyServerBuilder serving(NettyServerBuilder server) {
        return server.withChildOption(ChannelOption.ALLOCATOR, ALLOCATOR);
    }
}
