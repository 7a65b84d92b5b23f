package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RegionMeta;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ReadRegionMeta's sending path (pre-encoded metas read in runs, {@link io.phybr.mock.agent.ReadyGate}) against a
 * reader that asks for one meta and stalls: the store reads and sends only what grpc flow control lets through (not
 * its whole report into memory), and once the reader asks again it gets every meta, in region order, each exactly
 * what protobuf makes of the peer (R1: largest peer id, commit index 0, tombstone peers left out).
 */
class ReadRegionMetaFlowTest {
    private static final int PEERS = 30_000;
    /** ~440-byte metas: 30,000 are ~13 MB, of which ~1.3 MB fit the reader's window and the store's queue. */
    private static final String PAD = "k".repeat(200);

    private MockStockStore store;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (store != null) {
            store.close();
        }
        Leaks.assertNoServersLeft();
    }

    private static LocalPeer peer(int i) {
        byte[] start = ("t_" + (100_000_000 + i) + PAD).getBytes(StandardCharsets.US_ASCII);
        byte[] end = ("t_" + (100_000_001 + i) + PAD).getBytes(StandardCharsets.US_ASCII);
        return LocalPeer.of(1000L + i).peers(10L * i + 3, 10L * i + 9, 10L * i + 5).lastLogTerm(6 + i % 3)
                .lastIndex(40 + i).commitIndex(38 + i).version(3).tombstone(i % 101 == 0).range(start, end).build();
    }

    /** The in-memory backend, counting the peers ReadRegionMeta read (per peer: the list's own subList is a view). */
    private static final class Counting implements StoreBackend {
        final InMemoryStoreBackend inner;
        final AtomicInteger read = new AtomicInteger();

        Counting(InMemoryStoreBackend inner) {
            this.inner = inner;
        }

        @Override
        public long storeId() {
            return inner.storeId();
        }

        @Override
        public StoreImage raft() {
            return inner.raft();
        }

        @Override
        public Peer raftPeer(long region) {
            return inner.raftPeer(region);
        }

        @Override
        public List<LocalPeer> peers() {
            List<LocalPeer> all = inner.peers();
            return new AbstractList<>() {
                @Override
                public LocalPeer get(int i) {
                    read.incrementAndGet();
                    return all.get(i);
                }

                @Override
                public int size() {
                    return all.size();
                }
            };
        }

        @Override
        public void resolve(long resolvedTs, int scanBatch, ResolveSink sink) {
            inner.resolve(resolvedTs, scanBatch, sink);
        }
    }

    @Test
    void aStalledReaderHoldsTheStoreBackAndThenGetsEveryMetaInOrder() throws Exception {
        InMemoryStoreBackend backend = new InMemoryStoreBackend(1);
        List<RegionMeta> expected = new ArrayList<>();
        for (int i = 0; i < PEERS; i++) {
            LocalPeer p = peer(i);
            backend.addPeer(p, p.lastIndex());
            if (!p.tombstone()) {
                expected.add(RegionMeta.newBuilder().setRegionId(p.regionId()).setPeerId(10L * i + 9)
                        .setLastLogTerm(p.lastLogTerm()).setLastIndex(p.lastIndex()).setVersion(3)
                        .setStartKey(com.google.protobuf.ByteString.copyFrom(p.startKey()))
                        .setEndKey(com.google.protobuf.ByteString.copyFrom(p.endKey())).build());
            }
        }
        Counting counting = new Counting(backend);
        store = new MockStockStore(counting).start();
        channel = NettyChannelBuilder.forTarget(store.address()).usePlaintext().build();

        List<RegionMeta> got = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
        ClientCalls.asyncServerStreamingCall(channel.newCall(RecoverDataGrpc.getReadRegionMetaMethod(),
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.MINUTES)),
                ReadRegionMetaRequest.newBuilder().setStoreId(1).build(),
                new ClientResponseObserver<ReadRegionMetaRequest, RegionMeta>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<ReadRegionMetaRequest> c) {
                        call[0] = c;
                        c.disableAutoRequestWithInitial(1); // a reader that stalls after one meta
                    }

                    @Override
                    public void onNext(RegionMeta m) {
                        synchronized (got) {
                            got.add(m);
                        }
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
        // the store stops once the reader's window and the ready threshold are full (~13 MB of metas; ~1.3 MB fit):
        // the count read stays the same from one poll to the next for 500 ms
        AtomicInteger lastPoll = new AtomicInteger(-1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(500))
                .until(() -> {
                    int now = counting.read.get();
                    return now > 0 && lastPoll.getAndSet(now) == now;
                });
        assertThat(counting.read.get()).as("peers read while the reader asked for one").isLessThan(PEERS / 4);
        assertThat(done).isNotDone();

        call[0].request(Integer.MAX_VALUE);
        done.get(30, TimeUnit.SECONDS);
        synchronized (got) {
            assertThat(got).hasSize(expected.size());
            int firstWrong = -1;
            for (int i = 0; i < got.size() && firstWrong < 0; i++) {
                firstWrong = got.get(i).equals(expected.get(i)) ? -1 : i;
            }
            assertThat(firstWrong).as("the first meta other than protobuf's of the peer (-1: none)").isEqualTo(-1);
        }
    }
}
