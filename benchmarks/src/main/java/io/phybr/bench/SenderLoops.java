package io.phybr.bench;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Event loops for a benchmark's senders' channels, named {@code sender-ELG} so that {@link CpuMeter} can tell the
 * sending end's loops from the receiver's (grpc-java's shared default group serves both ends of a loopback run).
 * The same transport grpc-java picks by default: epoll where available, else NIO; two loops, one per core.
 */
final class SenderLoops {
    private SenderLoops() {
    }

    @SuppressWarnings("deprecation") // the 4.1-style groups: what grpc-java itself still builds
    static EventLoopGroup group() {
        DefaultThreadFactory names = new DefaultThreadFactory("sender-ELG", true);
        return Epoll.isAvailable() ? new EpollEventLoopGroup(2, names) : new NioEventLoopGroup(2, names);
    }

    static Class<? extends Channel> channelType() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
