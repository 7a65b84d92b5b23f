package io.phybr.adviser.protocol.seed;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The gRPC servers a {@link SeedAdviser} serves on: TCP (Netty, tuned for millions of tiny metas) or in-process. */
final class SeedServers {
    /** A silent connection is pinged after this long ... */
    static final Duration DEFAULT_KEEPALIVE_TIME = Duration.ofSeconds(20);
    /** ... and dropped when the ping is not answered within this: a vanished agent's stream ends within 30 s. */
    static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

    private SeedServers() {
    }

    static Server inProcess(String name, ServerServiceDefinition definition) {
        return InProcessServerBuilder.forName(name).directExecutor().addService(definition)
                .addStreamTracerFactory(new CallFate.Factory()).build();
    }

    /** {@code tls} null: plaintext; else mutual TLS, the agents' certificates verified. */
    static Server tcp(SocketAddress address, SslContext tls, Duration keepAliveTime, Duration keepAliveTimeout,
                      ServerServiceDefinition definition) {
        NettyServerBuilder nb = NettyServerBuilder.forAddress(address);
        if (tls != null) {
            nb.sslContext(tls);
        }
        return nb
                // Handlers only append to per-stream tables and never block: run them on the
                // event loop instead of paying a thread hop per batch of tiny metas.
                .directExecutor()
                // A larger HTTP/2 window keeps millions of ~40-byte metas flowing without a
                // WINDOW_UPDATE round trip every few thousand; still bounded per stream.
                .flowControlWindow(4 << 20)
                // Admit a little more than a RegionMeta may take, so that an oversized one is
                // refused by LenientMetas with its reason rather than by the transport.
                .maxInboundMessageSize(LenientMetas.MAX_INBOUND_BYTES)
                .permitKeepAliveWithoutCalls(true)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                // The server pings a connection that went quiet and drops it when no answer comes: an agent
                // whose host died or was cut off without a FIN/RST would otherwise hold its store's stream open
                // (grpc's default: 2 hours), refusing the restarted agent with ALREADY_EXISTS and making the
                // close barrier wait for a store that can no longer answer. grpc-java clamps the time to >= 10 s.
                .keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .addStreamTracerFactory(new CallFate.Factory())
                .addService(definition)
                .build();
    }
}
