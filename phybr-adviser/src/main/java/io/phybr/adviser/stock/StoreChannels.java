package io.phybr.adviser.stock;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NegotiationType;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.phybr.adviser.pd.PdStore;
import java.util.concurrent.TimeUnit;

/** Opens the gRPC channel to one TiKV store. One channel per store, closed by the recovery when it ends. */
@FunctionalInterface
public interface StoreChannels {
    ManagedChannel open(PdStore store);

    /**
     * Null when this factory can dial {@code store}; else what is wrong with its address. The recovery asks in prepare,
     * before PD or any store is touched. Factories that do not dial PD's address (tests' in-process ones) can dial any.
     */
    default String addressProblem(PdStore store) {
        return null;
    }

    /** Netty channels to the store's PD-listed address; TLS when {@code ssl} is not null. */
    static StoreChannels netty(SslContext ssl) {
        return new StoreChannels() {
            @Override
            public ManagedChannel open(PdStore store) {
                NettyChannelBuilder b = NettyChannelBuilder.forTarget(store.address())
                        .maxInboundMessageSize(64 << 20)
                        .flowControlWindow(8 << 20)
                        .keepAliveTime(30, TimeUnit.SECONDS)
                        .keepAliveTimeout(10, TimeUnit.SECONDS)
                        .keepAliveWithoutCalls(false);
                if (ssl == null) {
                    b.negotiationType(NegotiationType.PLAINTEXT);
                } else {
                    b.sslContext(ssl).negotiationType(NegotiationType.TLS);
                }
                return b.build();
            }

            @Override
            public String addressProblem(PdStore store) {
                return store.addressProblem(); // gRPC's target parser refuses the rest when the channel is built
            }
        };
    }
}
