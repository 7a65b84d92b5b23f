package io.phybr.mock.pd;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.fault.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Conformance of the mock PD to tikv/pd (SPEC §3.1 R0, R9, R12–R14). Each test cites the upstream file whose
 * behaviour it pins; a test here must fail if the mock is made friendlier again.
 */
class MockPdTest {
    private static final String MARKER = "/pd/api/v1/admin/cluster/markers/snapshot-recovering";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-26T12:00:00Z"));
    private MockPd pd;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        pd = MockPd.builder().clock(clock)
                .stores(List.of(MockPd.Store.tikv(1, "127.0.0.1:20160"), MockPd.Store.tiflash(9, "127.0.0.1:3930")))
                .start();
    }

    @AfterEach
    void stop() {
        pd.close();
        assertThat(MockPd.live()).as("mock PDs left running").isZero();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + pd.address() + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(String method, String path, String body) throws Exception {
        return call(method, path, body).statusCode();
    }

    @Test
    void R0_listsStoresWithTheTiflashLabelAndStartTimestamps() throws Exception {
        // tikv/pd server/api/store.go: {"count","stores":[{"store":{id,address,labels,state_name,start_timestamp},"status"}]}
        HttpResponse<String> r = call("GET", "/pd/api/v1/stores", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"count\":2").contains("\"id\":1").contains("\"address\":\"127.0.0.1:20160\"")
                .contains("{\"key\":\"engine\",\"value\":\"tiflash\"}").contains("\"state_name\":\"Up\"")
                .contains("\"start_timestamp\":" + clock.instant().getEpochSecond());
        assertThat(call("GET", "/pd/api/v1/store/1", null).body()).contains("\"start_ts\":\"2026-11-26T12:00:00Z\"");
        assertThat(status("GET", "/pd/api/v1/store/7", null)).isEqualTo(404);
    }

    @Test
    void R0_markerPostGetDeleteIsIdempotent() throws Exception {
        // tikv/pd server/api/admin.go: markSnapshotRecovering answers 200 even if already marked
        assertThat(call("GET", MARKER, null).body()).isEqualTo("{\"marked\":false}");
        assertThat(status("POST", MARKER, null)).isEqualTo(200);
        assertThat(status("POST", MARKER, null)).isEqualTo(200);
        assertThat(call("GET", MARKER, null).body()).isEqualTo("{\"marked\":true}");
        assertThat(status("DELETE", MARKER, null)).isEqualTo(200);
        assertThat(status("DELETE", MARKER, null)).isEqualTo(200);
        assertThat(pd.state().snapshotRecovering()).isFalse();
    }

    @Test
    void R13_baseAllocIdChecksTheIdThenTheMarkerThenTheLeaderAndSets() throws Exception {
        // tikv/pd server/api/admin.go recoverAllocID: 400 non-string/empty/unparsable, then 403 unless marked,
        // then 503 without a leader; pkg/id/id.go: it sets the allocator's base, so it can move it down.
        assertThat(status("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":5000}")).isEqualTo(400);
        assertThat(status("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"\"}")).isEqualTo(400);
        assertThat(status("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"x\"}")).isEqualTo(400);
        assertThat(status("POST", "/pd/api/v1/admin/base-alloc-id", "{}")).isEqualTo(400);
        assertThat(call("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"5000\"}").body())
                .isEqualTo("can only recover alloc id when recovering mark marked");
        pd.setMarked(true);
        pd.setHasLeader(false);
        assertThat(status("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"5000\"}")).isEqualTo(503);
        pd.setHasLeader(true);
        assertThat(status("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"5000\"}")).isEqualTo(200);
        assertThat(pd.state().baseAllocId()).isEqualTo(5000);
        assertThat(status("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"7\"}")).isEqualTo(200);
        assertThat(pd.state().baseAllocId()).as("it sets, it does not raise").isEqualTo(7);
    }

    @Test
    void R12_deletingASchedulerLosesItsSettings() throws Exception {
        // tikv/pd pkg/schedule/schedulers/scheduler_controller.go RemoveScheduler: conf.RemoveSchedulerCfg and
        // storage.RemoveSchedulerConfig — re-adding it by name (server/api/scheduler.go CreateScheduler) gets defaults.
        assertThat(status("POST", "/pd/api/v1/scheduler-config/balance-leader-scheduler/config", "{\"batch\":8}")).isEqualTo(200);
        PdState tuned = pd.state();
        assertThat(tuned.schedulers()).containsEntry("balance-leader-scheduler", "{\"batch\":8}");
        assertThat(status("DELETE", "/pd/api/v1/schedulers/balance-leader-scheduler", null)).isEqualTo(200);
        assertThat(status("DELETE", "/pd/api/v1/schedulers/balance-leader-scheduler", null)).isEqualTo(404);
        assertThat(call("GET", "/pd/api/v1/schedulers", null).body()).doesNotContain("balance-leader-scheduler");
        assertThat(status("POST", "/pd/api/v1/schedulers", "{\"name\":\"balance-leader-scheduler\"}")).isEqualTo(200);
        assertThat(status("POST", "/pd/api/v1/schedulers", "{\"name\":\"balance-leader-scheduler\"}")).isEqualTo(500);
        assertThat(call("GET", "/pd/api/v1/scheduler-config/balance-leader-scheduler/list", null).body()).isEqualTo("{\"batch\":4}");
        assertThat(pd.state().diff(tuned)).containsExactly("scheduler balance-leader-scheduler: {\"batch\":8} -> {\"batch\":4}");
    }

    @Test
    void R12_aPausedSchedulerKeepsItsSettingsAndResumesWhenTheDelayRunsOut() throws Exception {
        // tikv/pd server/api/scheduler.go PauseOrResumeScheduler ("missing pause time" 400, any error 500);
        // scheduler_controller.go PauseOrResumeScheduler: delayUntil = now + delay, 0 resumes.
        assertThat(status("POST", "/pd/api/v1/schedulers/balance-region-scheduler", "{}")).isEqualTo(400);
        assertThat(call("POST", "/pd/api/v1/schedulers/balance-region-scheduler", "{}").body()).isEqualTo("\"missing pause time\"");
        assertThat(status("POST", "/pd/api/v1/schedulers/no-such-scheduler", "{\"delay\":300}")).isEqualTo(500);
        assertThat(status("POST", "/pd/api/v1/schedulers/balance-region-scheduler", "{\"delay\":300}")).isEqualTo(200);
        assertThat(call("GET", "/pd/api/v1/schedulers?status=paused", null).body()).isEqualTo("[\"balance-region-scheduler\"]");
        assertThat(call("GET", "/pd/api/v1/schedulers", null).body()).contains("balance-region-scheduler");
        clock.advance(Duration.ofSeconds(299));
        assertThat(pd.state().paused()).containsExactly("balance-region-scheduler");
        clock.advance(Duration.ofSeconds(1));
        assertThat(pd.state().paused()).as("a killed client leaves it paused for at most the delay").isEmpty();
        assertThat(status("POST", "/pd/api/v1/schedulers/all", "{\"delay\":60}")).isEqualTo(200);
        assertThat(pd.state().paused()).hasSize(4);
        assertThat(status("POST", "/pd/api/v1/schedulers/all", "{\"delay\":0}")).isEqualTo(200);
        assertThat(pd.state().paused()).isEmpty();
    }

    @Test
    void R12_ttlConfigOverridesUntilItExpiresAndBlocksAPlainWrite() throws Exception {
        // tikv/pd server/api/config.go SetConfig (?ttlSecond) and updateConfig ("need to clean up TTL first for %s");
        // server/server.go SaveTTLConfig; server/config/persist_options.go supportedTTLConfigs (schedule.-prefixed).
        assertThat(status("POST", "/pd/api/v1/config?ttlSecond=300",
                "{\"schedule.leader-schedule-limit\":0,\"schedule.enable-tikv-split-region\":\"false\"}")).isEqualTo(200);
        assertThat(pd.effectiveConfig("leader-schedule-limit")).isEqualTo("0");
        assertThat(pd.effectiveConfig("enable-tikv-split-region")).isEqualTo("false");
        assertThat(call("GET", "/pd/api/v1/config", null).body()).as("GET shows the persisted value")
                .contains("\"leader-schedule-limit\":4");
        HttpResponse<String> plain = call("POST", "/pd/api/v1/config", "{\"leader-schedule-limit\":4}");
        assertThat(plain.statusCode()).isEqualTo(400);
        assertThat(plain.body()).contains("need to clean up TTL first for schedule.leader-schedule-limit");
        assertThat(status("POST", "/pd/api/v1/config?ttlSecond=300", "{\"leader-schedule-limit\":0}"))
                .as("TTL items need the schedule. prefix").isEqualTo(400);
        assertThat(status("POST", "/pd/api/v1/config?ttlSecond=x", "{\"schedule.leader-schedule-limit\":0}")).isEqualTo(400);
        clock.advance(Duration.ofSeconds(300));
        assertThat(pd.effectiveConfig("leader-schedule-limit")).as("expired").isEqualTo("4");
        assertThat(pd.state().ttlConfig()).isEmpty();
        assertThat(status("POST", "/pd/api/v1/config", "{\"leader-schedule-limit\":4}")).isEqualTo(200);
    }

    @Test
    void R12_ttlSecondZeroDeletesTheTtlItems() throws Exception {
        // tikv/pd server/api/config.go: ttlSecond=0 answers "The ttl config is deleted." (BR restores this way)
        status("POST", "/pd/api/v1/config?ttlSecond=300", "{\"schedule.max-merge-region-size\":0}");
        HttpResponse<String> r = call("POST", "/pd/api/v1/config?ttlSecond=0", "{\"schedule.max-merge-region-size\":20}");
        assertThat(r.body()).isEqualTo("\"The ttl config is deleted.\"");
        assertThat(pd.state().ttlConfig()).isEmpty();
        assertThat(pd.effectiveConfig("max-merge-region-size")).isEqualTo("20");
    }

    @Test
    void R12_configItemsApplyOneByOneAndABadItemLeavesTheEarlierApplied() throws Exception {
        // tikv/pd server/api/config.go SetConfig: returns 400 at the first bad item, the loop having applied the others
        HttpResponse<String> r = call("POST", "/pd/api/v1/config",
                "{\"leader-schedule-limit\":0,\"no-such-item\":1,\"region-schedule-limit\":0}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("config item no-such-item not found");
        assertThat(pd.state().scheduleConfig()).containsEntry("leader-schedule-limit", "0")
                .containsEntry("region-schedule-limit", "2048");
    }

    @Test
    void R12_splitAndMergeSettingsTakePdsTypes() throws Exception {
        // tikv/pd pkg/schedule/config/config.go: enable-tikv-split-region has json:",string", so a bare bool is a 400;
        // max-merge-region-size/keys are uint64.
        assertThat(status("POST", "/pd/api/v1/config", "{\"enable-tikv-split-region\":false}")).isEqualTo(400);
        assertThat(status("POST", "/pd/api/v1/config", "{\"max-merge-region-keys\":-1}")).isEqualTo(400);
        assertThat(status("POST", "/pd/api/v1/config", "{\"schedule.enable-tikv-split-region\":\"false\",\"max-merge-region-size\":0}"))
                .isEqualTo(200);
        assertThat(pd.state().scheduleConfig()).containsEntry("enable-tikv-split-region", "false")
                .containsEntry("max-merge-region-size", "0");
    }

    @Test
    void R14_storesRegisterOneByOneAsTheyBoot() throws Exception {
        // tidb-operator#5242: after a volume restore PD is fresh and TiKVs register as they boot; an early list is a subset
        pd.registerLater(2, List.of(MockPd.Store.tikv(2, "127.0.0.1:20161"), MockPd.Store.tikv(3, "127.0.0.1:20162")));
        assertThat(call("GET", "/pd/api/v1/stores", null).body()).contains("\"count\":2");
        assertThat(call("GET", "/pd/api/v1/stores", null).body()).contains("\"count\":3").contains("\"id\":2");
        assertThat(call("GET", "/pd/api/v1/stores", null).body()).contains("\"count\":3");
        assertThat(pd.pendingStores()).containsExactly(3L);
        assertThat(call("GET", "/pd/api/v1/stores", null).body()).contains("\"count\":4").contains("\"id\":3");
        assertThat(pd.pendingStores()).isEmpty();
    }

    @Test
    void R9_aRestartedStoreRegistersAgainWithANewerStartTimestamp() throws Exception {
        // tikv/pd server/api/store.go: StoreInfo.Store.StartTimestamp changes when the TiKV process restarts
        long first = pd.startTimestamps().get(1L);
        pd.storeRestarted(1);
        assertThat(pd.startTimestamps().get(1L)).isGreaterThan(first);
        clock.advance(Duration.ofSeconds(30));
        pd.storeRestarted(1);
        assertThat(call("GET", "/pd/api/v1/store/1", null).body())
                .contains("\"start_timestamp\":" + clock.instant().getEpochSecond());
    }

    @Test
    void regionsAndLeadersComeOnlyFromLeaderHeartbeats() throws Exception {
        // tikv/pd server/api/region.go GetRegionByID: 404 for a region PD has no heartbeat of (a fresh PD knows none)
        assertThat(status("GET", "/pd/api/v1/region/id/7", null)).isEqualTo(404);
        assertThat(status("GET", "/pd/api/v1/region/id/0", null)).isEqualTo(400);
        List<RegionHeartbeat.Peer> peers = List.of(new RegionHeartbeat.Peer(71, 1), new RegionHeartbeat.Peer(72, 2));
        pd.heartbeat(new RegionHeartbeat(7, 1, 71, new byte[] {0x74}, new byte[0], 1, 5, peers));
        pd.heartbeat(new RegionHeartbeat(7, 2, 72, new byte[] {0x74}, new byte[0], 1, 4, peers)); // stale epoch: dropped
        assertThat(call("GET", "/pd/api/v1/region/id/7", null).body()).contains("\"leader\":{\"id\":71,\"store_id\":1");
        pd.storeRestarted(1);
        assertThat(pd.leaders()).as("a restarted follower sends no heartbeat: PD's view is stale").containsEntry(7L, 1L);
        pd.heartbeat(new RegionHeartbeat(7, 2, 72, new byte[] {0x74}, new byte[0], 1, 5, peers));
        assertThat(call("GET", "/pd/api/v1/regions", null).body()).contains("\"count\":1").contains("\"store_id\":2,\"role_name\":\"Voter\"}}");
    }

    @Test
    void everyCallIsRecordedAndTheStateComparesWithTheInitialOne() throws Exception {
        PdState before = pd.state();
        status("POST", "/pd/api/v1/config?ttlSecond=300", "{\"schedule.leader-schedule-limit\":0}");
        status("POST", "/pd/api/v1/schedulers/balance-leader-scheduler", "{\"delay\":300}");
        assertThat(pd.state().diff(before)).containsExactly("ttl schedule.leader-schedule-limit: (absent) -> 0",
                "paused schedulers: [] -> [balance-leader-scheduler]");
        status("POST", "/pd/api/v1/config?ttlSecond=0", "{\"schedule.leader-schedule-limit\":4}");
        status("POST", "/pd/api/v1/schedulers/balance-leader-scheduler", "{\"delay\":0}");
        assertThat(pd.state()).isEqualTo(before);
        assertThat(pd.calls()).extracting(PdCall::target).containsExactly("/pd/api/v1/config?ttlSecond=300",
                "/pd/api/v1/schedulers/balance-leader-scheduler", "/pd/api/v1/config?ttlSecond=0",
                "/pd/api/v1/schedulers/balance-leader-scheduler");
        assertThat(pd.mutatingCalls()).hasSize(4);
    }

    @Test
    void faultsAreDataAndRunOut() throws Exception {
        pd.inject(new Fault.PdStatus("GET", "/pd/api/v1/stores", 2, 500));
        assertThat(status("GET", "/pd/api/v1/stores", null)).isEqualTo(500);
        assertThat(status("GET", "/pd/api/v1/config", null)).isEqualTo(200);
        assertThat(status("GET", "/pd/api/v1/stores", null)).isEqualTo(500);
        assertThat(status("GET", "/pd/api/v1/stores", null)).isEqualTo(200);
        assertThat(status("GET", "/pd/api/v1/nothing", null)).isEqualTo(404);
    }
}
