package io.phybr.mock.stock;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.model.Peer;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The set-up the conformance tests share: a {@link MockStockCluster} of three stores, one plaintext channel per store
 * (opened on first use), and the clean-up every test must pass (channels closed, cluster closed, no server left). A
 * test holds one in a field and calls {@link #close()} from its {@code @AfterEach}.
 */
final class StockClusterFixture implements AutoCloseable {
    private MockStockCluster cluster;
    private final Map<Long, ManagedChannel> channels = new TreeMap<>();

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Store {@code store}'s replica of {@code region}, each number named (it was five positional longs):
     * {@code replica(2, 1).term(6).last(40).applied(38).range("", "m").build()}. Peers {@code region*10 + 1..3} on
     * stores 1..3, commit 0, epoch version 3; what it is not told is 0, over the whole key space.
     */
    static ReplicaBuilder replica(long store, long region) {
        return new ReplicaBuilder(store, region);
    }

    /** Names the hard-state term, last and applied index and the range of a {@link #replica}. */
    static final class ReplicaBuilder {
        private final long store;
        private final long region;
        private long term;
        private long last;
        private long applied;
        private String start = "";
        private String end = "";

        private ReplicaBuilder(long store, long region) {
            this.store = store;
            this.region = region;
        }

        /** The Raft hard-state term (reported as last_log_term). */
        ReplicaBuilder term(long t) {
            this.term = t;
            return this;
        }

        ReplicaBuilder last(long index) {
            this.last = index;
            return this;
        }

        ReplicaBuilder applied(long index) {
            this.applied = index;
            return this;
        }

        /** ASCII keys, "" for the open ends. */
        ReplicaBuilder range(String startKey, String endKey) {
            this.start = startKey;
            this.end = endKey;
            return this;
        }

        StockReplica build() {
            long[] peers = {region * 10 + 1, region * 10 + 2, region * 10 + 3};
            return new StockReplica(store, LocalPeer.of(region).peers(peers).lastLogTerm(term).lastIndex(last)
                    .version(3).range(b(start), b(end)).build(), applied);
        }
    }

    /** Starts the cluster over in-memory stores holding {@code layout}, with {@code faults}. */
    MockStockCluster startLayout(List<StockReplica> layout, Fault... faults) throws Exception {
        return start(MockStockCluster.backends(layout), faults);
    }

    /** Starts the cluster {@code builder} describes (e.g. {@link MockStockCluster#forScenario}). */
    MockStockCluster start(MockStockCluster.Builder builder) throws Exception {
        cluster = builder.start();
        return cluster;
    }

    /** Starts the cluster over {@code backends}, with {@code faults}. */
    MockStockCluster start(List<? extends StoreBackend> backends, Fault... faults) throws Exception {
        cluster = MockStockCluster.builder(backends).faults(List.of(faults)).start();
        return cluster;
    }

    MockStockCluster cluster() {
        return cluster;
    }

    /** The test's channel to {@code store} (one per store, reused). */
    ManagedChannel channel(long store) {
        return channels.computeIfAbsent(store,
                s -> NettyChannelBuilder.forTarget(cluster.store(s).address()).usePlaintext().build());
    }

    /** Drops the channel to {@code store} (e.g. after a reboot sent GOAWAY); the next call opens a new one. */
    void reconnect(long store) throws InterruptedException {
        ManagedChannel ch = channels.remove(store);
        if (ch != null) {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A blocking stub to {@code store} whose calls end within 10 s. */
    RecoverDataGrpc.RecoverDataBlockingStub blocking(long store) {
        return RecoverDataGrpc.newBlockingStub(channel(store)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** An asynchronous stub to {@code store} whose calls end within {@code deadline}. */
    RecoverDataGrpc.RecoverDataStub async(long store, Duration deadline) {
        return RecoverDataGrpc.newStub(channel(store)).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Store {@code store}'s replica of {@code region} as its Raft state holds it. */
    Peer peer(long store, long region) {
        return cluster.store(store).backend().raftPeer(region);
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel ch : channels.values()) {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
        if (cluster != null) {
            cluster.close();
        }
        Leaks.assertNoServersLeft();
    }
}
