package io.phybr.mock.check;

import io.phybr.mock.MockCluster;
import io.phybr.mock.scenario.PlanFact;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.seed.RegionRecover;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Checks a scenario's {@link PlanFact}s against the commands the stores received: what our adviser's plan must be
 * where SPEC §4 pins it, beside the checker's safety verdict (which a rule-breaking but safe plan passes).
 */
public final class PlanFactCheck {
    /** One command a store received: for region {@code region}, as its leader, or a tombstone. */
    public record Sent(long store, long region, boolean leader, boolean tombstone) {
    }

    private PlanFactCheck() {
    }

    /** Protocol A: the commands every seed agent of {@code cluster} received, against the scenario's facts. */
    public static List<String> seed(Scenario s, MockCluster cluster) {
        List<Sent> sent = new ArrayList<>();
        for (long store : s.stores()) {
            for (RegionRecover r : cluster.receivedCommands(store)) {
                sent.add(new Sent(store, r.getRegionId(), !r.getSilence() && !r.getTombstone(), r.getTombstone()));
            }
        }
        return check(s.planFacts(false), sent);
    }

    /** Protocol B: every RecoverRegion call every mock stock store received, against the scenario's stock facts. */
    public static List<String> stock(Scenario s, MockStockCluster cluster) {
        List<Sent> sent = new ArrayList<>();
        for (MockStockStore store : cluster.stores()) {
            for (List<RecoverRegionRequest> call : store.recoverCalls()) {
                for (RecoverRegionRequest r : call) {
                    sent.add(new Sent(store.storeId(), r.getRegionId(), r.getAsLeader(), r.getTombstone()));
                }
            }
        }
        return check(s.planFacts(true), sent);
    }

    /** What breaks the facts (empty: all hold); each names the region, the rule, and what the plan did instead. */
    public static List<String> check(List<PlanFact> facts, List<Sent> sent) {
        List<String> out = new ArrayList<>();
        for (PlanFact f : facts) {
            TreeSet<Long> got = new TreeSet<>();
            for (Sent c : sent) {
                if (c.region() == f.region() && (f.kind() == PlanFact.Kind.LEADER ? c.leader() : c.tombstone())) {
                    got.add(c.store());
                }
            }
            if (!got.equals(new TreeSet<>(f.stores()))) {
                out.add("'" + f.render() + "' does not hold: " + (f.kind() == PlanFact.Kind.LEADER
                        ? "region " + f.region() + " was led from " + stores(got) + " (SPEC §4 rules 2-3)"
                        : "tombstones for region " + f.region() + " went to " + stores(got) + " (SPEC §4 rules 3, 5)"));
            }
        }
        return out;
    }

    private static String stores(TreeSet<Long> s) {
        return s.isEmpty() ? "no store" : s.size() == 1 ? "store " + s.first() : "stores " + s;
    }
}
