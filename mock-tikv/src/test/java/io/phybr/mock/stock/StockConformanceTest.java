package io.phybr.mock.stock;

import static io.phybr.mock.stock.StockClusterFixture.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.model.Peer;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.RegionMeta;
import io.phybr.proto.recoverdata.ResolveKvDataRequest;
import io.phybr.proto.recoverdata.ResolveKvDataResponse;
import io.phybr.proto.recoverdata.WaitApplyRequest;
import io.phybr.proto.recoverdata.WaitApplyResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mock stock stores behave as TiKV in recovery mode (SPEC §3.1), one test per behaviour, each named after its R
 * and citing the upstream file it pins. These must fail if the mock is made friendlier again. Time runs 1000 times
 * faster than TiKV's ({@link MockStockCluster#DEFAULT_CLOCK}): "hangs" means "still unanswered after many
 * LeaderKeeper periods", with the same shape as at full scale.
 */
class StockConformanceTest {
    /** Long enough for dozens of scaled LeaderKeeper periods (10 s each in TiKV time, 10 ms here). */
    private static final Duration HANG = Duration.ofMillis(600);

    private final StockClusterFixture fx = new StockClusterFixture();
    private MockStockCluster cluster;

    @AfterEach
    void tearDown() throws InterruptedException {
        fx.close();
    }

    /** Region 1 [-, m) and region 2 [m, +inf) on stores 1..3, term 6; {@code last[s-1]} is store s's last index. */
    private MockStockCluster start(long[] last1, long[] last2) throws Exception {
        List<StockReplica> layout = new ArrayList<>();
        for (int s = 1; s <= 3; s++) {
            layout.add(StockClusterFixture.replica(s, 1).term(6).last(last1[s - 1]).applied(last1[s - 1])
                    .range("", "m").build());
            layout.add(StockClusterFixture.replica(s, 2).term(6).last(last2[s - 1]).applied(last2[s - 1])
                    .range("m", "").build());
        }
        cluster = fx.startLayout(layout);
        return cluster;
    }

    /** Starts a RecoverRegion forcing {@code regions} on {@code store}; the future completes with its answer. */
    private CompletableFuture<RecoverRegionResponse> recover(long store, long... regions) {
        CompletableFuture<RecoverRegionResponse> f = new CompletableFuture<>();
        StreamObserver<RecoverRegionRequest> in = RecoverDataGrpc.newStub(fx.channel(store))
                .withDeadlineAfter(20, TimeUnit.SECONDS).recoverRegion(observer(f));
        for (long r : regions) {
            in.onNext(RecoverRegionRequest.newBuilder().setRegionId(r).setAsLeader(true).build());
        }
        in.onCompleted();
        return f;
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<? super T> f) {
        return Observers.lastOf(f);
    }

