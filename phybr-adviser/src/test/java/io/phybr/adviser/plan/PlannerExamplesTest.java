package io.phybr.adviser.plan;

import static io.phybr.adviser.plan.Rows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One readable example per planning rule of SPEC §4; every expectation is derived by hand. */
class PlannerExamplesTest {
    private static Plan plan(Rows rows, Policy policy) {
        PlanOutcome out = rows.plan(policy);
        assertThat(out).as("expected a plan, got %s", out).isInstanceOf(Plan.class);
        return (Plan) out;
    }

    private static Refusal refusal(Rows rows, Policy policy) {
        PlanOutcome out = rows.plan(policy);
        assertThat(out).isInstanceOf(Refusal.class);
        return (Refusal) out;
    }

    private static Rule fate(Plan p, long region) {
        return p.fateRule(p.indexOf(region));
    }

    private static long leader(Plan p, long region) {
        return p.leaderStore(p.indexOf(region));
    }

    @Nested
    class Lagging {
        /**
         * Region 1 ["", "") split at 62 into 2 ["", "62") and 1 ["62", ""), both version 2. Store 3 stopped before
         * the split: it still shows region 1 with the wide range at version 1 and has no region 2. That stale
         * replica is the same region: it is silenced, not dropped, and its range does not count.
         */
        @Test
        void laggingReplicaOfTheSameRegionAfterASplitIsSilenced() {
            Rows r = rows()
                    .seed(1, 1).applied(20).term(6).version(2).range("62", "")
                    .seed(2, 1).applied(20).term(6).version(2).range("62", "")
                    .seed(3, 1).applied(12).term(5).version(1).range("", "")
                    .seed(1, 2).applied(8).term(6).version(2).range("", "62")
                    .seed(2, 2).applied(8).term(6).version(2).range("", "62");
            Plan p = plan(r, Policy.SEED);
            assertThat(fate(p, 1)).isEqualTo(Rule.KEPT);
            assertThat(fate(p, 2)).isEqualTo(Rule.KEPT);
            assertThat(leader(p, 1)).isEqualTo(1);
            assertThat(p.leaderRule(p.indexOf(1))).isEqualTo(Rule.TIE_LOWEST_STORE);
            assertThat(Rows.jsonl(p)).isEqualTo("""
                    {"store":1,"region_id":1,"term":6,"silence":false,"tombstone":false}
                    {"store":1,"region_id":2,"term":6,"silence":false,"tombstone":false}
                    {"store":2,"region_id":1,"term":6,"silence":true,"tombstone":false}
                    {"store":2,"region_id":2,"term":6,"silence":true,"tombstone":false}
                    {"store":3,"region_id":1,"term":6,"silence":true,"tombstone":false}
                    """);
        }

        /**
         * Region 2 ["", "62") v2 merged into region 1 (now ["", "") v3) on stores 1 and 2; store 3 stopped before
         * the merge: it still has region 2 live and region 1 with its old narrow range ["62", "") v2. Region 2 is a
         * distinct stale region, overlapped by the newer region 1: it is dropped and store 3 tombstones it.
         */
        @Test
        void mergeHalfAppliedOnOneStoreDropsTheSourceRegion() {
            Rows r = rows()
                    .seed(1, 1).applied(30).term(7).version(3).range("", "")
                    .seed(2, 1).applied(30).term(7).version(3).range("", "")
                    .seed(3, 1).applied(25).term(7).version(2).range("62", "")
                    .seed(1, 2).applied(9).term(7).version(2).range("", "62").tombstone()
                    .seed(2, 2).applied(9).term(7).version(2).range("", "62").tombstone()
                    .seed(3, 2).applied(9).term(7).version(2).range("", "62");
            Plan p = plan(r, Policy.SEED);
            assertThat(fate(p, 1)).isEqualTo(Rule.KEPT);
            assertThat(fate(p, 2)).isEqualTo(Rule.DROPPED_OVERLAP);
            assertThat(p.explain(2).orElseThrow()).contains("fate: dropped").contains("region 1 version 3");
            assertThat(Rows.jsonl(p)).isEqualTo("""
                    {"store":1,"region_id":1,"term":7,"silence":false,"tombstone":false}
                    {"store":2,"region_id":1,"term":7,"silence":true,"tombstone":false}
                    {"store":3,"region_id":1,"term":7,"silence":true,"tombstone":false}
                    {"store":3,"region_id":2,"term":0,"silence":false,"tombstone":true}
                    """);
        }

