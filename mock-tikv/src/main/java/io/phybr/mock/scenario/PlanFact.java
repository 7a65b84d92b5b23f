package io.phybr.mock.scenario;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An exact plan property a scenario states where SPEC §4's rules pin the answer (the safety checker cannot see it: a
 * plan that breaks a rule may still leave the cluster safe). {@code stock} facts are protocol B's (BR's ranks),
 * the others protocol A's (the seed policy).
 * <ul>
 * <li>{@code expect [stock] plan leader rR store S}: region R is kept and led from store S (rules 2 and 3) — protocol
 * A: S gets R's one {@code silence=false} command; protocol B: S gets R's {@code as_leader};</li>
 * <li>{@code expect [stock] plan tombstone rR stores S... | none}: exactly these stores get a tombstone for R (rule 3
 * drops R, rule 5 tombstones its live replicas; {@code none}: R is dropped nowhere).</li>
 * </ul>
 */
public record PlanFact(boolean stock, Kind kind, long region, List<Long> stores) {
    public enum Kind {
        LEADER, TOMBSTONE
    }

    public PlanFact {
        stores = List.copyOf(stores);
        if (kind == Kind.LEADER && stores.size() != 1) {
            throw new IllegalArgumentException("a leader fact names one store: " + stores);
        }
    }

    public String render() {
        return "expect " + (stock ? "stock " : "") + "plan " + (kind == Kind.LEADER
                ? "leader r" + region + " store " + stores.get(0)
                : "tombstone r" + region + " stores " + (stores.isEmpty() ? "none"
                        : stores.stream().map(String::valueOf).collect(Collectors.joining(" "))));
    }

    /** {@code t} from the word after {@code plan}: {@code leader rR store S} or {@code tombstone rR stores S...|none}. */
    static PlanFact parse(LineWords w, String[] t, int at, boolean stock) {
        String form = "expect [stock] plan leader rR store S' or 'expect [stock] plan tombstone rR stores S...|none";
        if (t.length < at + 4) {
            throw w.err("expected '" + form + "'");
        }
        long region = w.region(t[at + 1]);
        if (t[at].equals("leader") && t[at + 2].equals("store") && t.length == at + 4) {
            return new PlanFact(stock, Kind.LEADER, region, List.of(w.num(t[at + 3], "store id")));
        }
        if (t[at].equals("tombstone") && t[at + 2].equals("stores")) {
            if (t.length == at + 4 && t[at + 3].equals("none")) {
                return new PlanFact(stock, Kind.TOMBSTONE, region, List.of());
            }
            java.util.TreeSet<Long> stores = new java.util.TreeSet<>();
            for (int i = at + 3; i < t.length; i++) {
                if (!stores.add(w.num(t[i], "store id"))) {
                    throw w.err("store " + t[i] + " is named twice");
                }
            }
            return new PlanFact(stock, Kind.TOMBSTONE, region, List.copyOf(stores));
        }
        throw w.err("expected '" + form + "'");
    }
}
