package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.proto.kv.kvrpc.Context;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionRequest;
import io.phybr.proto.kv.meta.RegionEpoch;
import io.phybr.proto.kv.tikv.TikvGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checker judges a flashback finish as it judges ResolveKvData (MOCK-MODEL checks 3–4): every committed write at
 * or below the resolved ts readable, nothing newer visible — by what a read sees, since a flashback deletes nothing.
 * A flashback to the wrong version, one never finished, or one that skipped a region fails it.
 */
class FlashbackCheckTest {
    private MockStockCluster cluster;
    private final List<ManagedChannel> channels = new ArrayList<>();

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

    private Backup backup;
    private Map<Long, StoreImage> images;

    /** Two regions on three stores, writes below and above the resolved ts; store 1 leads 1, store 2 leads 2. */
    private void start() throws Exception {
        backup = ScenarioParser.parse("t", """
                stores 3
                region 1 - 80 on 1 2 3
                region 2 80 - on 1 2 3
                write 10 x2
                write 90
                resolved
                write 20
                write 90
                expect recovered
                """).run();
        images = backup.freshImages();
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        cluster = MockStockCluster.builder(backends).start();
        assertThat(cluster.net().campaign(1, 1)).isTrue();
        assertThat(cluster.net().campaign(2, 2)).isTrue();
    }

    /** Prepare then flashback {@code region} on its leader {@code store} to {@code version}; true if both succeeded. */
    private boolean flashback(long region, long store, long version, long startTs) {
        Peer p = cluster.store(store).backend().raftPeer(region);
        Context ctx = Context.newBuilder().setRegionId(region)
                .setPeer(io.phybr.proto.kv.meta.Peer.newBuilder().setId(p.peerId()).setStoreId(store))
                .setRegionEpoch(RegionEpoch.newBuilder().setVersion(p.version()).setConfVer(p.confVer())).build();
        ManagedChannel ch = NettyChannelBuilder.forTarget(cluster.store(store).address()).usePlaintext().build();
        channels.add(ch);
        TikvGrpc.TikvBlockingStub stub = TikvGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
        var pr = stub.kvPrepareFlashbackToVersion(PrepareFlashbackToVersionRequest.newBuilder().setContext(ctx)
                .setVersion(version).setStartTs(startTs).build());
        if (pr.hasRegionError() || !pr.getError().isEmpty()) {
            return false;
        }
        var fr = stub.kvFlashbackToVersion(FlashbackToVersionRequest.newBuilder().setContext(ctx).setVersion(version)
                .setStartTs(startTs).setCommitTs(startTs + 1).build());
        return !fr.hasRegionError() && fr.getError().isEmpty();
    }

    private List<String> check() {
        return ModelStoreBackend.check(backup, images, cluster.stores());
    }

    @Test
    void aFlashbackOfEveryRegionToTheResolvedTsPasses() throws Exception {
        start();
        assertThat(io.phybr.mock.check.StockChecks.newerThanResolved(backup, images))
                .as("before: newer writes visible").isNotEmpty();
        assertThat(flashback(1, 1, backup.resolvedTs(), backup.resolvedTs() + 1_000_000)).isTrue();
        assertThat(flashback(2, 2, backup.resolvedTs(), backup.resolvedTs() + 1_000_000)).isTrue();
        assertThat(check()).isEmpty();
    }

    @Test
    void aFlashbackToAnOlderVersionLosesCommittedWritesAndFails() throws Exception {
        start();
        assertThat(flashback(1, 1, 0, backup.resolvedTs() + 1_000_000)).isTrue();
        assertThat(flashback(2, 2, 0, backup.resolvedTs() + 1_000_000)).isTrue();
        assertThat(check()).anySatisfy(p -> assertThat(p).contains("reads nothing").contains("latest write at or below"));
    }

    @Test
    void aRegionLeftOutOrLeftPreparedFails() throws Exception {
        start();
        assertThat(flashback(1, 1, backup.resolvedTs(), backup.resolvedTs() + 1_000_000)).isTrue();
        assertThat(check()).anySatisfy(p -> assertThat(p).contains("> resolved ts").contains("visible on store"));

        Peer p = cluster.store(2).backend().raftPeer(2);
        ManagedChannel ch = NettyChannelBuilder.forTarget(cluster.store(2).address()).usePlaintext().build();
        channels.add(ch);
        TikvGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).kvPrepareFlashbackToVersion(
                PrepareFlashbackToVersionRequest.newBuilder().setContext(Context.newBuilder().setRegionId(2)
                        .setPeer(io.phybr.proto.kv.meta.Peer.newBuilder().setId(p.peerId()).setStoreId(2))
                        .setRegionEpoch(RegionEpoch.newBuilder().setVersion(p.version()).setConfVer(p.confVer())))
                        .setVersion(backup.resolvedTs()).setStartTs(backup.resolvedTs() + 2_000_000).build());
        assertThat(check()).anySatisfy(s -> assertThat(s).contains("region 2 on store").contains("flashback state"))
                .anySatisfy(s -> assertThat(s).contains("flashback lock"));
    }
}
