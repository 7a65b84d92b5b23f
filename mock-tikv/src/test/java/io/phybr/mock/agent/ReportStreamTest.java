package io.phybr.mock.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed agent's report stream ({@link ReportStream}) over loopback TCP against an adviser that reads only what it
 * asks for: a reader that stops asking holds the sender back (it does not buffer the rest of its metas), and once the
 * reader asks again every meta arrives, in order, byte for byte; the commands come back; a break-off reaches the
 * adviser as a cancelled stream.
 */
class ReportStreamTest {
    private static final int METAS = 30_000;
    /** ~430-byte metas: 30,000 are ~13 MB, of which ~1.3 MB fit the window and the sender's queue. */
    private static final String PAD = "k".repeat(200);
    private static final MethodDescriptor<byte[], RegionRecover> RAW = PhybrGrpc.getRecoverRegionsMethod()
            .toBuilder(MetaBytes.MARSHALLER, PhybrGrpc.getRecoverRegionsMethod().getResponseMarshaller()).build();

    private final List<byte[]> received = new ArrayList<>();
    private final CompletableFuture<Status> serverSaw = new CompletableFuture<>();
    private volatile ServerCallStreamObserver<RegionRecover> toAgent;
    private Server server;
    private ManagedChannel channel;
    private final ExecutorService agent = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder(PhybrGrpc.SERVICE_NAME)
                .addMethod(RAW, ServerCalls.asyncBidiStreamingCall(out -> {
                    toAgent = (ServerCallStreamObserver<RegionRecover>) out;
                    toAgent.disableAutoRequest();
                    toAgent.request(1); // a reader that stalls after one meta
                    return new StreamObserver<byte[]>() {
                        @Override
                        public void onNext(byte[] m) {
                            synchronized (received) {
                                received.add(m);
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            serverSaw.complete(Status.fromThrowable(t));
                        }

                        @Override
                        public void onCompleted() {
                            out.onNext(RegionRecover.newBuilder().setRegionId(7).setTerm(9).build());
                            out.onCompleted();
                            serverSaw.complete(Status.OK);
                        }
                    };
                })).build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build()
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        agent.shutdownNow();
        agent.awaitTermination(10, TimeUnit.SECONDS);
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private static byte[] meta(int i) {
        byte[] start = ("t_" + (100_000_000 + i) + PAD).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] end = ("t_" + (100_000_001 + i) + PAD).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return MetaBytes.seed(1000L + i, 40 + i, 6, 3, i % 97 == 0, start, end);
    }

    private int receivedCount() {
        synchronized (received) {
            return received.size();
        }
    }

    @Test
    void aStalledReaderHoldsTheSenderBackAndThenGetsEveryMetaInOrder() throws Exception {
        ReportStream s = ReportStream.open(StoreClient.as(channel, 1L), Duration.ofMinutes(1));
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < METAS; i++) {
                if (!s.send(meta(i))) {
                    return;
                }
                sent.incrementAndGet();
            }
            s.halfClose();
        }, agent);
        // the sender stops once the adviser's window and the ready threshold are full (~13 MB of metas would not fit;
        // ~1.3 MB do): the count sent stays the same from one poll to the next for 500 ms (a sender that is not held
        // back keeps it moving until it has sent them all)
        AtomicInteger lastPoll = new AtomicInteger(-1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(500))
                .until(() -> {
                    int now = sent.get();
                    return now > 0 && lastPoll.getAndSet(now) == now;
                });
        int held = sent.get();
        assertThat(held).as("metas sent while the reader asked for one").isLessThan(METAS / 4);
        assertThat(sending).isNotDone();
        // the one meta asked for is handed to the reader on the server's executor, asynchronously to the sender's
        // progress: wait for it (a stall of the sender does not mean it has been delivered), then it is the only one
        await().atMost(Duration.ofSeconds(30)).until(() -> receivedCount() >= 1);
        assertThat(receivedCount()).as("metas the reader got after asking for one").isEqualTo(1);

        toAgent.request(Integer.MAX_VALUE);
        sending.get(30, TimeUnit.SECONDS);
        assertThat(s.done().get(30, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        assertThat(serverSaw.get(30, TimeUnit.SECONDS)).isEqualTo(Status.OK);
        synchronized (received) {
            assertThat(received).hasSize(METAS);
            int firstWrong = -1;
            for (int i = 0; i < METAS && firstWrong < 0; i++) {
                firstWrong = java.util.Arrays.equals(received.get(i), meta(i)) ? -1 : i;
            }
            assertThat(firstWrong).as("the first meta received other than sent (-1: none)").isEqualTo(-1);
            assertThat(RegionMeta.parseFrom(received.get(METAS - 1)).getRegionId()).isEqualTo(1000L + METAS - 1);
        }
        assertThat(s.commands()).containsExactly(RegionRecover.newBuilder().setRegionId(7).setTerm(9).build());
    }

    @Test
    void aBreakOffReachesTheAdviserAsACancelledStream() throws Exception {
        ReportStream s = ReportStream.open(StoreClient.as(channel, 1L), Duration.ofMinutes(1));
        assertThat(s.send(meta(0))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> receivedCount() == 1);
        s.breakOff("agent of store 1 went away");
        assertThat(serverSaw.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
        assertThat(s.done().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
        assertThat(s.send(meta(1))).as("nothing is sent on an ended stream").isFalse();
    }
}
