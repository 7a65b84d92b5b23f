package io.phybr.mock.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.scenario.ScenarioParser;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The corpus scenarios for real restore failures hold the states they claim (read through the replica API). */
class FailureStateScenariosTest {

    private static Backup run(String name) {
        return ScenarioParser.parse(Path.of("scenarios", name + ".scn")).run();
    }

    private static Peer peer(Backup b, long store, long region) {
        return b.images().get(store).peer(region);
    }

    @Test
    void R2_stores4And5ReportAHardStateTermAboveTheLeadersWithAShorterLog() {
        Backup b = run("r2-hard-state-term-above-last-entry");
        Peer leader = peer(b, 1, 1);
        for (long s : new long[] {4, 5}) {
            Peer p = peer(b, s, 1);
            assertThat(p.hardStateTerm()).as("store %d", s).isGreaterThan(leader.hardStateTerm())
                    .isGreaterThan(p.lastEntryTerm());
            assertThat(p.lastIndex()).as("store %d", s).isLessThan(leader.lastIndex());
        }
        assertThat(b.mustSurvive()).hasSize(3);
    }

    @Test
    void tikv16307_theOldLeaderKeepsAnOlderTermTailTheNewLeaderOverwrote() {
        Backup b = run("tikv-16307-old-term-tail");
        Peer old = peer(b, 1, 1);
        Peer now = peer(b, 2, 1);
        // store 1 won the region's first election (term INIT+1) voting for itself; store 2 won the next one
        assertThat(old.unappliedEntries()).hasSize(4).allMatch(e -> e.term() == Group.INIT_TERM + 1);
        assertThat(old.vote()).as("the old leader voted for itself").isEqualTo(old.peerId);
        long first = old.unappliedEntries().get(0).index();
        assertThat(now.entryTerm(first)).isEqualTo(Group.INIT_TERM + 2);
        assertThat(old.lastIndex()).as("the old tail is longer than the new leader's log (tikv#16307's shape)")
                .isEqualTo(now.lastIndex() + 2);
        assertThat(b.mustSurvive()).extracting(w -> Keys.show(w.key())).containsExactly("10", "30");
    }

    @Test
    void theOldLeaderThatCampaignedReportsTheHighestTermAndIndexButCannotWin() {
        Backup b = run("old-leader-campaigns-after-overwrite");
        Peer old = peer(b, 1, 1);
        for (long s : new long[] {2, 3}) {
            Peer p = peer(b, s, 1);
            assertThat(old.hardStateTerm()).isGreaterThan(p.hardStateTerm());
            assertThat(old.lastIndex()).isGreaterThanOrEqualTo(p.lastIndex());
            assertThat(Elections.upToDate(old, p)).as("store 1's log vs store %d's", s).isFalse();
        }
    }

    @Test
    void tidb50315_staleRemovedAndMergedAwayPeersStayLiveWithUnappliedTails() {
        Backup b = run("tidb-50315-stale-peers");
        Peer removed = peer(b, 3, 1);
        assertThat(removed.live()).isTrue();
        assertThat(removed.commitIndex()).isLessThan(removed.lastIndex());
        assertThat(removed.unappliedEntries()).anyMatch(e -> e.command() instanceof Entry.RemovePeer);
        assertThat(removed.vote()).as("it voted in region 1's election: WaitApply does not skip it (R8)").isNotZero();
        Peer mergedAway = peer(b, 3, 2);
        assertThat(mergedAway.live()).isTrue();
        assertThat(mergedAway.unappliedEntries()).anyMatch(e -> e.command() instanceof Entry.PrepareMerge);
        assertThat(b.group(2).alive).isFalse();
        assertThat(peer(b, 1, 2).tombstone).isTrue();
    }

    @Test
    void R16_store3sRaftStateEndsBelowWhatItsKvEngineApplied() {
        Backup b = run("tidb-43433-snapshot-skew");
        Peer p = peer(b, 3, 1);
        // index INIT+1 is the first leader's noop: the raft volume holds it and write 10, the kv volume three writes
        assertThat(p.appliedIndex()).isEqualTo(Group.INIT_INDEX + 4);
        assertThat(p.lastIndex()).isEqualTo(Group.INIT_INDEX + 2);
        assertThat(b.images().get(3L).data.cardinality()).isEqualTo(3);
    }
}
