package io.phybr.adviser.plan;

import static io.phybr.adviser.plan.PlannerExamplesTest.plan;
import static io.phybr.adviser.plan.PlannerExamplesTest.leader;
import static io.phybr.adviser.plan.Rows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4's leader choice, one readable example per rule (seed and BR ranks, R2's term cap, BR's balancing of ties);
 * the examples of the other rules are in {@link PlannerExamplesTest}, whose helpers these use. Every expectation is
 * derived by hand.
 */
class PlannerLeaderChoiceExamplesTest {
    @Test
    void seedPrefersAppliedIndexThenTermThenLowestStore() {
        Rows r = rows()
                .seed(1, 1).applied(10).term(9).version(1).range("", "40")
                .seed(2, 1).applied(11).term(2).version(1).range("", "40")
                .seed(3, 1).applied(11).term(1).version(1).range("", "40")
                .seed(1, 2).applied(10).term(3).version(1).range("40", "80")
                .seed(2, 2).applied(10).term(4).version(1).range("40", "80")
                .seed(3, 2).applied(9).term(9).version(1).range("40", "80")
                .seed(3, 3).applied(10).term(3).version(1).range("80", "")
                .seed(2, 3).applied(10).term(3).version(1).range("80", "");
        Plan p = plan(r, Policy.SEED);
        assertThat(leader(p, 1)).isEqualTo(2);
        assertThat(p.leaderRule(p.indexOf(1))).isEqualTo(Rule.HIGHEST_TERM);
        assertThat(leader(p, 2)).isEqualTo(2);
        assertThat(p.leaderRule(p.indexOf(2))).isEqualTo(Rule.HIGHEST_TERM);
        assertThat(leader(p, 3)).isEqualTo(2);
        assertThat(p.leaderRule(p.indexOf(3))).isEqualTo(Rule.TIE_LOWEST_STORE);
        // Region 1: target term 9 (store 1's); the leader (term 2) gets a term-only command. Region 3: the
        // leader's term already is the target, and it still gets term=3 silence=false (LEADER_UNSILENCED).
        assertThat(Rows.jsonl(p)).contains("{\"store\":2,\"region_id\":1,\"term\":9,\"silence\":false,\"tombstone\":false}")
                .contains("{\"store\":1,\"region_id\":1,\"term\":9,\"silence\":true,\"tombstone\":false}")
                .contains("{\"store\":3,\"region_id\":2,\"term\":9,\"silence\":true,\"tombstone\":false}")
                .contains("{\"store\":2,\"region_id\":3,\"term\":3,\"silence\":false,\"tombstone\":false}");
        assertThat(p.explain(3).orElseThrow()).contains("command to store 2: term=3 silence=false tombstone=false  ("
                + Rule.LEADER_UNSILENCED.text() + ")");
        assertThat(p.explain(1).orElseThrow()).doesNotContain(Rule.LEADER_UNSILENCED.text());
    }