    private static Status.Code code(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
            return Status.Code.OK;
        } catch (java.util.concurrent.ExecutionException e) {
            return Status.fromThrowable(e.getCause()).getCode();
        } catch (Exception e) {
            throw new AssertionError("no answer: " + e);
        }
    }

    /** Once {@code store} received the call, it stays unanswered for {@link #HANG} (many scaled periods). */
    private void assertHangs(CompletableFuture<?> f, long store, String rpc) {
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(store).calls().contains(rpc));
        await().pollDelay(HANG).atMost(HANG.plusSeconds(5)).until(() -> true);
        assertThat(f).as("still unanswered %s after the store received it", HANG).isNotDone();
    }

    // ---- R1, R2: region_meta_collector.rs ------------------------------------------------------------------

    /** R1, R2 (components/snap_recovery/src/region_meta_collector.rs): hard-state term, largest peer id, commit 0. */
    @Test
    void R2_lastLogTermIsTheHardStateTermNotTheLastEntryTerm() throws Exception {
        start(new long[] {10, 10, 10}, new long[] {10, 10, 10});
        synchronized (cluster.net()) {
            fx.peer(1, 1).writeHardState(9, fx.peer(1, 1).vote()); // voted in a later term, received no entry of it
        }
        List<RegionMeta> metas = new ArrayList<>();
        fx.blocking(1).readRegionMeta(ReadRegionMetaRequest.getDefaultInstance()).forEachRemaining(metas::add);
        assertThat(metas).extracting(RegionMeta::getRegionId).containsExactly(1L, 2L);
        assertThat(metas.get(0).getLastLogTerm()).isEqualTo(9);
        assertThat(metas.get(0).getPeerId()).isEqualTo(13);
        assertThat(metas.get(0).getCommitIndex()).isZero();
        assertThat(metas.get(0).getTombstone()).isFalse();
    }

    // ---- R3, R4, R5: leader_keeper.rs, services.rs recover_region -------------------------------------------

    /**
     * R3 (components/snap_recovery/src/leader_keeper.rs; raft-rs is_up_to_date): a candidate whose log is shorter
     * than a majority's never wins, so RecoverRegion never answers — it keeps campaigning every period.
     */
    @Test
    void R3_aCandidateWithAShorterLogThanTheMajorityNeverWinsAndRecoverRegionHangs() throws Exception {
        start(new long[] {10, 12, 12}, new long[] {10, 10, 10});
        CompletableFuture<RecoverRegionResponse> call = recover(1, 1);
        assertHangs(call, 1, "RecoverRegion");
        synchronized (cluster.net()) {
            assertThat(fx.peer(1, 1).hardStateTerm()).as("it campaigned again and again").isGreaterThan(8);
            assertThat(fx.peer(1, 1).silenced()).isTrue();
        }
        assertThat(cluster.net().leaders()).doesNotContainKey(1L);
    }

    /** R3 (leader_keeper.rs): the most up-to-date candidate wins, and RecoverRegion answers once it applied. */
    @Test
    void R3_theMostUpToDateCandidateWinsAndAnswersOnceItAppliedItsLastIndex() throws Exception {
        start(new long[] {10, 12, 12}, new long[] {10, 10, 10});
        RecoverRegionResponse r = recover(2, 1, 2).get(10, TimeUnit.SECONDS);
        assertThat(r.getStoreId()).isEqualTo(2);
        assertThat(r.hasError()).isFalse();
        assertThat(cluster.net().leaders()).containsEntry(1L, 2L).containsEntry(2L, 2L);
        synchronized (cluster.net()) {
            Peer leader = fx.peer(2, 1);
            assertThat(leader.appliedIndex()).isEqualTo(leader.lastIndex()).isEqualTo(13); // + its empty entry
            assertThat(fx.peer(1, 1).lastIndex()).as("the follower took the leader's log").isEqualTo(13);
        }
    }

    /** R3 (leader_keeper.rs): a majority of the region's voters on absent stores: the election is never won. */
    @Test
    void R3_aMajorityOnStoppedStoresNeverElects() throws Exception {
        start(new long[] {12, 10, 10}, new long[] {10, 10, 10});
        cluster.store(2).stop();
        cluster.store(3).stop();
        CompletableFuture<RecoverRegionResponse> call = recover(1, 1);
        assertHangs(call, 1, "RecoverRegion");
        assertThat(cluster.net().leaders()).isEmpty();
    }

    /** R4 (leader_keeper.rs: RegionNotFound is retried forever): a region the store does not hold hangs, no error. */
    @Test
    void R4_recoverRegionNamingARegionTheStoreLacksHangs() throws Exception {
        start(new long[] {10, 10, 10}, new long[] {10, 10, 10});
        assertHangs(recover(1, 77), 1, "RecoverRegion");
    }

    /**
     * R5 (leader_keeper.rs: "delay(now + 10s)" after every step): even when the region already leads, RecoverRegion
     * takes one LeaderKeeper period; campaigning first takes two.
     */
    @Test
    void R5_recoverRegionTakesAtLeastOneLeaderKeeperPeriodOnTheScaledClock() throws Exception {
        start(new long[] {10, 10, 10}, new long[] {10, 10, 10});
        Duration period = cluster.store(1).clock().scale(RecoveryClock.LEADER_KEEPER_PERIOD);
        long t0 = System.nanoTime();
        recover(1, 1).get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(period.multipliedBy(2));
        t0 = System.nanoTime();
        recover(1, 1).get(10, TimeUnit.SECONDS); // leads already: one step, one period
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(period);
    }

    // ---- R6: services.rs abort_last_recover_region ------------------------------------------------------------

    /** R6 (services.rs replace_last_recover_region): a new RecoverRegion aborts an unfinished older one. */
    @Test
    void R6_aNewRecoverRegionAbortsAnUnfinishedOlderOne() throws Exception {
        start(new long[] {10, 12, 12}, new long[] {10, 10, 10});
        CompletableFuture<RecoverRegionResponse> older = recover(1, 1); // never wins
        // its upload read (the call runs from there): "RecoverRegion" is recorded as the stream opens, and a newer call
        // whose upload is read first would be the older one to TiKV
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.store(1).recoverCalls().size() == 1);
        CompletableFuture<RecoverRegionResponse> newer = recover(1, 2);
        assertThat(code(older)).isEqualTo(Status.Code.ABORTED);
        assertThat(newer.get(10, TimeUnit.SECONDS).getStoreId()).isEqualTo(1);
    }

    /** R6 (services.rs read_region_meta: "we abort last recover region here too"); metas do not abort metas. */
    @Test
    void R6_readRegionMetaAbortsAnUnfinishedRecoverRegionButNotAnotherReadRegionMeta() throws Exception {
        start(new long[] {10, 12, 12}, new long[] {10, 10, 10});
        CompletableFuture<RecoverRegionResponse> recovering = recover(1, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.store(1).calls().contains("RecoverRegion"));
        cluster.store(1).faults().slow(Duration.ofMillis(150));
        Iterator<RegionMeta> first = fx.blocking(1).readRegionMeta(ReadRegionMetaRequest.getDefaultInstance());
        assertThat(first.hasNext()).isTrue(); // the first stream is under way
        List<RegionMeta> second = new ArrayList<>();
        fx.blocking(1).readRegionMeta(ReadRegionMetaRequest.getDefaultInstance()).forEachRemaining(second::add);
        List<RegionMeta> rest = new ArrayList<>();
        first.forEachRemaining(rest::add);
        assertThat(rest).as("the older ReadRegionMeta finished").hasSize(2);
        assertThat(second).hasSize(2);
        assertThat(code(recovering)).isEqualTo(Status.Code.ABORTED);
    }

    // ---- R7, R9: services.rs unwrap, init_cluster.rs ----------------------------------------------------------

    /**
     * R7 (services.rs recover_region: {@code req.map_err(..).unwrap()}): a client that cancels its upload makes the
     * TiKV process panic; the mock takes the harsher reading (grpcio surfacing the cancel as an error is not pinned
     * upstream) and restarts the store.
     */
    @Test
    void R7_aCancelledRecoverRegionUploadRestartsTheStore() throws Exception {
        start(new long[] {10, 10, 10}, new long[] {10, 10, 10});
        long before = cluster.pd().startTimestamps().get(1L);
        CompletableFuture<RecoverRegionResponse> f = new CompletableFuture<>();
        StreamObserver<RecoverRegionRequest> in = RecoverDataGrpc.newStub(fx.channel(1)).recoverRegion(observer(f));
        in.onNext(RecoverRegionRequest.newBuilder().setRegionId(1).setAsLeader(true).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(1).calls().contains("RecoverRegion"));
        in.onError(Status.CANCELLED.withDescription("operator pressed Ctrl-C").asException());
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(1).reboots() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.pd().startTimestamps().get(1L) > before);
    }

    /** R9 (init_cluster.rs: no election by itself in recovery mode): a restart drops the store's forced leaders. */
    @Test
    void R9_aRestartDropsForcedLeadersAndChangesThePdStartTimestamp() throws Exception {
        start(new long[] {12, 10, 10}, new long[] {10, 10, 10});
        recover(1, 1).get(10, TimeUnit.SECONDS);
        assertThat(cluster.net().leaders()).containsEntry(1L, 1L);
        long before = cluster.pd().startTimestamps().get(1L);
        cluster.store(1).reboot();
        assertThat(cluster.net().leaders()).doesNotContainKey(1L);
        assertThat(cluster.pd().startTimestamps().get(1L)).isGreaterThan(before);
        synchronized (cluster.net()) {
            assertThat(fx.peer(1, 1).silenced()).isTrue();
        }
    }

    // ---- R8, R10: fsm/peer.rs on_snapshot_br_wait_apply, snapshot_backup.rs SyncerCore ---------------------------

    /** R8 (fsm/peer.rs): peers with applied == last, and followers that never voted, answer at once. */
    @Test
    void R8_waitApplyAnswersAtOnceWhenNoPeerMustWait() throws Exception {
        start(new long[] {10, 10, 10}, new long[] {10, 10, 10});
        synchronized (cluster.net()) {
            fx.peer(1, 2).writeAppliedIndex(8); // unapplied tail, but this follower never voted
        }
        WaitApplyResponse r = fx.blocking(1).waitApply(WaitApplyRequest.getDefaultInstance());
        assertThat(r.hasError()).isFalse();
    }

    /**
     * R8 (fsm/peer.rs: a follower that voted waits until applied ≥ its last index): a peer of a region with no leader
     * (stale, or its leader's store restarted) never applies, so WaitApply hangs.
     */
    @Test
    void R8_waitApplyHangsForAVotedFollowerWhoseRegionHasNoLeader() throws Exception {
        start(new long[] {10, 10, 10}, new long[] {10, 10, 10});
        synchronized (cluster.net()) {
            fx.peer(1, 2).writeAppliedIndex(8);
            fx.peer(1, 2).writeHardState(fx.peer(1, 2).hardStateTerm(), 22);
        }
        CompletableFuture<WaitApplyResponse> f = new CompletableFuture<>();
        RecoverDataGrpc.newStub(fx.channel(1)).waitApply(WaitApplyRequest.getDefaultInstance(), observer(f));
        assertHangs(f, 1, "WaitApply");
    }

    /**
     * R10 (fsm/peer.rs: "another recovery in progress" → AbortReason::Duplicated; snapshot_backup.rs: an abort sends
     * the report at once; services.rs wait_apply answers success on any report): a retried WaitApply, after the
     * client's first call broke off, answers success at once while the first still waits.
     */
    @Test
    void R10_retriedWaitApplyAnswersAtOnceWhileTheFirstIsPending() throws Exception {
        start(new long[] {10, 10, 10}, new long[] {10, 10, 10});
        synchronized (cluster.net()) {
            fx.peer(1, 2).writeAppliedIndex(8);
            fx.peer(1, 2).writeHardState(fx.peer(1, 2).hardStateTerm(), 22);
        }
        CompletableFuture<WaitApplyResponse> first = new CompletableFuture<>();
        RecoverDataGrpc.newStub(fx.channel(1)).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .waitApply(WaitApplyRequest.getDefaultInstance(), observer(first));
        assertThat(code(first)).as("the client gave up").isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        WaitApplyResponse retried = fx.blocking(1).waitApply(WaitApplyRequest.getDefaultInstance());
        assertThat(retried.hasError()).isFalse();
        synchronized (cluster.net()) {
            assertThat(fx.peer(1, 2).appliedIndex()).as("answered success, nothing applied").isEqualTo(8);
        }
        assertThat(cluster.net().waiting(1)).containsExactly(2L);
    }

    // ---- R11: data_resolver.rs --------------------------------------------------------------------------------

    /**
     * R11 (components/snap_recovery/src/data_resolver.rs): one message for every lock and one per scanned batch,
     * counts per message (not running totals), store_id on each, error never set; the stream closes after a
     * compaction (R5, services.rs compact).
     */
    @Test
    void R11_resolveSendsTheLockCountAndPerBatchCountsAndNeverAnError() throws Exception {
        start(new long[] {10, 10, 10}, new long[] {10, 10, 10});
        InMemoryStoreBackend b = (InMemoryStoreBackend) cluster.store(3).backend();
        for (int i = 0; i < 30; i++) {
            b.addKv(new InMemoryStoreBackend.Kv(b("k" + i), 100 + i, i % 10 == 0)); // 3 locks
        }
        long t0 = System.nanoTime();
        List<ResolveKvDataResponse> got = new ArrayList<>();
        fx.blocking(3).resolveKvData(ResolveKvDataRequest.newBuilder().setResolvedTs(119).build())
                .forEachRemaining(got::add);
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
                .isGreaterThanOrEqualTo(cluster.store(3).clock().scale(RecoveryClock.COMPACTION));
        // two racing workers (ScriptedConformanceTest pins the order): here the batch, then the locks
        assertThat(got).extracting(ResolveKvDataResponse::getResolvedKeyCount).containsExactly(9L, 3L);
        assertThat(got).allSatisfy(m -> {
            assertThat(m.getStoreId()).isEqualTo(3);
            assertThat(m.hasError()).isFalse();
        });
        assertThat(got.get(0).getCurrentCommitTs()).isEqualTo(129);
        assertThat(got.get(1).getCurrentCommitTs()).as("the lock message has no commit ts").isZero();
        assertThat(b.kvs()).hasSize(18).noneMatch(InMemoryStoreBackend.Kv::lock);
    }
}