        /** A split applied by the new region's peers but a different, older region id still overlaps them. */
        @Test
        void staleOverlappingRegionOfAnotherIdIsDroppedOnEveryLiveReplica() {
            Rows r = rows()
                    .seed(1, 10).applied(50).term(3).version(5).range("", "80")
                    .seed(2, 10).applied(50).term(3).version(5).range("", "80")
                    .seed(1, 11).applied(40).term(3).version(5).range("80", "")
                    .seed(2, 11).applied(40).term(3).version(5).range("80", "")
                    // region 4 is stale (version 2), wider than both; live on stores 2 and 3, tombstone on 1
                    .seed(2, 4).applied(99).term(9).version(2).range("40", "c0")
                    .seed(3, 4).applied(99).term(9).version(2).range("40", "c0")
                    .seed(1, 4).applied(99).term(9).version(2).range("40", "c0").tombstone();
            Plan p = plan(r, Policy.SEED);
            assertThat(fate(p, 4)).isEqualTo(Rule.DROPPED_OVERLAP);
            assertThat(Rows.jsonl(p)).isEqualTo("""
                    {"store":1,"region_id":10,"term":3,"silence":false,"tombstone":false}
                    {"store":1,"region_id":11,"term":3,"silence":false,"tombstone":false}
                    {"store":2,"region_id":4,"term":0,"silence":false,"tombstone":true}
                    {"store":2,"region_id":10,"term":3,"silence":true,"tombstone":false}
                    {"store":2,"region_id":11,"term":3,"silence":true,"tombstone":false}
                    {"store":3,"region_id":4,"term":0,"silence":false,"tombstone":true}
                    """);
        }
    }

    @Nested
    class LeaderChoice {
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

    @Nested
    class Fates {
        @Test
        void allReplicasTombstoneIsGoneWithoutCommands() {
            Rows r = rows()
                    .seed(1, 1).applied(10).term(2).version(4).range("", "")
                    .seed(2, 1).applied(10).term(2).version(4).range("", "")
                    .seed(1, 7).applied(5).term(2).version(1).range("", "40").tombstone()
                    .seed(2, 7).applied(5).term(2).version(1).range("", "40").tombstone();
            Plan p = plan(r, Policy.SEED);
            assertThat(fate(p, 7)).isEqualTo(Rule.GONE);
            assertThat(p.leaderRule(p.indexOf(7))).isEqualTo(Rule.NO_LIVE_REPLICA);
            assertThat(leader(p, 7)).isEqualTo(-1);
            assertThat(Rows.jsonl(p)).isEqualTo("{\"store\":1,\"region_id\":1,\"term\":2,\"silence\":false,\"tombstone\":false}\n"
                    + "{\"store\":2,\"region_id\":1,\"term\":2,\"silence\":true,\"tombstone\":false}\n");
            assertThat(p.explain(7).orElseThrow()).contains("leader: none").contains("fate: gone")
                    .contains("no command");
        }

        @Test
        void allReplicasTombstoneWithNothingElseCoveringIsAHole() {
            Rows r = rows()
                    .seed(1, 1).applied(10).term(2).version(4).range("", "40")
                    .seed(2, 1).applied(10).term(2).version(4).range("", "40")
                    .seed(1, 7).applied(5).term(2).version(1).range("40", "").tombstone()
                    .seed(2, 7).applied(5).term(2).version(1).range("40", "").tombstone();
            Refusal ref = refusal(r, Policy.SEED);
            assertThat(ref.kind()).isEqualTo(Refusal.Kind.HOLE);
            assertThat(ref.problems()).hasSize(1);
            assertThat(ref.message()).contains("hole [\"40\", \"\")")
                    .contains("store 1 region 7 (version 1, tombstone, no live replica)")
                    .contains("store 2 region 7").doesNotContain("\n");
        }

