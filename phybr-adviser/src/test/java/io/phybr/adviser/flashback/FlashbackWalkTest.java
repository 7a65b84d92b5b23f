package io.phybr.adviser.flashback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The flashback walk against a scripted PD and TiKV ({@link FakeRegions}): every region prepared before any is
 * flashed back, the region errors TiKV answers handled by re-resolving and retrying, a flashback never taken as done
 * on FlashbackNotPrepared, and a region that stays unprepared named with its store and last answer.
 */
class FlashbackWalkTest {
    private static final FlashbackTs TS = new FlashbackTs(100, 999, 1000);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final FakeRegions tikv = new FakeRegions();
    private final List<Stage> entered = new ArrayList<>();

    @AfterEach
    void tearDown() {
        ticker.shutdownNow();
    }

    private FlashbackFinish finish(int attempts) {
        FlashbackFinish.Settings s = new FlashbackFinish.Settings(4, Duration.ofSeconds(10), Duration.ofSeconds(5), attempts,
                Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(50));
        return new FlashbackFinish(tikv, tikv, s, ticker, p -> { }, k -> k, () -> { });
    }

    /** The plan: every region of the fake as it is now. */
    private Map<Long, RegionScan.Planned> plan() {
        Map<Long, RegionScan.Planned> out = new TreeMap<>();
        tikv.regions.values().forEach(r -> out.put(r.id, new RegionScan.Planned(r.version, r.leaderStore)));
        return out;
    }

    private void threeRegions() {
        tikv.add(1, "", "g", 5, 1);
        tikv.add(2, "g", "p", 5, 2);
        tikv.add(3, "p", "", 5, 3);
    }

    @Test
    void everyRegionIsPreparedBeforeAnyIsFlashedBack() throws Exception {
        threeRegions();
        FlashbackFinish.Result r = finish(5).run(plan(), false, TS, entered::add);
        assertThat(r.prepared()).isEqualTo(3);
        assertThat(r.flashedBack()).isEqualTo(3);
        assertThat(entered).containsExactly(Stage.PREPARE, Stage.FLASHBACK);
        List<String> order = tikv.calls.stream().filter(c -> !c.startsWith("pd")).map(c -> c.split(" ")[0]).toList();
        assertThat(order.subList(0, 3)).containsOnly("prepare");
        assertThat(order.subList(3, 6)).containsOnly("flashback");
        tikv.regions.values().forEach(x -> assertThat(x.flashbacks).as("region %d", x.id).isEqualTo(1));
        assertThat(tikv.calls).allMatch(c -> c.startsWith("pd") || c.endsWith("ts 999"));
    }

    @Test
    void notLeaderNamingTheLeaderIsFollowedWithoutAskingPd() throws Exception {
        threeRegions();
        Map<Long, RegionScan.Planned> planned = plan();
        tikv.regions.get(2L).leaderStore = 3; // the leader moved; PD still has store 2's heartbeat
        tikv.regions.get(2L).pdLeader = 2;
        FlashbackFinish.Result r = finish(5).run(planned, false, TS, entered::add);
        assertThat(r.prepared()).isEqualTo(3);
        assertThat(tikv.calls("prepare 2")).containsExactly("prepare 2 @2 ts 999", "prepare 2 @3 ts 999");
        assertThat(tikv.calls("pd region")).isEmpty();
    }

    @Test
    void aSplitSinceThePlanIsWalkedRegionByRegionFromTiKVsCurrentRegions() throws Exception {
        threeRegions();
        Map<Long, RegionScan.Planned> planned = plan();
        // TiKV split region 2 at "k"; PD still holds region 2 as [g, p) at version 5 and has not heard of region 4
        FakeRegions.Region two = tikv.regions.get(2L);
        two.end = FakeRegions.bytes("k");
        two.version = 6;
        two.pdEnd = FakeRegions.bytes("p");
        two.pdVersion = 5;
        tikv.add(4, "k", "p", 6, 2).inPd = false;
        FlashbackFinish.Result r = finish(6).run(planned, false, TS, entered::add);
        assertThat(r.prepared()).isEqualTo(4);
        assertThat(r.flashedBack()).isEqualTo(4);
        assertThat(tikv.regions.get(4L).flashbacks).isEqualTo(1);
        assertThat(tikv.regions.get(2L).flashbacks).isEqualTo(1);
    }

