package io.phybr.mock.stock;

import static io.phybr.mock.stock.StockClusterFixture.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.fault.Fault;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.ResolveKvDataRequest;
import io.phybr.proto.recoverdata.ResolveKvDataResponse;
import io.phybr.proto.recoverdata.WaitApplyRequest;
import io.phybr.proto.recoverdata.WaitApplyResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviours a scenario scripts with its PD and store keywords ({@code fault pd unmarked|register|stale-leader|
 * restart}, {@code fault store S isolated-until-wait-apply}) and ResolveKvData's message order, each pinned to TiKV or
 * PD, named after its R and citing the upstream file. Like {@link StockConformanceTest}, these must fail if the mock
 * is made friendlier again. Time runs 1000 times faster than TiKV's.
 */
class ScriptedConformanceTest {
    private static final Duration HANG = Duration.ofMillis(600);

    private final StockClusterFixture fx = new StockClusterFixture();
    private MockStockCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() throws InterruptedException {
        fx.close();
    }

    /** One region [-, +inf) on stores 1..3: store s has hard-state term {@code term[s-1]}, last and applied index. */
    private MockStockCluster start(long[] term, long[] last, long[] applied, Fault... faults) throws Exception {
        List<StockReplica> layout = new ArrayList<>();
        for (int s = 1; s <= 3; s++) {
            layout.add(StockClusterFixture.replica(s, 1).term(term[s - 1]).last(last[s - 1]).applied(applied[s - 1])
                    .range("", "").build());
        }
        cluster = fx.startLayout(layout, faults);
        return cluster;
    }

    private MockStockCluster healthy(Fault... faults) throws Exception {
        return start(new long[] {6, 6, 6}, new long[] {8, 8, 8}, new long[] {8, 8, 8}, faults);
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + cluster.pdAddress() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<? super T> f) {
        return Observers.lastOf(f);
    }

    private RecoverRegionResponse recover(long store, long region) throws Exception {
        CompletableFuture<RecoverRegionResponse> f = new CompletableFuture<>();
        StreamObserver<RecoverRegionRequest> in = RecoverDataGrpc.newStub(fx.channel(store))
                .withDeadlineAfter(20, TimeUnit.SECONDS).recoverRegion(observer(f));
        in.onNext(RecoverRegionRequest.newBuilder().setRegionId(region).setAsLeader(true).build());
        in.onCompleted();
        return f.get(20, TimeUnit.SECONDS);
    }

    // ---- R0: components/server/src/server.rs, snap_recovery/src/init_cluster.rs --------------------------------

