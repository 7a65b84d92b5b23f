package io.phybr.adviser.plan;

import io.phybr.adviser.text.Texts;
import java.util.ArrayList;
import java.util.List;

/** Rule 1 of SPEC §4: reports that cannot be planned from (ids out of range, inverted ranges), and their refusal. */
final class Malformed {
    private Malformed() {
    }

    static List<ReportProblem> validate(ReplicaTable t) {
        int n = t.size();
        if (!Parallel.worth(n)) {
            List<ReportProblem> problems = new ArrayList<>();
            validate(t, 0, n, problems);
            return problems;
        }
        // Each half lists its own rows' problems; the first half's then the second's is the one-core list.
        List<ReportProblem> first = new ArrayList<>();
        List<ReportProblem> second = new ArrayList<>();
        int mid = n >>> 1;
        Parallel.both(() -> validate(t, 0, mid, first), () -> validate(t, mid, n, second));
        first.addAll(second);
        return first;
    }

    private static void validate(ReplicaTable t, int from, int to, List<ReportProblem> problems) {
        KeyArena keys = t.keys;
        for (int i = from; i < to; i++) {
            long s = t.store(i);
            long r = t.regionId(i);
            if (s <= 0) {
                problems.add(new ReportProblem(s, r, "store id " + Long.toUnsignedString(s) + " is out of range (1..2^63-1)"));
            }
            if (r <= 0) {
                problems.add(new ReportProblem(s, r, "region id " + Long.toUnsignedString(r) + " is out of range (1..2^63-1)"));
            }
            if (t.index(i) < 0 || t.term(i) < 0 || t.commitIndex(i) < 0 || t.version(i) < 0 || t.peerId(i) < 0) {
                problems.add(new ReportProblem(s, r, "an index, term, version or peer id is above 2^63-1"));
            }
            if (t.endLen(i) > 0 && keys.compare(t.startAddr(i), t.startLen(i), t.endAddr(i), t.endLen(i)) >= 0) {
                problems.add(new ReportProblem(s, r, "start_key " + Planner.hex(t.startKey(i)) + " is not below end_key "
                        + Planner.hex(t.endKey(i))));
            }
        }
    }

    static Refusal refusal(List<ReportProblem> problems) {
        problems.sort(null);
        List<String> lines = new ArrayList<>(problems.size());
        for (ReportProblem p : problems) {
            lines.add(p.toString());
        }
        StringBuilder sb = new StringBuilder("Refusing to plan: ").append(problems.size())
                .append(problems.size() == 1 ? " malformed region report: " : " malformed region reports: ");
        Texts.appendListed(sb, lines, lines.size());
        sb.append(". No command was sent to any store; fix or re-collect the reports of the named stores.");
        return new Refusal(Refusal.Kind.MALFORMED, sb.toString(), lines);
    }
}
