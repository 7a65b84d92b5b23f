package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.WaitApplyRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * R8 with pending removal (tikv fsm/peer.rs): a target that applies CommitMerge in recovery catches its lagging local
 * source up with the entries the merge carries (raft_cmdpb CommitMergeRequest.entries; on_catch_up_logs_for_merge),
 * the source marks itself {@code pending_remove = Merge} and is destroyed, and WaitApply — which skips a peer
 * "pending remove" and finishes a wait when the peer is destroyed (destroy_peer → snapshot_recovery_maybe_finish_wait_apply
 * force) — returns. Pinned on the history of {@code scenarios/merge-applied-on-some-stores.scn}: store 2's source of
 * region 2 was cut off before PrepareMerge, its target (region 1) holds CommitMerge unapplied.
 */
class MergeCatchUpConformanceTest {
    private final StockClusterFixture fx = new StockClusterFixture();
    private MockStockCluster cluster;

    @AfterEach
    void tearDown() throws InterruptedException {
        fx.close();
    }

    private RecoverDataGrpc.RecoverDataStub stub(long store) {
        return fx.async(store, Duration.ofSeconds(20));
    }

    @Test
    void R8_aLaggingMergeSourceIsCaughtUpByCommitMergeDestroyedAndWaitApplyReturns() throws Exception {
        Backup backup = ScenarioParser.parse(Path.of("scenarios/merge-applied-on-some-stores.scn")).run();
        Map<Long, StoreImage> images = backup.freshImages();
        Peer source = images.get(2L).peer(2);
        Peer target = images.get(2L).peer(1);
        assertThat(source.tombstone()).as("store 2's source of region 2 is live in the backup").isFalse();
        assertThat(target.appliedIndex()).as("store 2's target holds CommitMerge unapplied").isLessThan(target.lastIndex());
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        cluster = fx.start(backends);

        CompletableFuture<RecoverRegionResponse> led = new CompletableFuture<>();
        StreamObserver<RecoverRegionRequest> in = stub(1).recoverRegion(observer(led));
        in.onNext(RecoverRegionRequest.newBuilder().setRegionId(1).setAsLeader(true).build());
        in.onCompleted();
        assertThat(led.get(20, TimeUnit.SECONDS).getStoreId()).isEqualTo(1);

        CompletableFuture<Object> waited = new CompletableFuture<>();
        stub(2).waitApply(WaitApplyRequest.getDefaultInstance(), observer(waited));
        waited.get(20, TimeUnit.SECONDS);
        synchronized (cluster.net()) {
            assertThat(source.tombstone()).as("caught up, pending_remove (Merge), destroyed").isTrue();
            assertThat(target.appliedIndex()).isEqualTo(target.lastIndex());
            assertThat(target.end()).as("the merged range reaches +inf").isEmpty();
        }
    }


    private static <T> StreamObserver<T> observer(CompletableFuture<? super T> f) {
        return Observers.lastOf(f);
    }
}