    @Test
    void flashbackNotPreparedIsNeverTakenAsDone_theRegionIsPreparedAgainWithTheSameStartTs() throws Exception {
        threeRegions();
        // the first flashback of region 2 was lost in transport, then TiKV says it is not prepared (it had finished)
        tikv.script("flashback", 2, new Reply.Transport("UNAVAILABLE", "connection reset", false),
                new Reply.FlashbackNotPrepared("region 2 is not prepared for the flashback"));
        FlashbackFinish.Result r = finish(8).run(plan(), false, TS, entered::add);
        assertThat(r.flashedBack()).isEqualTo(3);
        assertThat(tikv.calls("prepare 2")).hasSize(2).allMatch(c -> c.endsWith("ts 999"));
        assertThat(tikv.calls("flashback 2")).hasSize(3).allMatch(c -> c.endsWith("ts 999"));
        assertThat(tikv.regions.get(2L).flashbacks).isEqualTo(1);
    }

    @Test
    void regionNotFoundAndServerBusyAreRetried() throws Exception {
        threeRegions();
        tikv.script("prepare", 1, new Reply.RegionNotFound("region 1 not found"));
        tikv.script("prepare", 3, new Reply.ServerBusy(1, "busy"), new Reply.KvError("txn error"));
        FlashbackFinish.Result r = finish(5).run(plan(), false, TS, entered::add);
        assertThat(r.prepared()).isEqualTo(3);
        assertThat(r.retries()).isEqualTo(3);
        assertThat(tikv.calls).contains("pd region "); // region 1 re-resolved from PD after RegionNotFound
    }

    @Test
    void aRegionThatStaysUnpreparedIsNamedAndNothingIsFlashedBack() {
        threeRegions();
        Reply busy = new Reply.ServerBusy(0, "raftstore is busy");
        tikv.script("prepare", 2, busy, busy, busy, busy);
        assertThatThrownBy(() -> finish(4).run(plan(), false, TS, entered::add))
                .isInstanceOf(FlashbackFinish.Failed.class)
                .hasMessageContaining("Regions stay unprepared: 1 of 3 planned regions")
                .hasMessageContaining("region 2 [67, 70)")
                .hasMessageContaining("store 2")
                .hasMessageContaining("ServerIsBusy: raftstore is busy")
                .hasMessageContaining("4 tries");
        assertThat(tikv.calls("flashback")).isEmpty();
        assertThat(entered).containsExactly(Stage.PREPARE);
    }

    /**
     * The race a796b37 fixed, made deterministic: region 2's store answers ServerIsBusy, then the next call is cut
     * short by the stage's own deadline (gRPC answers DEADLINE_EXCEEDED once the deadline the call carries has
     * passed — this fake waits out that deadline and answers so, as the channel would). The store did answer, so the
     * region stays unprepared with the store's last answer (exit 5), not "out of time" (exit 4). Before the fix the
     * walk took the cut call's DEADLINE_EXCEEDED as the last word and reported a timeout.
     */
    @Test
    void aCallCutShortByTheExpiredStageDeadlineAfterTheStoreAnsweredReportsTheStoresAnswer_notATimeout() {
        threeRegions();
        tikv.script("prepare", 2, new Reply.ServerBusy(0, "raftstore is busy"));
        RegionCalls cutByDeadline = new RegionCalls() {
            private int region2Calls;

            @Override
            public Reply prepare(RegionRoute route, byte[] s, byte[] e, FlashbackTs ts, io.grpc.Deadline deadline) {
                if (route.regionId() == 2 && ++region2Calls == 2) {
                    waitOut(deadline); // the call started before the stage's deadline and ran into it
                    return new Reply.Transport("DEADLINE_EXCEEDED", "deadline exceeded after 0.2s", false);
                }
                return tikv.prepare(route, s, e, ts, deadline);
            }

            @Override
            public Reply flashback(RegionRoute route, byte[] s, byte[] e, FlashbackTs ts, io.grpc.Deadline deadline) {
                return tikv.flashback(route, s, e, ts, deadline);
            }
        };
        FlashbackFinish.Settings s = new FlashbackFinish.Settings(4, Duration.ofMillis(300), Duration.ofSeconds(5), 50,
                Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(50));
        FlashbackFinish finish = new FlashbackFinish(tikv, cutByDeadline, s, ticker, p -> { }, k -> k, () -> { });
        assertThatThrownBy(() -> finish.run(plan(), false, TS, entered::add))
                .isInstanceOfSatisfying(FlashbackFinish.Failed.class, f -> assertThat(f.timedOut())
                        .as("a store that answered is a failure (exit 5), not a timeout (exit 4)").isFalse())
                .hasMessageContaining("Regions stay unprepared: 1 of 3 planned regions")
                .hasMessageContaining("region 2 [67, 70)")
                .hasMessageContaining("1 tries, last: PrepareFlashbackToVersion to store 2 for region 2 answered"
                        + " ServerIsBusy: raftstore is busy")
                .hasMessageNotContaining("out of time")
                .hasMessageNotContaining("DEADLINE_EXCEEDED");
        assertThat(tikv.calls("flashback")).isEmpty();
        assertThat(tikv.regions.get(2L).prepared).isZero();
    }

