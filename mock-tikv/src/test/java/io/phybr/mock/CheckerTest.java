package io.phybr.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.check.Checker;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.fake.FakeSeedAdviser;
import io.phybr.mock.fake.TestPlanners;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.Expectation;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The checker judged on its own: hand-applied command sets, and expectations that lie. */
class CheckerTest {
    private static final String SPLIT = "stores 3\nregion 1 - - on 1 2 3\nwrite 10\nlag store 3 region 1\n"
            + "split r1 at 80 new r2\nwrite r2 90\nexpect recovered\n";

    @AfterEach
    void noLeaks() {
        assertThat(MockCluster.openChannels()).isZero();
    }

    private static TreeMap<Long, StoreImage> silenceAllBut(Backup b, Map<Long, Long> leaderOf) {
        TreeMap<Long, StoreImage> after = b.freshImages();
        for (StoreImage img : after.values()) {
            for (Peer p : img.allPeers()) {
                if (java.util.Objects.equals(leaderOf.get(p.regionId()), img.id)) {
                    p.unsilence();
                } else {
                    p.silence();
                }
            }
        }
        return after;
    }

    @Test
    void theRightLeadersPass() {
        Backup b = ScenarioParser.parse("t", SPLIT).run();
        assertThat(Checker.checkState(b, silenceAllBut(b, Map.of(1L, 1L, 2L, 1L)))).isEmpty();
    }

    @Test
    void aStaleLeaderMakesOverlapAndLosesWrites() {
        Backup b = ScenarioParser.parse("t", SPLIT).run();
        // store 3's region 1 is stale: [-, -) at version 1, without the write into region 2
        List<String> f = Checker.checkState(b, silenceAllBut(b, Map.of(1L, 3L, 2L, 1L)));
        assertThat(f).anyMatch(s -> s.startsWith("overlap"));
        b.images().get(3L).data.clear();
        assertThat(Checker.checkState(b, silenceAllBut(b, Map.of(1L, 3L)))).anyMatch(s -> s.contains("region 2"));
    }

    @Test
    void twoLeadersOrNoneAreCaught() {
        Backup b = ScenarioParser.parse("t", SPLIT).run();
        TreeMap<Long, StoreImage> after = b.freshImages(); // nobody silenced
        assertThat(Checker.checkState(b, after)).anyMatch(s -> s.contains("non-silenced live replicas"));
        TreeMap<Long, StoreImage> none = silenceAllBut(b, Map.of(2L, 1L));
        assertThat(Checker.checkState(b, none)).anyMatch(s -> s.startsWith("region 1 has no leader"))
                .anyMatch(s -> s.startsWith("hole"));
    }

    @Test
    void aLeaderBelowAnotherReplicasTermCannotWin() {
        Backup b = ScenarioParser.parse("t", "stores 3\nregion 1 - - on 1 2 3\nlag store 3 region 1\n"
                + "campaign store 3 region 1\nexpect recovered\n").run();
        assertThat(Checker.checkState(b, silenceAllBut(b, Map.of(1L, 1L)))).anyMatch(s -> s.contains("cannot win"));
    }

    @Test
    void aHistoryThatLostDataCannotExpectRecovery() throws Exception {
        Scenario lying = ScenarioParser.parse(Path.of("scenarios/hole-must-be-refused.scn"))
                .withExpectation(Expectation.RECOVERED);
        try (MockCluster cluster = MockCluster.fromScenario(lying)) {
            Rehearsal.Result r = Rehearsal.run(cluster, FakeSeedAdviser.launcher(TestPlanners.seed()),
                    Duration.ofSeconds(30));
            assertThat(r.verdict().pass()).isFalse();
            assertThat(r.verdict().failures()).anyMatch(f -> f.startsWith("scenario error"));
        }
    }

    @Test
    void aRefusalWithTheWrongDiagnosisOrACommandSentFails() {
        Scenario s = ScenarioParser.parse("t", "stores 1\nregion 1 - - on 1\nexpect refused hole\n");
        Backup b = s.run();
        Verdict v = Checker.check(s, 7, b, b.freshImages(), Map.of(), new AdviserResult(3, "store 9 is odd"));
        assertThat(v.pass()).isFalse();
        assertThat(v.failures()).anyMatch(f -> f.contains("does not mention 'hole'"));
        assertThat(v.details()).contains("== seed 7, scenario t ==").contains("region 1");
        Verdict ok = Checker.check(s, 7, b, b.freshImages(), Map.of(), new AdviserResult(3, "a HOLE [-, -)"));
        assertThat(ok.pass()).as("%s", ok).isTrue();
    }
}