        /** Regions 5 ["", "70") and 7 ["60", "") both at version 4: the lower id wins, 8 fills the rest. */
        @Test
        void equalVersionOverlapKeepsTheLowerRegionId() {
            Rows r = rows()
                    .seed(1, 7).applied(10).term(1).version(4).range("60", "")
                    .seed(2, 7).applied(10).term(1).version(4).range("60", "")
                    .seed(1, 5).applied(10).term(1).version(4).range("", "70")
                    .seed(2, 5).applied(10).term(1).version(4).range("", "70")
                    .seed(1, 8).applied(10).term(1).version(3).range("70", "")
                    .seed(2, 8).applied(10).term(1).version(3).range("70", "");
            Plan p = plan(r, Policy.SEED);
            assertThat(fate(p, 5)).isEqualTo(Rule.KEPT);
            assertThat(fate(p, 7)).isEqualTo(Rule.DROPPED_OVERLAP);
            assertThat(fate(p, 8)).isEqualTo(Rule.KEPT);
            assertThat(p.explain(7).orElseThrow()).contains("(region 5 version 4 range [\"\", \"70\"))");
            assertThat(Rows.jsonl(p)).contains("{\"store\":1,\"region_id\":7,\"term\":0,\"silence\":false,\"tombstone\":true}")
                    .contains("{\"store\":2,\"region_id\":7,\"term\":0,\"silence\":false,\"tombstone\":true}");
        }

        @Test
        void singleRegionCoveringEverything() {
            Rows r = rows().seed(3, 1).applied(5).term(1).version(1).range("", "")
                    .seed(1, 1).applied(5).term(1).version(1).range("", "")
                    .seed(2, 1).applied(5).term(1).version(1).range("", "");
            Plan p = plan(r, Policy.SEED);
            assertThat(p.regionCount()).isEqualTo(1);
            assertThat(leader(p, 1)).isEqualTo(1);
            assertThat(p.acceptedHoles()).isEmpty();
            assertThat(Rows.jsonl(p)).isEqualTo("""
                    {"store":1,"region_id":1,"term":1,"silence":false,"tombstone":false}
                    {"store":2,"region_id":1,"term":1,"silence":true,"tombstone":false}
                    {"store":3,"region_id":1,"term":1,"silence":true,"tombstone":false}
                    """);
        }
    }

    @Nested
    class Holes {
        @Test
        void holeInTheMiddleNamesTheDroppedReplicaThatCoveredIt() {
            Rows r = rows()
                    .seed(1, 1).applied(10).term(1).version(5).range("", "40")
                    .seed(2, 1).applied(10).term(1).version(5).range("", "40")
                    .seed(1, 2).applied(10).term(1).version(5).range("60", "")
                    .seed(2, 2).applied(10).term(1).version(5).range("60", "")
                    .seed(3, 3).applied(10).term(1).version(2).range("30", "70");
            Refusal ref = refusal(r, Policy.SEED);
            assertThat(ref.kind()).isEqualTo(Refusal.Kind.HOLE);
            // Region 3 ["30", "70") overlaps both kept regions; either may be named as the one that displaced it.
            assertThat(ref.problems()).hasSize(1);
            assertThat(ref.problems().get(0)).matches(
                    "hole \\[\"40\", \"60\"\\) was covered only by store 3 region 3 \\(version 2, displaced by region [12]\\)");
            assertThat(ref.message()).contains("1 hole:").contains("--accept-holes");
        }

        /**
         * The exact list of replicas named for a hole: ranges are half-open, so a replica that ends where the hole
         * starts (region 4 ["30", "40")) or starts where it ends (region 5 ["60", "70")) only touches it and is not
         * named; region 3 ["35", "55") and region 6 ["45", "50") overlap it and are. (An end-inclusive comparison in
         * {@link Hole#overlaps} named the neighbours too; issue 14.)
         */
        @Test
        void holeNamesExactlyTheReplicasThatOverlapItNotThoseThatTouchIt() {
            Rows r = rows()
                    .seed(1, 1).applied(10).term(1).version(5).range("", "40")
                    .seed(2, 1).applied(10).term(1).version(5).range("", "40")
                    .seed(1, 2).applied(10).term(1).version(5).range("60", "")
                    .seed(2, 2).applied(10).term(1).version(5).range("60", "")
                    .seed(3, 3).applied(10).term(1).version(2).range("35", "55")
                    .seed(3, 4).applied(10).term(1).version(3).range("30", "40").tombstone()
                    .seed(3, 5).applied(10).term(1).version(3).range("60", "70")
                    .seed(2, 6).applied(10).term(1).version(2).range("45", "50").tombstone();
            Refusal ref = refusal(r, Policy.SEED);
            assertThat(ref.kind()).isEqualTo(Refusal.Kind.HOLE);
            assertThat(ref.problems()).containsExactly("hole [\"40\", \"60\") was covered only by"
                    + " store 3 region 3 (version 2, displaced by region 1),"
                    + " store 2 region 6 (version 2, tombstone, no live replica)");
        }