    @Test
    void brPrefersLastLogTermThenLastIndexThenCommitIndex() {
        Rows r = rows()
                // term 6 is reached by a majority (stores 2 and 3): a leader of term 6 may have written
                .stock(1, 1).lastLogTerm(5).lastIndex(100).version(1).range("", "40")
                .stock(2, 1).lastLogTerm(6).lastIndex(90).version(1).range("", "40")
                .stock(3, 1).lastLogTerm(6).lastIndex(80).version(1).range("", "40")
                .stock(1, 2).lastLogTerm(6).lastIndex(90).version(1).range("40", "80")
                .stock(2, 2).lastLogTerm(6).lastIndex(91).version(1).range("40", "80")
                // the higher commit index sits on store 2, which the lowest-store tie-break would not pick
                .stock(1, 3).lastLogTerm(6).lastIndex(90).commit(89).version(1).range("80", "")
                .stock(2, 3).lastLogTerm(6).lastIndex(90).commit(90).version(1).range("80", "");
        Plan p = plan(r, Policy.BR);
        assertThat(leader(p, 1)).isEqualTo(2);
        // store 1 loses on last_log_term; store 3 shares the capped term (a majority reached it), so the deepest
        // field the choice needed is last_index
        assertThat(p.leaderRule(p.indexOf(1))).isEqualTo(Rule.HIGHEST_LAST_INDEX);
        assertThat(leader(p, 2)).isEqualTo(2);
        assertThat(p.leaderRule(p.indexOf(2))).isEqualTo(Rule.HIGHEST_LAST_INDEX);
        assertThat(leader(p, 3)).isEqualTo(2);
        assertThat(p.leaderRule(p.indexOf(3))).isEqualTo(Rule.HIGHEST_COMMIT_INDEX);
        assertThat(Rows.jsonl(p)).isEqualTo("""
                {"store":2,"region_id":1,"as_leader":true,"tombstone":false}
                {"store":2,"region_id":2,"as_leader":true,"tombstone":false}
                {"store":2,"region_id":3,"as_leader":true,"tombstone":false}
                """);
    }

    /**
     * R2: TiKV reports the hard-state term as last_log_term, so a replica that voted or campaigned in vain reports a
     * term no entry has. A term above what a majority of the region's replicas reached cannot be a leader's term
     * (its election needed those votes), so it is capped there and ranks below a replica whose term a majority
     * reached: the cases of scenarios term-disagreement, r2-hard-state-term-above-last-entry and
     * old-leader-campaigns-after-overwrite, where BR's uncapped rank picks a replica that never wins (R3).
     */
    @Test
    void R2_aLastLogTermAboveWhatAMajorityReachedIsAVoteNotANewerLog() {
        Rows r = rows()
                // term-disagreement: store 3 campaigned to term 9 with the shortest log
                .stock(1, 1).lastLogTerm(7).lastIndex(10).version(1).range("", "40")
                .stock(2, 1).lastLogTerm(7).lastIndex(10).version(1).range("", "40")
                .stock(3, 1).lastLogTerm(9).lastIndex(6).version(1).range("", "40")
                // r2-hard-state-term-above-last-entry: stores 4 and 5 reached term 6, 2 of 5 votes
                .stock(1, 2).lastLogTerm(5).lastIndex(8).version(1).range("40", "80")
                .stock(2, 2).lastLogTerm(5).lastIndex(8).version(1).range("40", "80")
                .stock(3, 2).lastLogTerm(5).lastIndex(8).version(1).range("40", "80")
                .stock(4, 2).lastLogTerm(6).lastIndex(6).version(1).range("40", "80")
                .stock(5, 2).lastLogTerm(6).lastIndex(6).version(1).range("40", "80")
                // old-leader-campaigns-after-overwrite: store 1's term 7 and its last_index tie the others' length
                .stock(1, 3).lastLogTerm(7).lastIndex(8).version(1).range("80", "")
                .stock(2, 3).lastLogTerm(6).lastIndex(8).version(1).range("80", "")
                .stock(3, 3).lastLogTerm(6).lastIndex(8).version(1).range("80", "");
        Plan p = plan(r, Policy.BR);
        assertThat(leader(p, 1)).isIn(1L, 2L);
        assertThat(p.leaderRule(p.indexOf(1))).isEqualTo(Rule.TIE_BALANCED);
        assertThat(leader(p, 2)).isIn(1L, 2L, 3L);
        assertThat(p.leaderRule(p.indexOf(2))).isEqualTo(Rule.TIE_BALANCED);
        assertThat(leader(p, 3)).isIn(2L, 3L);
        assertThat(p.leaderRule(p.indexOf(3))).isEqualTo(Rule.TIE_BALANCED);
        // Without a tie left, the capped term decides at depth 0, the uncorroborated flag at depth 3.
        Plan single = plan(rows().stock(1, 1).lastLogTerm(7).lastIndex(10).version(1).range("", "")
                .stock(2, 1).lastLogTerm(7).lastIndex(11).version(1).range("", "")
                .stock(3, 1).lastLogTerm(9).lastIndex(12).version(1).range("", ""), Policy.BR);
        // store 3's term 9 is not refuted (no replica's log is as long), so it keeps BR's rank and decides
        assertThat(leader(single, 1)).isEqualTo(3);
        assertThat(single.leaderRule(single.indexOf(1))).isEqualTo(Rule.HIGHEST_LAST_LOG_TERM);
        Plan flag = plan(rows().stock(1, 1).lastLogTerm(8).lastIndex(10).version(1).range("", "")
                .stock(2, 1).lastLogTerm(6).lastIndex(10).version(1).range("", "")
                .stock(3, 1).lastLogTerm(6).lastIndex(10).version(1).range("", ""), Policy.BR);
        assertThat(leader(flag, 1)).isIn(2L, 3L);
        assertThat(flag.leaderRule(flag.indexOf(1))).isEqualTo(Rule.TIE_BALANCED);
        Plan two = plan(rows().stock(1, 1).lastLogTerm(8).lastIndex(10).version(1).range("", "")
                .stock(2, 1).lastLogTerm(6).lastIndex(10).version(1).range("", ""), Policy.BR);
        // two reports of a region of (at least) three voters: one replica within the majority term cannot meet
        // every majority, so store 1's term 8 is not refuted — the third voter may have voted after its snapshot
        assertThat(leader(two, 1)).isEqualTo(1);
        assertThat(two.leaderRule(two.indexOf(1))).isEqualTo(Rule.HIGHEST_LAST_LOG_TERM);
    }