    /**
     * The fake store's call blocks until {@code deadline} has passed, as a gRPC call cut by its deadline does (never
     * more than a few seconds: the test's stage deadline is 300 ms).
     */
    private static void waitOut(io.grpc.Deadline deadline) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(5)).until(deadline::isExpired);
    }

    @Test
    void aStoreWithoutTheFlashbackCallsIsTooOld() {
        threeRegions();
        tikv.script("prepare", 3, new Reply.Transport("UNIMPLEMENTED", "Method not found", true));
        assertThatThrownBy(() -> finish(4).run(plan(), false, TS, entered::add))
                .isInstanceOf(FlashbackFinish.Failed.class)
                .hasMessageContaining("store 3 does not serve PrepareFlashbackToVersion")
                .hasMessageContaining("--finish resolve");
        assertThat(tikv.calls("flashback")).isEmpty();
    }

    @Test
    void aKeyRangePdHoldsNoRegionForNamesThePlannedRegionsItLacks() {
        threeRegions();
        Map<Long, RegionScan.Planned> planned = plan();
        tikv.regions.get(2L).inPd = false; // its forced leader never heartbeated
        assertThatThrownBy(() -> finish(3).run(planned, false, TS, entered::add))
                .isInstanceOf(FlashbackFinish.Failed.class)
                .hasMessageContaining("no region holds [67, 70)")
                .hasMessageContaining("PD lacks 1 planned region: region 2 (leader planned on store 2)")
                .hasMessageContaining("Nothing was prepared");
        assertThat(tikv.calls("prepare")).isEmpty();
    }

    @Test
    void aLeaderlessRegionInPdIsWaitedForThenNamed() {
        threeRegions();
        Map<Long, RegionScan.Planned> planned = plan();
        tikv.regions.get(3L).leaderStore = 0;
        assertThatThrownBy(() -> finish(3).run(planned, false, TS, entered::add))
                .isInstanceOf(FlashbackFinish.Failed.class)
                .hasMessageContaining("region 3 [70, -)")
                .hasMessageContaining("no leader has reported it");
    }
    /**
     * Found by an integration run at load 30 (equal-version-overlap-lower-id-wins, jar, flashback): a region PD keeps
     * listing without a leader ends the same way whether its tries or the stage's time run out first — a failure
     * (exit 5) naming PD's answer. It used to be a timeout (exit 4) when the backoffs did not fit the deadline, so the
     * exit code depended on the machine's load.
     */
    @Test
    void aLeaderlessRegionThatOutlastsTheDeadlineIsAFailureNotATimeout() {
        threeRegions();
        Map<Long, RegionScan.Planned> planned = plan();
        tikv.regions.get(3L).leaderStore = 0;
        // many tries, a short stage: the deadline, not the tries, ends the walk
        FlashbackFinish.Settings s = new FlashbackFinish.Settings(4, Duration.ofMillis(300), Duration.ofSeconds(5), 1000,
                Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(50));
        FlashbackFinish finish = new FlashbackFinish(tikv, tikv, s, ticker, p -> { }, k -> k, () -> { });
        assertThatThrownBy(() -> finish.run(planned, false, TS, entered::add))
                .isInstanceOfSatisfying(FlashbackFinish.Failed.class, f -> assertThat(f.timedOut())
                        .as("PD answered every look-up: a failure (exit 5), not a timeout (exit 4)").isFalse())
                .hasMessageContaining("region 3 [70, -)")
                .hasMessageFindingMatch("at key 70: [0-9]+ tries, last: PD knows region 3 \\[70, -\\) epoch 1/5 without a known"
                        + " leader \\(no leader has reported it\\)")
                .hasMessageNotContaining("out of time");
        assertThat(tikv.calls("flashback")).isEmpty();
    }
}
