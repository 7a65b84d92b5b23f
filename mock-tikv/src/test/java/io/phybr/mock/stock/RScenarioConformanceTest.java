package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.BrBackupMeta;
import io.phybr.mock.model.Keys;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.RegionMeta;
import io.phybr.proto.recoverdata.ResolveKvDataRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviours the corpus scenarios of their own for R1, R4, R5, R12 and R15 (and the PD stale-leader keyword's)
 * stand on, pinned on each scenario's own cluster and citing the upstream file. The corpus tests run the adviser over
 * these scenarios; these tests make sure the mock under them is as harsh as TiKV and PD, and fail if it is made
 * friendlier again.
 */
class RScenarioConformanceTest {
    private static final Duration HANG = Duration.ofMillis(600);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StockClusterFixture fixture = new StockClusterFixture();
    private MockStockCluster cluster;
    private Backup backup;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() throws InterruptedException {
        fixture.close();
    }

    /** The scenario's history served by mock stock stores with its faults and its clock, as the corpus tests do. */
    private Scenario start(String name) throws Exception {
        Scenario s = ScenarioParser.parse(Path.of("scenarios", name + ".scn"));
        backup = s.run();
        cluster = fixture.start(MockStockCluster.forScenario(s, backup, backup.freshImages()));
        return s;
    }

    private ManagedChannel channel(long store) {
        return fixture.channel(store);
    }

    private List<RegionMeta> metas(long store) {
        List<RegionMeta> out = new ArrayList<>();
        RecoverDataGrpc.newBlockingStub(channel(store)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .readRegionMeta(ReadRegionMetaRequest.getDefaultInstance()).forEachRemaining(out::add);
        return out;
    }

    private CompletableFuture<RecoverRegionResponse> recover(long store, long... regions) {
        CompletableFuture<RecoverRegionResponse> f = new CompletableFuture<>();
        StreamObserver<RecoverRegionRequest> in = RecoverDataGrpc.newStub(channel(store))
                .withDeadlineAfter(20, TimeUnit.SECONDS).recoverRegion(Observers.lastOf(f));
        for (long r : regions) {
            in.onNext(RecoverRegionRequest.newBuilder().setRegionId(r).setAsLeader(true).build());
        }
        in.onCompleted();
        return f;
    }

    private String http(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + cluster.pdAddress() + path))
                .timeout(Duration.ofSeconds(5));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private static Status.Code code(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
            return Status.Code.OK;
        } catch (java.util.concurrent.ExecutionException e) {
            return Status.fromThrowable(e.getCause()).getCode();
        }
    }

    private static List<Long> ids(List<RegionMeta> metas) {
        return metas.stream().map(RegionMeta::getRegionId).toList();
    }

    /**
     * R1 (tikv components/snap_recovery/src/region_meta_collector.rs collect_report, to_region_meta): one meta per
     * local region whose RegionLocalState is not Tombstone, in ascending region id (the scan of the region-state keys),
     * {@code tombstone} false, {@code peer_id} the largest peer id of the region's epoch wherever that peer lives,
     * {@code commit_index} 0, raw keys. Regions were born in the order 1, 9, 5, 3; store 3 holds tombstones of 5 and 9.
     */
    @Test
    void R1_readRegionMetaReportsLiveRegionsAscendingWithTheLargestPeerIdAndNoCommitIndex() throws Exception {
        start("r1-region-meta-fields");
        assertThat(backup.images().get(3L).peer(9).tombstone()).as("store 3 applied its own removal").isTrue();
        assertThat(backup.images().get(3L).peer(5).tombstone()).as("region 5 merged into region 3").isTrue();
        assertThat(ids(metas(3))).containsExactly(1L, 3L);
        assertThat(ids(metas(4))).containsExactly(9L);
        List<RegionMeta> store1 = metas(1);
        assertThat(ids(store1)).containsExactly(1L, 3L, 9L);
        assertThat(store1).allSatisfy(m -> {
            assertThat(m.getTombstone()).isFalse();
            assertThat(m.getCommitIndex()).isZero();
        });
        long store4sPeer = backup.group(9).members().get(4L);
        RegionMeta r9 = store1.get(2);
        assertThat(r9.getPeerId()).as("store 4's peer: the largest of region 9").isEqualTo(store4sPeer)
                .isNotEqualTo(backup.images().get(1L).peer(9).peerId());
        RegionMeta r3 = store1.get(1);
        assertThat(r3.getStartKey().toByteArray()).as("raw, not memcomparable or 'z'-prefixed")
                .isEqualTo(Keys.parseHex("20"));
        assertThat(r3.getEndKey().toByteArray()).isEqualTo(Keys.parseHex("80"));
        assertThat(store1.get(0).getStartKey().isEmpty()).isTrue();
    }

    /**
     * R4 (tikv components/snap_recovery/src/leader_keeper.rs elect_and_wait_all_ready): RecoverRegion naming a region
     * the store lacks gets RegionNotFound on every step and loops every 10 s: it hangs, it never errs. Only a newer
     * call aborts it (R6, services.rs). Store 3's region 2 is a tombstone (merged into region 3 before the backup).
     */
    @Test
    void R4_recoverRegionForARegionTheStoreLacksHangs() throws Exception {
        start("r4-recover-region-for-a-region-the-store-lacks");
        assertThat(backup.images().get(3L).peer(2).tombstone()).isTrue();
        CompletableFuture<RecoverRegionResponse> f = recover(3, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(3).calls().contains("RecoverRegion"));
        await().pollDelay(HANG).atMost(HANG.plusSeconds(5)).until(() -> true);
        assertThat(f).as("no answer and no error after %s (60 scaled LeaderKeeper periods)", HANG).isNotDone();
        assertThat(ids(metas(3))).as("region 2 is no live region of store 3").containsExactly(1L, 3L);
        assertThat(code(f)).as("the ReadRegionMeta aborted it (R6)").isEqualTo(Status.Code.ABORTED);
    }

    /**
     * R4 for a region destroyed while RecoverRegion runs (tikv components/snap_recovery/src/leader_keeper.rs step:
     * check_leader, then force_leader, for every region not yet known to lead, every 10 s until one step finds them all
     * leading; raftstore fsm/peer.rs on_catch_up_logs_for_merge destroys the source when its target applies
     * CommitMerge): region 3's forced leader on store 3 commits the merge, which destroys region 2 on every store; a
     * RecoverRegion forcing region 2 then gets RegionNotFound on every step and never answers, never errs. PD drops
     * region 2 once region 3 heartbeats the merged range (tikv/pd pkg/core/region.go setRegionLocked): by id 404, by
     * key region 3 (server/api/region.go GetRegion).
     */
    @Test
    void R4_recoverRegionForAMergeSourceTheMergeDestroyedHangs() throws Exception {
        start("r4-merge-source-destroyed-during-recover-region");
        assertThat(recover(3, 3).get(10, TimeUnit.SECONDS).getStoreId()).as("region 3's call answers").isEqualTo(3);
        assertThat(ids(metas(1))).as("the merge destroyed region 2 on store 1").containsExactly(1L, 3L);
        assertThat(http("GET", "/pd/api/v1/region/id/2", null)).startsWith("404").contains("RegionNotFound");
        assertThat(http("GET", "/pd/api/v1/region/key/40?format=hex", null)).startsWith("200")
                .contains("\"id\":3").contains("\"start_key\":\"40\"").contains("\"end_key\":\"\"");
        CompletableFuture<RecoverRegionResponse> source = recover(2, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(2).calls().contains("RecoverRegion"));
        await().pollDelay(HANG).atMost(HANG.plusSeconds(5)).until(() -> true);
        assertThat(source).as("no answer and no error after %s (60 scaled LeaderKeeper periods)", HANG).isNotDone();
        metas(2);
        assertThat(code(source)).as("the ReadRegionMeta aborted it (R6)").isEqualTo(Status.Code.ABORTED);
    }

    /**
     * R4, the same merge after region 2's forced leader had won (leader_keeper.rs: a region leaves the to-check set
     * only in a step whose check_leader succeeds, so one that won its campaign is checked again a period later — by
     * then the merge destroyed it). On a clock 10 times faster than TiKV (a 1 s period) so that region 3's call, sent
     * once region 2 leads, merges well before store 2's second step: store 2's call hangs although region 2 had won.
     */
    @Test
    void R4_aMergeSourceThatHadWonStillHangsItsRecoverRegion() throws Exception {
        Scenario s = ScenarioParser.parse(Path.of("scenarios", "r4-merge-source-destroyed-during-recover-region.scn"));
        backup = s.run();
        cluster = fixture.start(MockStockCluster.forScenario(s, backup, backup.freshImages())
                .clock(RecoveryClock.scaled(10)));
        CompletableFuture<RecoverRegionResponse> source = recover(2, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(2).equals(cluster.net().leaders().get(2L)));
        CompletableFuture<RecoverRegionResponse> target = recover(3, 3);
        assertThat(target.get(10, TimeUnit.SECONDS).getStoreId()).as("region 3's call answers (two 1 s steps)").isEqualTo(3);
        assertThat(source).as("region 2 had won, its next step found no region 2").isNotDone();
        assertThat(cluster.net().leads(2, 2)).as("check_leader on a destroyed region: RegionNotFound").isFalse();
        metas(2);
        assertThat(code(source)).as("the ReadRegionMeta aborted it (R6)").isEqualTo(Status.Code.ABORTED);
    }

    /**
     * R5 (leader_keeper.rs: "delay(now + 10s)" after every step; services.rs resolve_kv_data compacts every column
     * family before the stream closes) on the scenario's own clock, 100 times faster than TiKV: a RecoverRegion that
     * must campaign takes two LeaderKeeper periods, one for a region that already leads, and ResolveKvData closes only
     * after the compaction.
     */
    @Test
    void R5_recoverRegionAndResolveKvDataTakeTikvsPeriodsOnTheScenariosClock() throws Exception {
        Scenario s = start("r5-recovery-at-a-tenth-of-tikvs-pace");
        assertThat(s.tikvSpeedup()).isEqualTo(100.0);
        RecoveryClock clock = cluster.store(2).clock();
        Duration period = clock.scale(RecoveryClock.LEADER_KEEPER_PERIOD);
        assertThat(period).isEqualTo(Duration.ofMillis(100));
        long t0 = System.nanoTime();
        recover(2, 3).get(10, TimeUnit.SECONDS); // campaigns first: nobody leads after the restore
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(period.multipliedBy(2));
        t0 = System.nanoTime();
        recover(2, 3).get(10, TimeUnit.SECONDS); // leads already: one step, one period
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(period);
        t0 = System.nanoTime();
        RecoverDataGrpc.newBlockingStub(channel(2)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .resolveKvData(ResolveKvDataRequest.newBuilder().setResolvedTs(backup.resolvedTs()).build())
                .forEachRemaining(m -> { });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(clock.scale(RecoveryClock.COMPACTION));
    }

    /**
     * R12 (tikv/pd pkg/schedule/schedulers/scheduler_controller.go PauseOrResumeScheduler: one delay per scheduler,
     * {@code delay 0} resumes; server/api/scheduler.go): the operator's own pause is PD state from the start, and a
     * client that "resumes what it paused" by name ends the operator's pause too.
     */
    @Test
    void R12_theOperatorsPauseIsPdsOnlyPauseAndAResumeEndsIt() throws Exception {
        start("r12-operator-paused-scheduler");
        assertThat(cluster.pd().state().paused()).containsExactly("balance-region-scheduler");
        assertThat(http("GET", "/pd/api/v1/schedulers?status=paused", null)).startsWith("200")
                .contains("balance-region-scheduler").doesNotContain("balance-leader-scheduler");
        assertThat(http("POST", "/pd/api/v1/schedulers/balance-region-scheduler", "{\"delay\":0}")).startsWith("200");
        assertThat(cluster.pd().state().paused()).as("the operator's hour is gone").isEmpty();
    }

    /**
     * R12, what a killed BR leaves (tidb br/pkg/pdutil/pd.go: doPauseSchedulers {"delay":300}, doPauseConfigs
     * {@code expectPDCfg} with {@code ?ttlSecond}; tikv/pd server/api/config.go: a plain write over a live TTL item is
     * refused, {@code GET /config/schedule} shows the persisted values): PD starts with BR's schedulers paused and its
     * TTL items live over the operator's persisted values, which a plain write cannot touch until the TTL is deleted.
     */
    @Test
    void R12_aKilledBrLeavesItsPausesAndTtlItemsLiveOverTheOperatorsValues() throws Exception {
        start("r12-killed-run-left-pd-paused");
        PdState pd = cluster.pd().state();
        assertThat(pd.paused()).contains("balance-leader-scheduler", "balance-region-scheduler",
                "balance-hot-region-scheduler");
        assertThat(pd.ttlConfig()).containsEntry("schedule.max-merge-region-size", "0")
                .containsEntry("schedule.enable-location-replacement", "false")
                .containsEntry("schedule.leader-schedule-limit", "18"); // the operator's 6 times 3 stores (at most 40)
        assertThat(cluster.pd().effectiveConfig("max-merge-region-size")).isEqualTo("0");
        assertThat(http("GET", "/pd/api/v1/config/schedule", null)).startsWith("200")
                .contains("\"max-merge-region-size\":20").contains("\"leader-schedule-limit\":6");
        assertThat(http("POST", "/pd/api/v1/config", "{\"max-merge-region-size\":20}")).startsWith("400")
                .contains("need to clean up TTL first");
        assertThat(http("POST", "/pd/api/v1/config?ttlSecond=0", "{\"schedule.max-merge-region-size\":20}"))
                .startsWith("200");
        assertThat(http("POST", "/pd/api/v1/config", "{\"max-merge-region-size\":20}")).startsWith("200");
        assertThat(cluster.pd().effectiveConfig("max-merge-region-size")).isEqualTo("20");
    }

    /**
     * R15 (tidb br/pkg/config/ebs.go VolSnapBackupMeta, checkEBSBRMeta): the meta the scenario hands the adviser has
     * BR's fields only — {@code cluster_info.resolved_ts} (non-zero), a semver {@code cluster_version}, {@code tikv.stores}
     * with volumes (non-empty) — and no top-level {@code resolved_ts}; TiFlash, which the mock PD lists, is not in it.
     */
    @Test
    void R15_theScenariosBackupMetaIsBrsEbsFormatListingOnlyTheTikvStores() throws Exception {
        Scenario s = start("r15-br-backup-meta");
        assertThat(s.brBackupMeta()).isTrue();
        JsonNode meta = JSON.readTree(BrBackupMeta.json(backup));
        List<String> top = new ArrayList<>();
        meta.fieldNames().forEachRemaining(top::add);
        assertThat(top).containsExactlyInAnyOrder("cluster_info", "tikv", "tidb", "pd", "kubernetes", "options",
                "region");
        List<String> info = new ArrayList<>();
        meta.get("cluster_info").fieldNames().forEachRemaining(info::add);
        assertThat(info).containsExactlyInAnyOrder("cluster_version", "full_backup_type", "resolved_ts", "replicas");
        assertThat(meta.get("cluster_info").get("resolved_ts").asLong()).isEqualTo(backup.resolvedTs()).isPositive();
        assertThat(meta.get("cluster_info").get("cluster_version").asText()).matches("v?\\d+\\.\\d+\\.\\d+");
        List<Long> stores = new ArrayList<>();
        meta.get("tikv").get("stores").forEach(st -> {
            stores.add(st.get("store_id").asLong());
            assertThat(st.get("volumes")).isNotEmpty().allSatisfy(v -> assertThat(v.get("volume_id").asText()).isNotEmpty());
        });
        assertThat(stores).containsExactly(1L, 2L, 3L);
        assertThat(meta.get("tikv").get("replicas").asInt()).isEqualTo(3);
        assertThat(http("GET", "/pd/api/v1/stores", null)).as("PD lists TiFlash, the meta does not")
                .contains("tiflash");
    }

    /**
     * PD's leaders come from heartbeats only (tikv/pd server/api/region.go serves the last one heard) and a stale one
     * stays while nobody else reports: in pd-stale-leader-of-an-unwinnable-region PD names store 1 as region 2's leader
     * although store 1's campaigns can never win (R3: one live voter of three), so its RecoverRegion hangs.
     */
    @Test
    void R3_pdKeepsNamingAStaleLeaderWhoseRecoverRegionNeverWins() throws Exception {
        start("pd-stale-leader-of-an-unwinnable-region");
        CompletableFuture<RecoverRegionResponse> f = recover(1, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(1).calls().contains("RecoverRegion"));
        await().pollDelay(HANG).atMost(HANG.plusSeconds(5)).until(() -> true);
        assertThat(f).as("store 1 never wins region 2").isNotDone();
        assertThat(cluster.net().leaders()).doesNotContainKey(2L);
        assertThat(http("GET", "/pd/api/v1/region/id/2", null)).startsWith("200")
                .contains("\"store_id\":1");
    }
}
