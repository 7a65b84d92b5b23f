package io.phybr.adviser.fuzz;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.flashback.GrpcPdRoutes;
import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.stock.RetryPolicy;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.adviser.stock.Timeouts;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A mock stock cluster seen by {@code recover} only through rogue peers on loopback: PD's HTTP API through a
 * {@link RewritingHttpProxy}, PD's pdpb and every store through a {@link RewritingGrpcProxy}. Every answer passes
 * one {@link Swap} (which may replace it); {@link #killAdviser()} cuts every path at once, which is what the cluster
 * sees when the adviser's process dies. Closing it closes the proxies, not the cluster.
 */
final class RogueCluster implements AutoCloseable {
    /** One answer on its way to the adviser; a swap returns the bytes to send instead, or null to keep it. */
    record Wire(String peer, String what, int index, byte[] honest) {
        static final String PD_HTTP = "pd-http";
        static final String PD_GRPC = "pd-grpc";

        static String store(long id) {
            return "store-" + id;
        }
    }

    @FunctionalInterface
    interface Swap {
        byte[] answer(Wire w);
    }

    final MockStockCluster cluster;
    private final RewritingHttpProxy http;
    private final RewritingGrpcProxy pdGrpc;
    private final Map<Long, RewritingGrpcProxy> stores = new TreeMap<>();

    RogueCluster(MockStockCluster cluster, Swap swap) throws IOException {
        this.cluster = cluster;
        this.http = new RewritingHttpProxy(cluster.pdAddress(), (method, path, status, body) ->
                method.equals("GET") ? swap.answer(new Wire(Wire.PD_HTTP, path, 0, body)) : null);
        this.pdGrpc = new RewritingGrpcProxy(cluster.pdAddress(), (method, index, msg) ->
                orKeep(swap.answer(new Wire(Wire.PD_GRPC, method, index, msg)), msg));
        try {
            for (MockStockStore s : cluster.stores()) {
                long id = s.storeId();
                stores.put(id, new RewritingGrpcProxy(s.address(), (method, index, msg) ->
                        orKeep(swap.answer(new Wire(Wire.store(id), method, index, msg)), msg)));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static byte[] orKeep(byte[] swapped, byte[] honest) {
        return swapped == null ? honest : swapped;
    }

    /** A recovery of every store through the rogues, clocks scaled for tests; {@code finish} null chooses by version. */
    StockRecovery.Builder recovery(Finish finish, long resolvedTs) {
        Duration call = Duration.ofSeconds(2);
        return bounded(StockRecovery.builder()
                .pd(new PdClient(List.of(http.address()), null, call))
                .channels(s -> plaintext(stores.containsKey(s.id()) ? stores.get(s.id()).address() : s.address()))
                // every pdpb call goes through the rogue, whatever leader URL GetMembers names
                .pdRoutes(p -> new GrpcPdRoutes(List.of(pdGrpc.address()), a -> plaintext(pdGrpc.address()), call)),
                // bounds a loaded CI machine meets in a clean run, short enough that a stuck input costs seconds
                finish, resolvedTs, stores.size(), Duration.ofSeconds(1), 2, Duration.ofMillis(800));
    }

    /** The same recovery straight to the cluster, no rogue in between (a rerun after the adviser died). */
    static StockRecovery.Builder direct(MockStockCluster c, Finish finish, long resolvedTs) {
        return bounded(StockRecovery.builder().pd(new PdClient(List.of(c.pdAddress()), null, Duration.ofSeconds(2))),
                finish, resolvedTs, c.stores().size(), Duration.ofSeconds(3), 3, Duration.ofSeconds(2));
    }

    /** The clocks and bounds both recoveries share: phases 5 s, restarts watched every 50 ms. */
    private static StockRecovery.Builder bounded(StockRecovery.Builder b, Finish finish, long resolvedTs, int stores,
                                                 Duration storeWait, int attempts, Duration round) {
        return b.finish(finish)
                .resolvedTs(resolvedTs)
                .expectedStores(new ExpectedStores(stores, Set.of(), Set.of(), "--expected-stores " + stores))
                .storeWait(storeWait, Duration.ofMillis(50))
                .retry(new RetryPolicy(attempts, Duration.ofMillis(10), Duration.ofMillis(40)))
                .timeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
                        Duration.ofSeconds(5)))
                .roundTimeout(round)
                .restartGrace(round)
                .watchInterval(Duration.ofMillis(50))
                .flashbackTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2))
                .progressInterval(Duration.ofSeconds(30));
    }

    /** Where the rogue PD's pdpb listens. */
    String pdGrpcAddress() {
        return pdGrpc.address();
    }

    static ManagedChannel plaintext(String address) {
        return NettyChannelBuilder.forTarget(address).usePlaintext().build();
    }

    /** The adviser's process dies: every path from it to PD and the stores is cut at once. */
    void killAdviser() {
        http.kill();
        pdGrpc.kill();
        stores.values().forEach(RewritingGrpcProxy::kill);
    }

    @Override
    public void close() {
        http.close();
        try {
            pdGrpc.close();
            for (RewritingGrpcProxy p : stores.values()) {
                p.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