    /**
     * R2 under snapshot skew (issue 14): a restore's volume snapshots are taken store after store, not as one cut,
     * so a replica snapshotted before an election shows the older term although it voted in the newer one later.
     * A term above what a majority reached is then a log's term unless replicas whose logs are at least as long,
     * enough to meet every majority, refute it; else BR's rank stands (tidb {@code br/pkg/restore/data/recover.go}
     * {@code SortRecoverRegions}: last_log_term, last_index, commit_index). The reports are those of
     * {@code RandomHistory} seeds 1536 (region 1) and 1950 (region 5), and of a region whose third voter's store
     * was snapshotted before the split that made it (seed 5354 of the former generator defaults). The old cap
     * forced the old leader of the older term, whose uncommitted tail was as long: it won with the stale
     * replica's vote, and the follower that had applied the newer term's entries kept them — raft-rs answers an
     * append below its commit index with its commit index ({@code src/raft.rs handle_append_entries}), so the
     * leader counts it matched and it never takes the leader's entries, the flashback's versions among them; its
     * writes above the resolved ts stayed visible (tikv {@code region_meta_collector.rs} reports the hard-state
     * term as last_log_term and no commit or applied index, so the reports cannot show the applied entries).
     */
    @Test
    void R2_aHigherTermTheReportsDoNotRefuteKeepsBrsRank() {
        Rows r = rows()
                // seed 1536: store 1 old leader (tail of term 6 to 17), store 2 applied term 7 to 17, store 3 stale
                .stock(1, 1).lastLogTerm(6).lastIndex(17).version(1).range("", "40")
                .stock(2, 1).lastLogTerm(7).lastIndex(17).version(1).range("", "40")
                .stock(3, 1).lastLogTerm(6).lastIndex(6).version(1).range("", "40")
                // seed 1950: store 1 old leader (tail of term 6 to 9), store 4 applied term 7 to 9, store 2 stale
                .stock(1, 2).lastLogTerm(6).lastIndex(9).version(1).range("40", "80")
                .stock(2, 2).lastLogTerm(6).lastIndex(6).version(1).range("40", "80")
                .stock(4, 2).lastLogTerm(7).lastIndex(9).version(1).range("40", "80")
                // two of three voters reported: one replica at term 6 refutes nothing for a majority of three
                .stock(2, 3).lastLogTerm(6).lastIndex(18).version(1).range("80", "")
                .stock(3, 3).lastLogTerm(7).lastIndex(18).version(1).range("80", "");
        Plan p = plan(r, Policy.BR);
        assertThat(leader(p, 1)).isEqualTo(2);
        assertThat(p.leaderRule(p.indexOf(1))).isEqualTo(Rule.HIGHEST_LAST_LOG_TERM);
        assertThat(leader(p, 2)).isEqualTo(4);
        assertThat(leader(p, 3)).isEqualTo(3);
        // the same shapes with the stale replica's log as long as the others: now a majority refutes the term
        Plan refuted = plan(rows().stock(1, 1).lastLogTerm(6).lastIndex(17).version(1).range("", "")
                .stock(2, 1).lastLogTerm(7).lastIndex(17).version(1).range("", "")
                .stock(3, 1).lastLogTerm(6).lastIndex(17).version(1).range("", ""), Policy.BR);
        assertThat(leader(refuted, 1)).isIn(1L, 3L);
        assertThat(refuted.leaderRule(refuted.indexOf(1))).isEqualTo(Rule.TIE_BALANCED);
    }