    /**
     * R0 (tikv components/server/src/server.rs: "the present tikv in recovery mode, start recovery service" — the
     * RecoverData service is registered only when the TiKV booted in snapshot-recovery mode, which it learns from PD's
     * marker, init_cluster.rs): without the marker every call answers UNIMPLEMENTED; a store that restarts after PD
     * was marked serves.
     */
    @Test
    void R0_storesThatBootedWithoutTheMarkerAnswerUnimplementedUntilARestartAfterMarking() throws Exception {
        healthy(new Fault.Unmarked());
        assertThat(get("/pd/api/v1/admin/cluster/markers/snapshot-recovering")).contains("false");
        assertThatThrownBy(() -> fx.blocking(1).readRegionMeta(ReadRegionMetaRequest.getDefaultInstance()).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThatThrownBy(() -> fx.blocking(2).waitApply(WaitApplyRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThat(cluster.store(1).recoveryMode()).isFalse();

        cluster.pd().setMarked(true);
        assertThat(cluster.store(1).calls()).as("a marker set after boot changes nothing").isEmpty();
        cluster.store(1).reboot();
        fx.reconnect(1); // the old connection got GOAWAY
        assertThat(cluster.store(1).recoveryMode()).isTrue();
        assertThat(fx.blocking(1).readRegionMeta(ReadRegionMetaRequest.getDefaultInstance()).hasNext()).isTrue();
    }

    // ---- R8: tikv#16307, fsm/peer.rs on_snapshot_br_wait_apply + peer.rs snapshot_recovery_maybe_finish_wait_apply --

    /**
     * R8, tikv#16307 (fsm/peer.rs on_snapshot_br_wait_apply: {@code target_index = raft_log.last_index()} when the
     * request arrives; peer.rs snapshot_recovery_maybe_finish_wait_apply: done only when applied ≥ target): store 1,
     * the cut-off old leader, holds an uncommitted term-5 tail to index 10; the new leader (store 2, term 6, last 8) wins
     * with store 3's vote. Store 1 is isolated until its WaitApply arrives ("a peer is isolated with others and we send
     * a wait apply request to it eventually before the new leader truncate its log"), so the wait targets 10; then the
     * leader truncates store 1's tail to its own log (last 9) and nothing more is ever written in recovery mode: the
     * wait never finishes. Without the isolation the truncation comes first and the same WaitApply answers at once.
     */
    @Test
    void R8_tikv16307_aWaitTakenBeforeTheNewLeaderTruncatesAnOldTermTailNeverFinishes() throws Exception {
        start(new long[] {5, 6, 6}, new long[] {10, 8, 8}, new long[] {6, 8, 8},
                new Fault.IsolatedUntilWaitApply(1));
        synchronized (cluster.net()) {
            fx.peer(1, 1).writeHardState(fx.peer(1, 1).hardStateTerm(), 11); // the old leader voted for itself
        }
        assertThat(recover(2, 1).getStoreId()).as("store 2 wins with store 3's vote").isEqualTo(2);
        synchronized (cluster.net()) {
            assertThat(fx.peer(1, 1).lastIndex()).as("isolated: the tail is still there").isEqualTo(10);
        }
        CompletableFuture<WaitApplyResponse> f = new CompletableFuture<>();
        RecoverDataGrpc.newStub(fx.channel(1)).waitApply(WaitApplyRequest.getDefaultInstance(), observer(f));
        await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.net().isolated(1));
        await().pollDelay(HANG).atMost(HANG.plusSeconds(5)).until(() -> true);
        assertThat(f).as("WaitApply on store 1 hangs").isNotDone();
        synchronized (cluster.net()) {
            assertThat(fx.peer(1, 1).lastIndex()).as("truncated to the new leader's log").isEqualTo(9);
            assertThat(fx.peer(1, 1).appliedIndex()).as("applied everything it holds, below the target 10").isEqualTo(9);
        }
        assertThat(cluster.net().waiting(1)).containsExactly(1L);
    }

    @Test
    void R8_tikv16307_theSameTailTruncatedBeforeTheWaitArrivesDoesNotHang() throws Exception {
        start(new long[] {5, 6, 6}, new long[] {10, 8, 8}, new long[] {6, 8, 8});
        synchronized (cluster.net()) {
            fx.peer(1, 1).writeHardState(fx.peer(1, 1).hardStateTerm(), 11);
        }
        recover(2, 1);
        assertThat(fx.blocking(1).waitApply(WaitApplyRequest.getDefaultInstance()).hasError()).isFalse();
    }

    // ---- R3, tikv#15296: raftstore peer.rs "drop request vote for one election timeout after node start" ----------

    /**
     * R3, tikv#15296 (components/raftstore/src/store/peer.rs drops vote messages while fsm/store.rs
     * maybe_in_unsafe_vote_period; snap_recovery/src/init_cluster.rs sets allow_unsafe_vote_after_start only since
     * tikv#15297): while stores 2 and 3 drop votes, store 1's forced leader cannot win; LeaderKeeper campaigns again
     * every period and wins once the period after their start is over. The dropped requests never reached Raft: the
     * voters saw only the winning term.
     */
    @Test
    void R3_tikv15296_votesDroppedAfterStartDelayTheForcedLeaderUntilThePeriodEnds() throws Exception {
        Duration period = Duration.ofSeconds(600); // 60 LeaderKeeper periods
        long t0 = System.nanoTime();
        healthy(new Fault.RefusesVotesAfterStart(2, period), new Fault.RefusesVotesAfterStart(3, period));
        assertThat(recover(1, 1).getStoreId()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(cluster.store(1).clock().scale(period));
        synchronized (cluster.net()) {
            assertThat(fx.peer(1, 1).hardStateTerm()).as("several campaigns").isGreaterThan(7);
            assertThat(fx.peer(2, 1).hardStateTerm()).as("only the winning one was seen").isEqualTo(fx.peer(1, 1).hardStateTerm());
        }
    }

    /** tikv#15296 as released: the period is one election timeout, infinite in recovery mode — no leader, ever. */
    @Test
    void R3_tikv15296_aPracticallyInfinitePeriodMeansRecoverRegionNeverAnswers() throws Exception {
        Duration forever = Duration.ofDays(365);
        healthy(new Fault.RefusesVotesAfterStart(2, forever), new Fault.RefusesVotesAfterStart(3, forever));
        CompletableFuture<RecoverRegionResponse> f = new CompletableFuture<>();
        StreamObserver<RecoverRegionRequest> in = RecoverDataGrpc.newStub(fx.channel(1))
                .withDeadlineAfter(20, TimeUnit.SECONDS).recoverRegion(observer(f));
        in.onNext(RecoverRegionRequest.newBuilder().setRegionId(1).setAsLeader(true).build());
        in.onCompleted();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(1).calls().contains("RecoverRegion"));
        await().pollDelay(HANG).atMost(HANG.plusSeconds(5)).until(() -> true);
        assertThat(f).isNotDone();
        synchronized (cluster.net()) {
            assertThat(fx.peer(2, 1).hardStateTerm()).as("no vote request reached Raft").isEqualTo(6);
        }
    }

    // ---- R6, tidb-operator#5297: services.rs abort_last_recover_region ------------------------------------------

    /**
     * R6, tidb-operator#5297 (tikv components/snap_recovery/src/services.rs: read_region_meta and recover_region abort
     * the last RecoverRegion): a killed client's RecoverRegion on store 3 keeps forcing store 3's shorter replica —
     * every LeaderKeeper period a lost campaign raises the region's hard-state terms — until this run's ReadRegionMeta
     * on store 3 aborts it; then the terms stand still.
     */
    @Test
    void R6_tidbOperator5297_anEarlierRunsRecoverRegionCampaignsUntilAReadRegionMetaAbortsIt() throws Exception {
        start(new long[] {6, 6, 6}, new long[] {8, 8, 6}, new long[] {8, 8, 6}, new Fault.EarlierRecoverRegion(3, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            synchronized (cluster.net()) {
                return fx.peer(1, 1).hardStateTerm() > 8;
            }
        });
        fx.blocking(3).readRegionMeta(ReadRegionMetaRequest.getDefaultInstance()).forEachRemaining(m -> { });
        long term;
        synchronized (cluster.net()) {
            term = fx.peer(3, 1).hardStateTerm();
        }
        await().pollDelay(HANG).atMost(HANG.plusSeconds(5)).until(() -> true);
        synchronized (cluster.net()) {
            assertThat(fx.peer(3, 1).hardStateTerm()).as("no campaign after the abort").isEqualTo(term);
        }
        assertThat(cluster.net().leaders()).isEmpty();
    }

    // ---- R11: data_resolver.rs DataResolverManager::start ------------------------------------------------------

    /**
     * R11 (tikv components/snap_recovery/src/data_resolver.rs: {@code start()} spawns {@code cleanup_lock} and
     * {@code resolve_write} on two threads sending into one channel, services.rs drains it into the stream): the lock
     * message is not ordered before the write batches. Across the cluster it comes last on stores 1 and 3 and first
     * on store 2; its commit ts is 0, a batch's is the batch's largest.
     */
    @Test
    void R11_theLockMessageRacesTheWriteBatchesAndIsNotAlwaysFirst() throws Exception {
        healthy();
        Map<Long, List<ResolveKvDataResponse>> got = new TreeMap<>();
        for (long s = 1; s <= 3; s++) {
            InMemoryStoreBackend backend = (InMemoryStoreBackend) cluster.store(s).backend();
            for (int i = 0; i < 20; i++) {
                backend.addKv(new InMemoryStoreBackend.Kv(b("k" + i), 100 + i, i % 5 == 0)); // 4 locks
            }
            List<ResolveKvDataResponse> msgs = new ArrayList<>();
            fx.blocking(s).resolveKvData(ResolveKvDataRequest.newBuilder().setResolvedTs(109).build())
                    .forEachRemaining(msgs::add);
            got.put(s, msgs);
        }
        for (List<ResolveKvDataResponse> msgs : got.values()) {
            assertThat(msgs).extracting(ResolveKvDataResponse::getResolvedKeyCount).containsExactlyInAnyOrder(4L, 8L);
            assertThat(msgs).filteredOn(m -> m.getCurrentCommitTs() == 0).extracting(ResolveKvDataResponse::getResolvedKeyCount)
                    .containsExactly(4L);
        }
        assertThat(got.get(1L).get(0).getCurrentCommitTs()).as("store 1: a write batch first").isEqualTo(119);
        assertThat(got.get(2L).get(0).getCurrentCommitTs()).as("store 2: the locks first").isZero();
        assertThat(got.get(3L).get(1).getCurrentCommitTs()).as("store 3: the locks last").isZero();
    }

    // ---- R14, R9, leaders: tikv/pd server/api/store.go, region.go ---------------------------------------------

    /**
     * R14 (tidb-operator#5242; tikv/pd server/api/store.go lists only registered stores): a store scripted to register
     * after two listings is missing from the first two answers of {@code GET /pd/api/v1/stores} and present after.
     */
    @Test
    void R14_aLateStoreIsListedOnlyAfterTheListingsItWasScriptedToMiss() throws Exception {
        healthy(new Fault.RegisterLate(3, 2));
        assertThat(get("/pd/api/v1/stores")).contains("\"count\":2").doesNotContain("\"id\":3");
        assertThat(cluster.pd().pendingStores()).containsExactly(3L);
        assertThat(get("/pd/api/v1/stores")).contains("\"count\":2");
        assertThat(get("/pd/api/v1/stores")).contains("\"count\":3").contains("\"id\":3");
        assertThat(cluster.pd().pendingStores()).isEmpty();
    }

    /**
     * R9 (tikv/pd server/api/store.go: start_timestamp; SPEC R9): a store scripted to restart at PD's first listing
     * reboots right after that answer — its forced leaders are gone — and PD lists it again with a newer start
     * timestamp.
     */
    @Test
    void R9_aStoreRestartsRightAfterTheListingItIsScriptedAt() throws Exception {
        healthy(new Fault.RestartAtListing(2, 2));
        recover(2, 1);
        assertThat(cluster.net().leaders()).containsEntry(1L, 2L);
        long before = cluster.pd().startTimestamps().get(2L);
        get("/pd/api/v1/stores");
        assertThat(cluster.store(2).reboots()).as("not at the first listing").isZero();
        get("/pd/api/v1/stores");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(2).reboots() == 1 && cluster.store(2).running());
        assertThat(cluster.pd().startTimestamps().get(2L)).isGreaterThan(before);
        assertThat(cluster.net().leaders()).as("the restart lost the forced leader").doesNotContainKey(1L);
    }

    /**
     * PD learns leaders only from heartbeats and keeps a stale one until another leader reports (tikv/pd
     * server/api/region.go serves what the last heartbeat said): a scripted stale leader is served before any election.
     */
    @Test
    void aStaleLeaderIsServedByPdBeforeAnyElection() throws Exception {
        healthy(new Fault.StaleLeader(1, 3));
        assertThat(cluster.net().leaders()).isEmpty();
        assertThat(get("/pd/api/v1/region/id/1")).startsWith("200").contains("\"leader\":{\"id\":13,\"store_id\":3");
    }
}
