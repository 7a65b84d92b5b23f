package io.phybr.mock.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.LocalPeer;
import io.phybr.mock.stock.ModelStoreBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The truth each replica holds (log with terms, hard state, commit, applied) and what its report shows of it. */
class ReplicaStateTest {

    private static Backup run(String text) {
        return ScenarioParser.parse("t", text + "\nexpect recovered\n").run();
    }

    private static Peer peer(Backup b, long store, long region) {
        return b.images().get(store).peer(region);
    }

    /**
     * SPEC R2: {@code region_meta_collector.rs} reports {@code raft_local_state.hard_state.term} as last_log_term;
     * a replica that voted in a later term without receiving an entry of it reports a term above its last entry's.
     */
    @Test
    void R2_aFailedCampaignRaisesTheHardStateTermAboveTheLastEntryTerm() {
        Backup b = run("""
                stores 5
                region 1 - - on 1 2 3 4 5
                write 10
                lag store 4 region 1
                lag store 5 region 1
                write 20
                campaign store 4 region 1 votes 5
                """);
        Peer p4 = peer(b, 4, 1);
        Peer p5 = peer(b, 5, 1);
        // term INIT+1 is the region's first election (store 1 won it); the failed campaign is term INIT+2
        assertThat(p4.hardStateTerm()).isEqualTo(Group.INIT_TERM + 2).isGreaterThan(p4.lastEntryTerm());
        assertThat(p4.vote()).isEqualTo(p4.peerId);
        assertThat(p5.hardStateTerm()).isEqualTo(Group.INIT_TERM + 2);
        assertThat(p5.vote()).isEqualTo(p4.peerId);
        assertThat(p4.lastIndex()).isLessThan(peer(b, 1, 1).lastIndex());
        // the report carries the hard-state term, not the last entry's term
        LocalPeer reported = new ModelStoreBackend(4, b.freshImages(), b).peers().get(0);
        assertThat(reported.lastLogTerm()).isEqualTo(p4.hardStateTerm());
        assertThat(reported.lastIndex()).isEqualTo(p4.lastIndex());
        assertThat(reported.commitIndex()).isZero();
    }

    /**
     * A region's first leader is elected, not appointed (raft-rs raft.rs {@code campaign}/{@code handle_vote}: a new
     * peer starts at RAFT_INIT_LOG_TERM with no vote; tikv fsm/peer.rs {@code on_ready_split_region} makes the new
     * peer on the parent leader's store campaign at once): every peer's hard state holds the first term and its vote
     * for the winner, and the winner's first entry is its noop. A follower that voted is one WaitApply waits for (R8).
     */
    @Test
    void theFirstLeaderOfADeclaredRegionWinsAnElectionEveryPeerVotedIn() {
        Backup b = run("stores 3\nregion 1 - - on 1 2 3\n");
        Peer leader = peer(b, 1, 1);
        for (long s = 1; s <= 3; s++) {
            Peer p = peer(b, s, 1);
            assertThat(p.hardStateTerm()).as("store %d", s).isEqualTo(Group.INIT_TERM + 1);
            assertThat(p.vote()).as("store %d voted for store 1's peer", s).isEqualTo(leader.peerId);
            assertThat(p.entry(Group.INIT_INDEX + 1).command()).as("store %d", s).isInstanceOf(Entry.Noop.class);
            assertThat(p.entryTerm(Group.INIT_INDEX + 1)).isEqualTo(Group.INIT_TERM + 1);
        }
        assertThat(b.group(1).elected()).isTrue();
    }

    @Test
    void theFirstLeaderOfASplitBornRegionWinsAnElectionOnceAMajorityOfItsPeersExist() {
        Backup b = run("""
                stores 3
                region 1 - - on 1 2 3
                lag store 2 region 1 apply
                lag store 3 region 1 apply
                split r1 at 80 new r2
                resume store 2 region 1
                write r2 90
                """);
        Peer leader = peer(b, 1, 2);
        assertThat(peer(b, 3, 2)).as("store 3 never applied the split: no peer of region 2 yet").isNull();
        for (long s = 1; s <= 2; s++) {
            Peer p = peer(b, s, 2);
            assertThat(p.hardStateTerm()).as("store %d", s).isEqualTo(Group.INIT_TERM + 1);
            assertThat(p.vote()).as("store %d", s).isEqualTo(leader.peerId);
            assertThat(p.entry(Group.INIT_INDEX + 1).command()).isInstanceOf(Entry.Noop.class);
        }
        // before store 2 applied the split, only store 1 held a peer of region 2: one vote of three, no leader
        assertThatThrownBy(() -> run("""
                stores 3
                region 1 - - on 1 2 3
                lag store 2 region 1 apply
                lag store 3 region 1 apply
                split r1 at 80 new r2
                write r2 90
                """)).hasMessageContaining("region 2 has no leader yet").hasMessageContaining("1 of 3 votes");
    }

