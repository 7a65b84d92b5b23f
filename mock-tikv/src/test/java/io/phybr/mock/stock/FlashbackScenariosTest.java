package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.pd.KeyCodec;
import io.phybr.mock.pd.MockPd;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.proto.kv.error.Error;
import io.phybr.proto.kv.kvrpc.Context;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionRequest;
import io.phybr.proto.kv.meta.Region;
import io.phybr.proto.kv.pd.GetAllStoresRequest;
import io.phybr.proto.kv.pd.PDGrpc;
import io.phybr.proto.kv.pd.RequestHeader;
import io.phybr.proto.kv.pd.ScanRegionsRequest;
import io.phybr.proto.kv.pd.ScanRegionsResponse;
import io.phybr.proto.kv.pd.TsoRequest;
import io.phybr.proto.kv.pd.TsoResponse;
import io.phybr.proto.kv.tikv.TikvGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The flashback scenarios do what their comments say on the mock, driven over the wire by a deliberately small
 * flashback client written here (not the adviser's: mock-tikv never depends on it): leaders elected per region as
 * RecoverRegion would, a TSO from PD, the key space walked through PD's ScanRegions (encoded keys), prepare then
 * flashback per region, re-resolving on EpochNotMatch / NotLeader, re-electing a region nobody leads (what re-sending a
 * restarted store its RecoverRegion plan does). The model checker must then pass — and each scenario's fault must have
 * been met (a scenario whose fault never fires proves nothing).
 */
class FlashbackScenariosTest {
    private MockStockCluster cluster;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<String> met = new ArrayList<>();
    /**
     * Every PD and store call's deadline. No scenario here stalls a call (faults answer: busy, epoch, not leader, a
     * restarted store's UNAVAILABLE), so it only catches a hang: 30 s, as PD calls elsewhere. Each call may open a
     * fresh channel (the first PD call perhaps the JVM's first: measured over 5 s at load 20-34).
     */
    private static final int CALL_BOUND_S = 30;

    @AfterEach
    void tearDown() throws InterruptedException {
        for (ManagedChannel ch : channels) {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
        }
        Leaks.assertNoServersLeft();
    }

    private ManagedChannel channel(String address) {
        ManagedChannel ch = NettyChannelBuilder.forTarget(address).usePlaintext().build();
        channels.add(ch);
        return ch;
    }

    @ParameterizedTest
    @ValueSource(strings = {"flashback-split-between-recover-and-flashback", "flashback-leader-moved-before-flashback",
            "flashback-store-restarted-during-prepare"})
    void recoversByFlashbackAndMeetsItsFault(String name) throws Exception {
        Scenario s = ScenarioParser.parse(Path.of("scenarios", name + ".scn"));
        Backup backup = s.run();
        Map<Long, StoreImage> images = backup.freshImages();
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        cluster = MockStockCluster.builder(backends).faults(s.faults()).start();
        List<Long> regions = regions(images);
        for (int i = 0; i < regions.size(); i++) {
            elect(regions.get(i), i); // balanced, as the BR policy's plan is (each store leads one of three)
        }
        PDGrpc.PDBlockingStub pd = PDGrpc.newBlockingStub(channel(cluster.pdAddress()));
        RequestHeader h = RequestHeader.newBuilder().setClusterId(MockPd.clusterId()).build();
        long ts = tso(h);
        long startTs = ts - 1;
        long resolved = backup.resolvedTs();
        assertThat(startTs).as("TSO after every write").isGreaterThan(backup.writes().stream()
                .mapToLong(w -> w.commitTs()).max().orElse(0));
        walk(pd, h, true, resolved, startTs, ts);
        walk(pd, h, false, resolved, startTs, ts);

        assertThat(ModelStoreBackend.check(backup, images, cluster.stores())).as(name).isEmpty();
        String expected = switch (name) {
            case "flashback-split-between-recover-and-flashback" -> "EpochNotMatch";
            case "flashback-leader-moved-before-flashback" -> "NotLeader";
            default -> "UNAVAILABLE";
        };
        assertThat(met).as(name).contains(expected);
    }

    /** The failure scenarios fail where they say: TSO unimplemented; store 1's region never prepared (busy). */
    @ParameterizedTest
    @ValueSource(strings = {"flashback-pd-without-tso", "flashback-region-stays-unprepared"})
    void failureScenariosFailWhereTheySay(String name) throws Exception {
        Scenario s = ScenarioParser.parse(Path.of("scenarios", name + ".scn"));
        assertThat(s.flashbackExpectation().outcome()).isNotEqualTo(io.phybr.mock.scenario.Expectation.Outcome.RECOVERED);
        assertThat(s.stockExpectation().outcome()).isEqualTo(io.phybr.mock.scenario.Expectation.Outcome.RECOVERED);
        Backup backup = s.run();
        Map<Long, StoreImage> images = backup.freshImages();
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        cluster = MockStockCluster.builder(backends).faults(s.faults()).start();
        List<Long> regions = regions(images);
        for (int i = 0; i < regions.size(); i++) {
            elect(regions.get(i), i);
        }
        RequestHeader h = RequestHeader.newBuilder().setClusterId(MockPd.clusterId()).build();
        if (name.endsWith("tso")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> tso(h))
                    .hasRootCauseInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNIMPLEMENTED");
            return;
        }
        long ts = tso(h);
        PDGrpc.PDBlockingStub pd = PDGrpc.newBlockingStub(channel(cluster.pdAddress()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> walk(pd, h, true, backup.resolvedTs(), ts - 1, ts))
                .hasMessageContaining("did not finish").hasMessageContaining("server is busy");
        assertThat(((ModelStoreBackend) cluster.store(1).backend()).ledger().preparedRegions()).isEmpty();
    }

    private static List<Long> regions(Map<Long, StoreImage> images) {
        java.util.TreeSet<Long> ids = new java.util.TreeSet<>();
        images.values().forEach(i -> i.allPeers().forEach(p -> {
            if (p.live()) {
                ids.add(p.regionId());
            }
        }));
        return new ArrayList<>(ids);
    }

    /** RecoverRegion's stand-in: some store's peer of {@code region} wins an election, trying stores from {@code from}. */
    private void elect(long region, int from) {
        List<MockStockStore> all = cluster.stores();
        for (int i = 0; i < all.size(); i++) {
            if (cluster.net().campaign(all.get((from + i) % all.size()).storeId(), region)) {
                return;
            }
        }
    }

    private long tso(RequestHeader h) throws Exception {
        CompletableFuture<TsoResponse> got = new CompletableFuture<>();
        StreamObserver<TsoRequest> req = PDGrpc.newStub(channel(cluster.pdAddress()))
                .withDeadlineAfter(CALL_BOUND_S, TimeUnit.SECONDS).tso(new StreamObserver<>() {
                    public void onNext(TsoResponse r) { got.complete(r); }
                    public void onError(Throwable t) { got.completeExceptionally(t); }
                    public void onCompleted() { }
                });
        req.onNext(TsoRequest.newBuilder().setHeader(h).setCount(1).build());
        TsoResponse r = got.get(CALL_BOUND_S + 5L, TimeUnit.SECONDS);
        req.onCompleted();
        return r.getTimestamp().getPhysical() << 18 | r.getTimestamp().getLogical();
    }

    /** One phase over the whole key space, region by region through PD, retrying region errors (bounded). */
    private void walk(PDGrpc.PDBlockingStub pd, RequestHeader h, boolean prepare, long version, long startTs,
                      long commitTs) throws Exception {
        Map<Long, String> addr = new TreeMap<>();
        pd.withDeadlineAfter(CALL_BOUND_S, TimeUnit.SECONDS)
                .getAllStores(GetAllStoresRequest.newBuilder().setHeader(h).build())
                .getStoresList().forEach(st -> addr.put(st.getId(), st.getAddress()));
        byte[] from = new byte[0];
        for (int attempt = 0; attempt < 200; attempt++) {
            ScanRegionsResponse sr = pd.withDeadlineAfter(CALL_BOUND_S, TimeUnit.SECONDS)
                    .scanRegions(ScanRegionsRequest.newBuilder()
                    .setHeader(h).setStartKey(ByteString.copyFrom(KeyCodec.encode(from))).setLimit(1).build());
            assertThat(sr.getRegionsCount()).as("PD knows a region at %s", java.util.HexFormat.of().formatHex(from))
                    .isEqualTo(1);
            Region r = sr.getRegions(0).getRegion();
            io.phybr.proto.kv.meta.Peer leader = sr.getRegions(0).getLeader();
            Context ctx = Context.newBuilder().setRegionId(r.getId()).setRegionEpoch(r.getRegionEpoch()).setPeer(leader).build();
            TikvGrpc.TikvBlockingStub kv = TikvGrpc.newBlockingStub(channel(addr.get(leader.getStoreId())))
                    .withDeadlineAfter(CALL_BOUND_S, TimeUnit.SECONDS);
            Error e;
            String err;
            try {
                if (prepare) {
                    var resp = kv.kvPrepareFlashbackToVersion(PrepareFlashbackToVersionRequest.newBuilder()
                            .setContext(ctx).setVersion(version).setStartTs(startTs).build());
                    e = resp.hasRegionError() ? resp.getRegionError() : null;
                    err = resp.getError();
                } else {
                    var resp = kv.kvFlashbackToVersion(FlashbackToVersionRequest.newBuilder().setContext(ctx)
                            .setVersion(version).setStartTs(startTs).setCommitTs(commitTs).build());
                    e = resp.hasRegionError() ? resp.getRegionError() : null;
                    err = resp.getError();
                }
            } catch (StatusRuntimeException x) {
                met.add(x.getStatus().getCode().name());
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> cluster.store(leader.getStoreId()).running());
                continue;
            }
            assertThat(err).as("region %d", r.getId()).isEmpty();
            if (e != null) {
                met.add(e.hasEpochNotMatch() ? "EpochNotMatch" : e.hasNotLeader() ? "NotLeader" : e.getMessage());
                if (e.hasNotLeader() && !e.getNotLeader().hasLeader()) {
                    elect(r.getId(), 0); // nobody leads it (a restart, R9): what RecoverRegion again does
                }
                continue;
            }
            byte[] end = KeyCodec.decode(r.getEndKey().toByteArray());
            if (end.length == 0) {
                return;
            }
            from = end;
        }
        throw new AssertionError("the " + (prepare ? "prepare" : "flashback") + " walk did not finish: " + met);
    }

}
