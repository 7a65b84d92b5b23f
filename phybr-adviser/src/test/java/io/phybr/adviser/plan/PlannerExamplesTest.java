package io.phybr.adviser.plan;

import static io.phybr.adviser.plan.Rows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One readable example per planning rule of SPEC §4; every expectation is derived by hand. */
class PlannerExamplesTest {
    static Plan plan(Rows rows, Policy policy) {
        PlanOutcome out = rows.plan(policy);
        assertThat(out).as("expected a plan, got %s", out).isInstanceOf(Plan.class);
        return (Plan) out;
    }

    static Refusal refusal(Rows rows, Policy policy) {
        PlanOutcome out = rows.plan(policy);
        assertThat(out).isInstanceOf(Refusal.class);
        return (Refusal) out;
    }

    static Rule fate(Plan p, long region) {
        return p.fateRule(p.indexOf(region));
    }

    static long leader(Plan p, long region) {
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