    @Test
    void aCampaignThatWouldWinOrThatHearsTheLeaderIsNotAFailedCampaign() {
        assertThatThrownBy(() -> run("stores 3\nregion 1 - - on 1 2 3\ncampaign store 2 region 1\n"))
                .hasMessageContaining("prevote");
        assertThatThrownBy(() -> run("stores 3\nregion 1 - - on 1 2 3\nlag store 2 region 1\nlag store 3 region 1\n"
                + "campaign store 2 region 1 votes 3\n"))
                .hasMessageContaining("would win");
    }

    /**
     * tikv#16307: a leader cut off with an uncommitted tail; a new leader elected without it overwrites those
     * indexes in a newer term, and the old leader keeps its older-term tail, uncommitted and unapplied.
     */
    @Test
    void aNewLeaderOverwritesAnOldTermTailThatStaysOnTheCutOffOldLeader() {
        Backup b = run("""
                stores 3
                region 1 - - on 1 2 3
                write 10
                lag store 1 region 1
                write 20 x3
                leader r1 store 2
                write 30
                """);
        Peer old = peer(b, 1, 1);
        Peer now = peer(b, 2, 1);
        assertThat(old.lastIndex()).isGreaterThan(now.lastIndex() - 2);
        assertThat(old.unappliedEntries()).hasSize(3)
                .allMatch(e -> e.term() == Group.INIT_TERM + 1 && e.command() instanceof Entry.Write); // first election's
        assertThat(old.commitIndex()).isEqualTo(old.appliedIndex());
        long firstTail = old.unappliedEntries().get(0).index();
        assertThat(now.entryTerm(firstTail)).isEqualTo(Group.INIT_TERM + 2); // the new leader's noop
        assertThat(now.lastEntryTerm()).isEqualTo(now.hardStateTerm()).isEqualTo(Group.INIT_TERM + 2);
        // the overwritten writes were never committed: nothing of "20" must survive
        assertThat(b.mustSurvive()).extracting(w -> Keys.show(w.key())).containsOnly("10", "30");
    }

    @Test
    void raftsVoteRuleRefusesACandidateWithAShorterLog() {
        assertThatThrownBy(() -> run("""
                stores 3
                region 1 - - on 1 2 3
                lag store 3 region 1
                write 10
                resume store 3 region 1
                lag store 2 region 1
                lag store 3 region 1 commit
                write 20
                leader r1 store 2
                """)).hasMessageContaining("cut off");
        assertThatThrownBy(() -> run("""
                stores 3
                region 1 - - on 1 2 3
                lag store 3 region 1
                write 10 x2
                leader r1 store 3
                """)).hasMessageContaining("cannot win");
    }

    /** A replica that persisted entries but never learnt they committed keeps an unapplied tail (tidb#50315). */
    @Test
    void aReplicaThatNeverLearnsTheCommitKeepsAnUnappliedTail() {
        Backup b = run("""
                stores 3
                region 1 - - on 1 2 3
                write 10
                lag store 3 region 1 commit
                write 20 x2
                """);
        Peer p = peer(b, 3, 1);
        assertThat(p.lastIndex()).isEqualTo(peer(b, 1, 1).lastIndex());
        assertThat(p.commitIndex()).isEqualTo(p.appliedIndex()).isLessThan(p.lastIndex());
        assertThat(p.unappliedEntries()).hasSize(2);
    }

    /** SPEC R16 (tidb#43433): raft volume snapshotted before the kv volume: applied above last_index. */
    @Test
    void R16_raftAndKvVolumesSnapshottedApartGiveAppliedAboveLastIndex() {
        Backup b = run("""
                stores 3
                region 1 - - on 1 2 3
                write 10
                resolved
                snapshot store 2 raft
                write 20 x3
                snapshot store 2 kv
                """);
        Peer p = peer(b, 2, 1);
        assertThat(p.appliedIndex()).isGreaterThan(p.lastIndex());
        assertThat(b.images().get(2L).data.cardinality()).isEqualTo(4);
        // the first leader's noop and write 10, in the first election's term
        assertThat(List.of(p.lastIndex(), p.hardStateTerm())).isEqualTo(List.of(Group.INIT_INDEX + 2, Group.INIT_TERM + 1));
    }
}
