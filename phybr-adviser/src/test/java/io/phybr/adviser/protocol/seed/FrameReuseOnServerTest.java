package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.phybr.adviser.collect.FrameDeliveryCheck;
import io.phybr.adviser.collect.MetaFrame;
import io.phybr.adviser.collect.RawMetas;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionRecover;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pins what {@link ReportStream} relies on for the seed protocol: on the servers {@code serve} listens on
 * ({@link SeedServers}: Netty with a direct executor, or in-process) and with ReportStream's batched flow control,
 * gRPC parses each recover_regions message and hands it to the observer in one step on the same thread, so the
 * per-thread reused {@link MetaFrame} of {@link RawMetas} is never overwritten before it is decoded. If a gRPC
 * upgrade parsed ahead, or parsed on one thread and delivered on another, {@link FrameDeliveryCheck} records it
 * and this test fails.
 */
class FrameReuseOnServerTest {
    private static final long SEED = Long.getLong("phybr.frameReuse.seed", 16_3004);

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @Test
    void tcpServerParsesAndDeliversEachMetaInOneStepOnOneThread() throws Exception {
        List<byte[]> messages = FrameDeliveryCheck.messages(SEED, 6000);
        FrameDeliveryCheck check = new FrameDeliveryCheck(LenientMetas.MAX_META_BYTES, messages);
        Server server = grpc.register(SeedServers.tcp(new InetSocketAddress("127.0.0.1", 0), null,
                SeedServers.DEFAULT_KEEPALIVE_TIME, SeedServers.DEFAULT_KEEPALIVE_TIMEOUT,
                service(check, check::delivered)).start());
        ManagedChannel ch = grpc.register(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .usePlaintext().build());

        report(ch, messages);

        assertThat(check.violations()).as("seed %d", SEED).isEmpty();
        assertThat(check.deliveredCount()).isEqualTo(messages.size());
    }

    @Test
    void inProcessServerParsesAndDeliversEachMetaInOneStepOnOneThread() throws Exception {
        List<byte[]> messages = FrameDeliveryCheck.messages(SEED + 1, 6000);
        FrameDeliveryCheck check = new FrameDeliveryCheck(LenientMetas.MAX_META_BYTES, messages);
        String name = "frame-reuse-" + UUID.randomUUID();
        grpc.register(SeedServers.inProcess(name, service(check, check::delivered)).start());
        ManagedChannel ch = grpc.register(InProcessChannelBuilder.forName(name).build());

        report(ch, messages);

        assertThat(check.violations()).as("seed %d", SEED + 1).isEmpty();
        assertThat(check.deliveredCount()).isEqualTo(messages.size());
    }

    /** The check itself: an observer that takes frames on another thread than gRPC's is caught. */
    @Test
    void theCheckCatchesAFrameTakenOnAnotherThread() throws Exception {
        List<byte[]> messages = FrameDeliveryCheck.messages(SEED, 50);
        FrameDeliveryCheck check = new FrameDeliveryCheck(LenientMetas.MAX_META_BYTES, messages);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Server server = grpc.register(SeedServers.tcp(new InetSocketAddress("127.0.0.1", 0), null,
                    SeedServers.DEFAULT_KEEPALIVE_TIME, SeedServers.DEFAULT_KEEPALIVE_TIMEOUT,
                    service(check, f -> CompletableFuture.runAsync(() -> check.delivered(f), other).join())).start());
            ManagedChannel ch = grpc.register(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                    .usePlaintext().build());
            report(ch, messages);
        } finally {
            other.shutdownNow();
            assertThat(other.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(check.violations()).isNotEmpty().first().asString().contains("did not parse it");
    }

    /**
     * recover_regions taking frames through {@code check} (in place of the production {@link RawMetas}, which it
     * wraps), with ReportStream's flow control: a large initial window, more asked for in batches.
     */
    private static ServerServiceDefinition service(FrameDeliveryCheck check, Consumer<MetaFrame> take) {
        MethodDescriptor<MetaFrame, RegionRecover> method = PhybrGrpc.getRecoverRegionsMethod()
                .toBuilder(check, PhybrGrpc.getRecoverRegionsMethod().getResponseMarshaller()).build();
        return ServerServiceDefinition.builder(PhybrGrpc.SERVICE_NAME)
                .addMethod(method, ServerCalls.asyncBidiStreamingCall(obs -> {
                    ServerCallStreamObserver<RegionRecover> out = (ServerCallStreamObserver<RegionRecover>) obs;
                    out.disableAutoRequest();
                    out.request(16384);
                    return new StreamObserver<MetaFrame>() {
                        private int unrequested;

                        @Override
                        public void onNext(MetaFrame frame) {
                            take.accept(frame);
                            if (++unrequested >= 8192) {
                                out.request(unrequested);
                                unrequested = 0;
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                            out.onCompleted();
                        }
                    };
                })).build();
    }

    /** An agent streaming {@code messages} as fast as the transport takes them, then half-closing. */
    private static void report(ManagedChannel ch, List<byte[]> messages) throws Exception {
        MethodDescriptor<MetaFrame, RegionRecover> raw = PhybrGrpc.getRecoverRegionsMethod()
                .toBuilder(new RawMetas(Long.MAX_VALUE), PhybrGrpc.getRecoverRegionsMethod().getResponseMarshaller())
                .build();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ClientCalls.asyncBidiStreamingCall(ch.newCall(raw, CallOptions.DEFAULT),
                new ClientResponseObserver<MetaFrame, RegionRecover>() {
                    private int next;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<MetaFrame> out) {
                        out.setOnReadyHandler(() -> {
                            synchronized (this) {
                                while (next < messages.size() && out.isReady()) {
                                    out.onNext(MetaFrame.of(messages.get(next++)));
                                }
                                if (next == messages.size()) {
                                    next++;
                                    out.onCompleted();
                                }
                            }
                        });
                    }

                    @Override
                    public void onNext(RegionRecover value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        done.get(60, TimeUnit.SECONDS);
    }
}