    /** Six regions tied on three stores after a quiet backup: two leaders per store, not six on store 1. */
    @Test
    void brBalancesFullTiesAcrossStores() {
        Rows r = rows();
        String[] bounds = {"", "10", "20", "30", "40", "50", ""};
        for (int g = 0; g < 6; g++) {
            for (long s = 1; s <= 3; s++) {
                r.stock(s, g + 1).lastLogTerm(7).lastIndex(100).version(3).range(bounds[g], bounds[g + 1]);
            }
        }
        Plan p = plan(r, Policy.BR);
        assertThat(p.summary().leadersPerStore()).isEqualTo(Map.of(1L, 2, 2L, 2, 3L, 2));
        assertThat(p.summary().rules()).containsEntry(Rule.TIE_BALANCED, 6);
    }

    /** A store that reported nothing (declared by the collector) still shows in the summary, with 0 leaders. */
    @Test
    void declaredStoreWithoutRegionsCountsZeroLeaders() {
        ReplicaTable t = rows().stock(1, 1).lastLogTerm(7).lastIndex(100).version(3).range("", "")
                .stock(2, 1).lastLogTerm(7).lastIndex(100).version(3).range("", "").table();
        t.declareStore(9);
        t.declareStore(1);
        Plan p = (Plan) Planner.plan(t, PlanOptions.of(Policy.BR));
        assertThat(p.summary().leadersPerStore()).isEqualTo(Map.of(1L, 1, 2L, 0, 9L, 0));
        assertThat(p.stores()).containsExactly(1, 2, 9);
        assertThat(p.commandsFrom(9)).isEqualTo(p.commandsTo(9));
    }

    /** A tie on every BR field but a stale range: the replica with the newer version leads, it is not balanced away. */
    @Test
    void brTieWithAStaleRangeKeepsTheNewestVersion() {
        Rows r = rows()
                .stock(1, 1).lastLogTerm(7).lastIndex(100).version(2).range("", "")   // stale
                .stock(2, 1).lastLogTerm(7).lastIndex(100).version(3).range("", "50")
                .stock(3, 1).lastLogTerm(7).lastIndex(100).version(3).range("", "50")
                .stock(2, 2).lastLogTerm(7).lastIndex(100).version(3).range("50", "");
        Plan p = plan(r, Policy.BR);
        assertThat(leader(p, 1)).isIn(2L, 3L);
        assertThat(p.leaderRule(p.indexOf(1))).isEqualTo(Rule.TIE_BALANCED);
        // Balanced: region 2 can only lead on store 2, so region 1 goes to store 3.
        assertThat(leader(p, 1)).isEqualTo(3);
    }
}
