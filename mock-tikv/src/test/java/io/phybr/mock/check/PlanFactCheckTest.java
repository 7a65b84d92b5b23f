package io.phybr.mock.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.check.PlanFactCheck.Sent;
import io.phybr.mock.scenario.PlanFact;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 14: a scenario's exact plan facts against what the stores received. */
class PlanFactCheckTest {
    private static final List<PlanFact> FACTS = List.of(
            new PlanFact(false, PlanFact.Kind.LEADER, 2, List.of(1L)),
            new PlanFact(false, PlanFact.Kind.TOMBSTONE, 5, List.of(4L)),
            new PlanFact(false, PlanFact.Kind.TOMBSTONE, 2, List.of()));

    @Test
    void theRulesPlanHoldsEveryFact() {
        List<Sent> sent = List.of(new Sent(1, 2, true, false), new Sent(2, 2, false, false), new Sent(3, 2, false, false),
                new Sent(4, 5, false, true), new Sent(1, 2, true, false)); // a store restarted: its commands again
        assertThat(PlanFactCheck.check(FACTS, sent)).isEmpty();
    }

    /** The mutant the facts are for: equal versions, the higher region id kept. Safe, and wrong by rule 3. */
    @Test
    void aPlanKeepingTheHigherRegionIdBreaksTheFactsNamingRegionAndStores() {
        List<Sent> sent = List.of(new Sent(4, 5, true, false), new Sent(1, 2, false, true), new Sent(2, 2, false, true),
                new Sent(3, 2, false, true));
        assertThat(PlanFactCheck.check(FACTS, sent)).containsExactly(
                "'expect plan leader r2 store 1' does not hold: region 2 was led from no store (SPEC §4 rules 2-3)",
                "'expect plan tombstone r5 stores 4' does not hold: tombstones for region 5 went to no store"
                        + " (SPEC §4 rules 3, 5)",
                "'expect plan tombstone r2 stores none' does not hold: tombstones for region 2 went to stores [1, 2, 3]"
                        + " (SPEC §4 rules 3, 5)");
    }

    @Test
    void aLeaderOnAnotherStoreOrTwoLeadersAreNamed() {
        assertThat(PlanFactCheck.check(FACTS.subList(0, 1), List.of(new Sent(3, 2, true, false))))
                .containsExactly("'expect plan leader r2 store 1' does not hold: region 2 was led from store 3"
                        + " (SPEC §4 rules 2-3)");
        assertThat(PlanFactCheck.check(FACTS.subList(0, 1), List.of(new Sent(1, 2, true, false),
                new Sent(3, 2, true, false)))).containsExactly("'expect plan leader r2 store 1' does not hold: region 2"
                + " was led from stores [1, 3] (SPEC §4 rules 2-3)");
    }
}