        /** Neighbours that only touch a hole at its two ends leave it covered by no replica at all. */
        @Test
        void holeTouchedAtBothEndsIsCoveredByNoReplica() {
            Rows r = rows()
                    .seed(1, 1).applied(10).term(1).version(5).range("", "40")
                    .seed(2, 1).applied(10).term(1).version(5).range("", "40")
                    .seed(1, 2).applied(10).term(1).version(5).range("60", "")
                    .seed(2, 2).applied(10).term(1).version(5).range("60", "")
                    .seed(3, 4).applied(10).term(1).version(3).range("30", "40").tombstone()
                    .seed(3, 5).applied(10).term(1).version(3).range("60", "70");
            Refusal ref = refusal(r, Policy.SEED);
            assertThat(ref.problems()).containsExactly("hole [\"40\", \"60\") was covered by no replica at all");
        }

        @Test
        void holeAtTheStart() {
            Rows r = rows().seed(1, 2).applied(10).term(1).version(5).range("40", "")
                    .seed(2, 1).applied(10).term(1).version(3).range("", "40").tombstone();
            Refusal ref = refusal(r, Policy.BR);
            assertThat(ref.problems()).containsExactly(
                    "hole [\"\", \"40\") was covered only by store 2 region 1 (version 3, tombstone, no live replica)");
        }

        @Test
        void holeAtTheEndWithNoReplicaAtAll() {
            Rows r = rows().seed(1, 1).applied(10).term(1).version(5).range("", "80");
            Refusal ref = refusal(r, Policy.SEED);
            assertThat(ref.problems()).containsExactly("hole [\"80\", \"\") was covered by no replica at all");
        }

        @Test
        void emptyInputIsOneHoleOverTheWholeKeySpace() {
            for (Policy policy : Policy.values()) {
                Refusal ref = refusal(rows(), policy);
                assertThat(ref.kind()).isEqualTo(Refusal.Kind.HOLE);
                assertThat(ref.problems()).containsExactly("hole [\"\", \"\") was covered by no replica at all");
            }
        }

        @Test
        void acceptHolesPlansAndTheSummaryReportsThem() {
            Rows r = rows()
                    .seed(1, 1).applied(10).term(1).version(5).range("", "40")
                    .seed(2, 1).applied(10).term(1).version(5).range("", "40")
                    .seed(1, 2).applied(10).term(1).version(5).range("60", "90")
                    .seed(2, 2).applied(10).term(1).version(5).range("60", "90");
            PlanOutcome out = r.plan(PlanOptions.of(Policy.SEED).withAcceptHoles(true));
            assertThat(out).isInstanceOf(Plan.class);
            Plan p = (Plan) out;
            assertThat(p.acceptedHoles()).containsExactly(new Hole(Rows.key("40"), Rows.key("60")),
                    new Hole(Rows.key("90"), Rows.key("")));
            assertThat(p.summary().holesAccepted()).isEqualTo(2);
            assertThat(p.summary().toText()).contains("2 hole(s) ACCEPTED");
            assertThat(p.summary().toJson()).contains("\"holes_accepted\":2");
        }
    }

    @Nested
    class Malformed {
        @Test
        void startKeyNotBelowEndKey() {
            Refusal ref = refusal(rows().seed(1, 1).applied(1).term(1).version(1).range("", "")
                    .seed(2, 5).applied(1).term(1).version(1).range("80", "40")
                    .seed(3, 6).applied(1).term(1).version(1).range("40", "40"), Policy.SEED);
            assertThat(ref.kind()).isEqualTo(Refusal.Kind.MALFORMED);
            assertThat(ref.problems()).containsExactly(
                    "store 2 region 5: start_key 80 is not below end_key 40",
                    "store 3 region 6: start_key 40 is not below end_key 40");
            assertThat(ref.message()).startsWith("Refusing to plan: 2 malformed region reports:").doesNotContain("\n");
        }

