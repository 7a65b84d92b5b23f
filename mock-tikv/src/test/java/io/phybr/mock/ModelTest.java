package io.phybr.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.mock.gen.RandomHistory;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Group;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.ModelException;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ModelTest {

    private static Backup run(String text) {
        return ScenarioParser.parse("t", text + "\nexpect recovered\n").run();
    }

    private static String layout(Backup b) {
        StringBuilder s = new StringBuilder();
        for (StoreImage img : b.images().values()) {
            s.append(img.id).append(':');
            for (Peer p : img.allPeers()) {
                s.append(p).append(';');
            }
            s.append(img.data).append('\n');
        }
        return s.toString();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 42, 1234, 99991})
    void sameSeedGivesSameHistoryReportsAndTruth(long seed) {
        Scenario a = RandomHistory.generate(seed, RandomHistory.Options.defaults());
        Scenario b = RandomHistory.generate(seed, RandomHistory.Options.defaults());
        assertThat(a.render()).as("seed %d", seed).isEqualTo(b.render());
        assertThat(layout(a.run())).as("seed %d", seed).isEqualTo(layout(b.run()));
        // the rendered scenario replays to the same cluster
        Scenario replay = ScenarioParser.parse("replay", a.render());
        assertThat(layout(replay.run())).as("seed %d", seed).isEqualTo(layout(a.run()));
    }

    /**
     * The same seed gives the same protocol-B reports (what each store's ReadRegionMeta would stream, R1/R2) and the
     * same checker verdict, failures and dump included, for a planner the checker fails.
     */
    @ParameterizedTest
    @ValueSource(longs = {8, 20261125, 31337})
    void sameSeedGivesSameReportsAndVerdict(long seed) throws Exception {
        List<String> reports = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Scenario s = RandomHistory.generate(seed, RandomHistory.Options.defaults());
            Backup b = s.run();
            java.util.Map<Long, StoreImage> images = b.freshImages();
            StringBuilder r = new StringBuilder();
            for (long id : images.keySet()) {
                r.append(new io.phybr.mock.stock.ModelStoreBackend(id, images, b).peers()).append('\n');
            }
            reports.add(r.toString());
            try (MockCluster cluster = MockCluster.random(seed)) {
                io.phybr.mock.Rehearsal.Result res = io.phybr.mock.Rehearsal.run(cluster,
                        io.phybr.mock.fake.FakeSeedAdviser.launcher(io.phybr.mock.fake.TestPlanners.lowestApplied()),
                        java.time.Duration.ofSeconds(30));
                verdicts.add(res.verdict().toString());
            }
        }
        assertThat(reports.get(1)).as("seed %d", seed).isEqualTo(reports.get(0)).contains("LocalPeer");
        assertThat(verdicts.get(1)).as("seed %d", seed).isEqualTo(verdicts.get(0));
    }

    @Test
    void differentSeedsGiveDifferentHistories() {
        assertThat(RandomHistory.generate(1, RandomHistory.Options.defaults()).render())
                .isNotEqualTo(RandomHistory.generate(2, RandomHistory.Options.defaults()).render());
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 5, 11, 2024, 77777})
    void withZeroLagEveryStoreReportsTheCommittedLayout(long seed) {
        RandomHistory.Options noLag = RandomHistory.Options.defaults().without(RandomHistory.Move.LAG,
                RandomHistory.Move.RESUME, RandomHistory.Move.CAMPAIGN, RandomHistory.Move.DEPOSE);
        Scenario s = RandomHistory.generate(seed, noLag);
        // snapshots at the end: no store misses anything
        List<io.phybr.mock.history.Step> steps = new ArrayList<>(s.steps());
        steps.removeIf(st -> st instanceof io.phybr.mock.history.Step.Snapshot || st instanceof io.phybr.mock.history.Step.Resolved);
        Scenario atEnd = new Scenario("zero-lag", List.of(), s.stores(), steps, List.of(), List.of(), s.expectation(),
                s.collectTimeout(), s.closeTimeout());
        Backup b = atEnd.run();
        for (StoreImage img : b.images().values()) {
            String reported = img.allPeers().stream().filter(Peer::live)
                    .map(p -> p.regionId() + "v" + p.version() + Keys.range(p.start(), p.end()))
                    .sorted().collect(Collectors.joining(","));
            String truth = b.committedLayout().stream().filter(g -> g.members().containsKey(img.id))
                    .map(g -> g.id() + "v" + g.version() + Keys.range(g.start(), g.end()))
                    .sorted().collect(Collectors.joining(","));
            assertThat(reported).as("seed %d store %d", seed, img.id).isEqualTo(truth);
            for (Peer p : img.allPeers()) {
                if (p.live()) {
                    assertThat(p.appliedIndex()).as("seed %d %s", seed, p).isEqualTo(b.group(p.regionId()).lastIndex());
                }
            }
        }
        assertThat(b.mustSurvive()).hasSameSizeAs(b.writes());
    }

    @Test
    void lagAcrossSplitShowsTheParentRangeAndVersion() {
        Backup b = run("stores 3\nregion 1 - - on 1 2 3\nlag store 3 region 1\nsplit r1 at 80 new r2\n");
        Peer stale = b.images().get(3L).peer(1);
        assertThat(Keys.range(stale.start(), stale.end())).isEqualTo("[-, -)");
        assertThat(stale.version()).isEqualTo(1);
        assertThat(b.images().get(3L).peer(2)).isNull();
        Peer fresh = b.images().get(1L).peer(1);
        assertThat(Keys.range(fresh.start(), fresh.end())).isEqualTo("[-, 80)");
        assertThat(fresh.version()).isEqualTo(2);
        assertThat(fresh.appliedIndex()).isGreaterThan(stale.appliedIndex());
        assertThat(b.images().get(1L).peer(2).version()).isEqualTo(2);
    }

    @Test
    void mergeTombstonesTheSourceOnlyWhereTheTargetApplied() {
        Backup b = run("stores 3\nregion 1 - 80 on 1 2 3\nregion 2 80 - on 1 2 3\nlag store 3 region 1\n"
                + "merge r2 into r1\n");
        assertThat(b.images().get(1L).peer(2).tombstone()).isTrue();
        assertThat(b.images().get(1L).peer(1).version()).isEqualTo(3);
        assertThat(Keys.range(b.images().get(1L).peer(1).start(), b.images().get(1L).peer(1).end())).isEqualTo("[-, -)");
        Peer src3 = b.images().get(3L).peer(2);
        assertThat(src3.tombstone()).isFalse();
        assertThat(src3.version()).isEqualTo(2); // PrepareMerge applied
        assertThat(Keys.range(b.images().get(3L).peer(1).start(), b.images().get(3L).peer(1).end())).isEqualTo("[-, 80)");
    }

    @Test
    void commitMergeWaitsForALaggingSource() {
        Backup b = run("stores 3\nregion 1 - 80 on 1 2 3\nregion 2 80 - on 1 2 3\nlag store 2 region 2\n"
                + "merge r2 into r1\n");
        Peer target2 = b.images().get(2L).peer(1);
        assertThat(target2.lastIndex()).isGreaterThan(target2.appliedIndex());
        assertThat(b.images().get(2L).peer(2).tombstone()).isFalse();
    }

    @Test
    void removedPeerThatNeverHearsStaysLiveAndOneThatHearsIsTombstone() {
        Backup b = run("stores 4\nregion 1 - 80 on 1 2 3\nregion 2 80 - on 1 2 3\nlag store 3 region 1\n"
                + "remove-peer r1 store 3\nremove-peer r2 store 3\nadd-peer r2 store 4\n");
        assertThat(b.images().get(3L).peer(1).tombstone()).isFalse();
        assertThat(b.images().get(3L).peer(2).tombstone()).isTrue();
        assertThat(b.images().get(4L).peer(2)).isNotNull();
        assertThat(b.images().get(4L).peer(2).members()).containsKey(4L);
    }

    @Test
    void snapshotFreezesOneStoreWhileTheClusterGoesOn() {
        Backup b = run("stores 3\nregion 1 - - on 1 2 3\nwrite 10\nsnapshot store 1\nwrite 20\nsplit r1 at 80 new r2\n");
        assertThat(b.images().get(1L).peer(2)).isNull();
        assertThat(b.images().get(2L).peer(2)).isNotNull();
        assertThat(b.images().get(1L).data.cardinality()).isEqualTo(1);
        assertThat(b.images().get(2L).data.cardinality()).isEqualTo(2);
        // the resolved ts is taken before the first snapshot: only the first write must survive
        assertThat(b.mustSurvive()).hasSize(1);
    }

    @Test
    void leaderChangeBumpsTermOnlyWhereItIsPersisted() {
        Backup b = run("stores 3\nregion 1 - - on 1 2 3\nlag store 3 region 1\nleader r1 store 2\n");
        // term INIT+1: the region's first election, which store 3 saw before it was cut off
        assertThat(b.images().get(2L).peer(1).hardStateTerm()).isEqualTo(Group.INIT_TERM + 2);
        assertThat(b.images().get(3L).peer(1).hardStateTerm()).isEqualTo(Group.INIT_TERM + 1);
    }

    @Test
    void impossibleStepsAreRejectedWithTheirLine() {
        assertThatThrownBy(() -> run("stores 3\nregion 1 - - on 1 2 3\nsplit r1 at 80 new r2\nsplit r1 at 90 new r3\n"))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("line 4")
                .hasMessageContaining("not strictly inside region 1");
        assertThatThrownBy(() -> run("stores 3\nregion 1 - 80 on 1 2 3\n"))
                .hasMessageContaining("gap [80, -)");
        assertThatThrownBy(() -> run("stores 3\nregion 1 - - on 1 2 3\nlag store 1 region 1 commit\n"))
                .hasMessageContaining("leads region 1");
    }

    @Test
    void tidbKeysLookLikeRealOnes() {
        assertThat(Keys.hex(Keys.tidbRecordKey(59, 660931)))
                .isEqualTo("7480000000000000ff3b5f728000000000ff0a15c30000000000fa");
        byte[] raw = new byte[19];
        raw[0] = 't';
        java.nio.ByteBuffer.wrap(raw, 1, 8).putLong(59 ^ Long.MIN_VALUE);
        raw[9] = '_';
        raw[10] = 'r';
        java.nio.ByteBuffer.wrap(raw, 11, 8).putLong(660931 ^ Long.MIN_VALUE);
        assertThat(Keys.tidbRecordKey(59, 660931)).isEqualTo(Keys.memcomparable(raw));
    }
}
