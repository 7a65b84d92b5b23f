package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.phybr.adviser.collect.FrameDeliveryCheck;
import io.phybr.adviser.collect.MetaFrame;
import io.phybr.adviser.collect.RawMetas;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.protocol.seed.GrpcCleanup;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pins what {@link StoreRpc#collect} relies on for the stock protocol: on the adviser's async client call (its
 * channel, {@link StoreRpc#collectOptions} — a direct executor — and its batched flow control), gRPC parses each
 * ReadRegionMeta message and hands it to the observer in one step on the same thread, so the per-thread reused
 * {@link MetaFrame} of {@link RawMetas} is never overwritten before it is decoded. If a gRPC upgrade parsed ahead,
 * or parsed on one thread and delivered on another, {@link FrameDeliveryCheck} records it and this test fails.
 */
class FrameReuseOnClientTest {
    private static final long SEED = Long.getLong("phybr.frameReuse.seed", 16_3003);

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @Test
    void readRegionMetaParsesAndDeliversEachMessageInOneStepOnOneThread() throws Exception {
        List<byte[]> messages = FrameDeliveryCheck.messages(SEED, 6000);
        FrameDeliveryCheck check = new FrameDeliveryCheck(Long.MAX_VALUE, messages);

        long got = collect(messages, check, check::delivered);

        assertThat(check.violations()).as("seed %d", SEED).isEmpty();
        assertThat(got).isEqualTo(messages.size());
        assertThat(check.deliveredCount()).isEqualTo(messages.size());
    }

    /** The check itself: an observer that takes frames on another thread than gRPC's is caught. */
    @Test
    void theCheckCatchesAFrameTakenOnAnotherThread() throws Exception {
        List<byte[]> messages = FrameDeliveryCheck.messages(SEED, 50);
        FrameDeliveryCheck check = new FrameDeliveryCheck(Long.MAX_VALUE, messages);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            collect(messages, check, f -> CompletableFuture.runAsync(() -> check.delivered(f), other).join());
        } finally {
            other.shutdownNow();
            assertThat(other.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(check.violations()).isNotEmpty().first().asString().contains("did not parse it");
    }

    /** ReadRegionMeta from a store sending {@code messages}, as {@link StoreRpc#collect} calls it; returns the count. */
    private long collect(List<byte[]> messages, FrameDeliveryCheck check, Consumer<MetaFrame> take) throws Exception {
        Server store = store(messages);
        ManagedChannel ch = grpc.register(StoreChannels.netty(null)
                .open(new PdStore(7, "127.0.0.1:" + store.getPort(), false, "Up")));
        MethodDescriptor<ReadRegionMetaRequest, MetaFrame> checked = StoreRpc.READ_REGION_META_RAW.toBuilder(
                StoreRpc.READ_REGION_META_RAW.getRequestMarshaller(), check).build();
        CompletableFuture<Long> done = new CompletableFuture<>();
        ClientCalls.asyncServerStreamingCall(
                ch.newCall(checked, StoreRpc.collectOptions(Deadline.after(60, TimeUnit.SECONDS))),
                ReadRegionMetaRequest.newBuilder().setStoreId(7).build(),
                new ClientResponseObserver<ReadRegionMetaRequest, MetaFrame>() {
                    private ClientCallStreamObserver<ReadRegionMetaRequest> call;
                    private long n;
                    private int unrequested;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<ReadRegionMetaRequest> c) {
                        call = c;
                        c.disableAutoRequestWithInitial(StoreRpc.META_WINDOW); // as collect: many messages buffered
                    }

                    @Override
                    public void onNext(MetaFrame frame) {
                        take.accept(frame);
                        n++;
                        if (++unrequested >= StoreRpc.META_WINDOW / 2) {
                            call.request(unrequested);
                            unrequested = 0;
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(n);
                    }
                });
        return done.get(60, TimeUnit.SECONDS);
    }

    /** A store streaming exactly these messages as fast as the transport takes them. */
    private Server store(List<byte[]> messages) throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder(RecoverDataGrpc.SERVICE_NAME)
                .addMethod(StoreRpc.READ_REGION_META_RAW, ServerCalls.asyncServerStreamingCall((req, obs) -> {
                    ServerCallStreamObserver<MetaFrame> out = (ServerCallStreamObserver<MetaFrame>) obs;
                    int[] next = {0};
                    Runnable pump = () -> {
                        synchronized (next) {
                            while (next[0] < messages.size() && out.isReady()) {
                                out.onNext(MetaFrame.of(messages.get(next[0]++)));
                            }
                            if (next[0] == messages.size()) {
                                next[0]++;
                                out.onCompleted();
                            }
                        }
                    };
                    out.setOnReadyHandler(pump);
                    pump.run(); // the call may have become ready before the handler was set
                })).build();
        return grpc.register(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service).build().start());
    }
}