        @Test
        void sameRegionTwiceOnOneStore() {
            Refusal ref = refusal(rows().seed(1, 3).applied(1).term(1).version(1).range("", "")
                    .seed(2, 3).applied(1).term(1).version(1).range("", "")
                    .seed(1, 3).applied(2).term(1).version(1).range("", ""), Policy.BR);
            assertThat(ref.kind()).isEqualTo(Refusal.Kind.MALFORMED);
            assertThat(ref.message()).contains("store 1 region 3: the store reported the region twice");
        }

        @Test
        void regionIdZero() {
            Refusal ref = refusal(rows().seed(4, 0).applied(1).term(1).version(1).range("", ""), Policy.SEED);
            assertThat(ref.kind()).isEqualTo(Refusal.Kind.MALFORMED);
            assertThat(ref.message()).contains("store 4 region 0: region id 0 is out of range");
        }
    }

    @Nested
    class Reporting {
        private Plan sample() {
            // Region 1 kept (leader store 2), region 2 kept (leader store 1), region 3 dropped, region 4 gone.
            return plan(rows()
                    .seed(1, 1).applied(9).term(3).version(4).range("", "50")
                    .seed(2, 1).applied(10).term(3).version(4).range("", "50")
                    .seed(3, 1).applied(10).term(2).version(4).range("", "50")
                    .seed(1, 2).applied(10).term(3).version(4).range("50", "")
                    .seed(2, 2).applied(10).term(3).version(4).range("50", "")
                    .seed(3, 3).applied(20).term(5).version(1).range("40", "60")
                    .seed(1, 4).applied(1).term(1).version(1).range("70", "80").tombstone(), Policy.SEED);
        }

        @Test
        void explainNamesLeaderRuleAndFate() {
            String e = sample().explain(1).orElseThrow();
            assertThat(e).contains("region 1: 3 replica(s), policy seed")
                    .contains("leader: store 2 (highest term at equal applied_index)")
                    .contains("fate: kept")
                    .contains("command to store 1: term=3 silence=true tombstone=false")
                    .contains("command to store 3: term=3 silence=true tombstone=false");
            assertThat(sample().explain(99)).isEmpty();
        }

        @Test
        void summaryCounts() {
            PlanSummary s = sample().summary();
            assertThat(s.regionsSeen()).isEqualTo(4);
            assertThat(s.regionsKept()).isEqualTo(2);
            assertThat(s.regionsDropped()).isEqualTo(1);
            assertThat(s.regionsGone()).isEqualTo(1);
            assertThat(s.replicas()).isEqualTo(7);
            assertThat(s.leadersPerStore()).isEqualTo(Map.of(1L, 1, 2L, 1, 3L, 0));
            assertThat(List.copyOf(s.leadersPerStore().keySet())).containsExactly(1L, 2L, 3L);
            // store 1: silence r1, lead r2; store 2: lead r1, silence r2; store 3: silence r1, tombstone r3.
            assertThat(s.commandsPerStore()).isEqualTo(Map.of(1L, 2, 2L, 2, 3L, 2));
            assertThat(s.commands()).isEqualTo(6);
            assertThat(s.tombstoneCommands()).isEqualTo(1);
            assertThat(s.rules()).containsEntry(Rule.KEPT, 2).containsEntry(Rule.DROPPED_OVERLAP, 1)
                    .containsEntry(Rule.GONE, 1).containsEntry(Rule.NO_LIVE_REPLICA, 1)
                    .containsEntry(Rule.ONLY_LIVE_REPLICA, 1);
            assertThat(s.toJson()).startsWith("{\"policy\":\"seed\",\"protocol\":\"seed\",\"replicas\":7,"
                    + "\"regions_seen\":4,\"regions_kept\":2,\"regions_dropped\":1,\"regions_gone\":1")
                    .contains("\"leaders_per_store\":{\"1\":1,\"2\":1,\"3\":0}");
        }
    }
}
