package io.phybr.adviser.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The planner of SPEC §4: region reports in, a plan or a refusal out. Pure and deterministic —
 * no I/O, no clocks, no hash iteration order: the same reports in any arrival order give the same
 * plan, byte for byte. Every pass works on primitive columns and index permutations.
 */
public final class Planner {
    static final byte FATE_KEPT = 0;
    static final byte FATE_DROPPED = 1;
    static final byte FATE_GONE = 2;

    /** Problems listed in a refusal before "and N more". */
    private static final int MAX_LISTED = 12;
    private static final HexFormat HEX = HexFormat.of();

    private Planner() {
    }

    public static PlanOutcome plan(ReplicaTable t, PlanOptions options) {
        return new Run(t, options).run();
    }

    static String hex(byte[] key) {
        return HEX.formatHex(key);
    }

    /** One planning pass; holds the intermediate columns. */
    static final class Run {
        final ReplicaTable t;
        final PlanOptions o;
        final int n;
        final KeyArena keys;

        int[] perm;          // rows sorted by (region, store)
        int m;               // regions
        long[] regionIds;
        int[] groupStart;    // region g's rows are perm[groupStart[g] .. groupStart[g+1])
        int[] leaderRow;     // -1 when no live replica
        byte[] leaderRule;
        boolean[] tied;      // BR: leader may move among equal replicas
        byte[] fate;
        int[] droppedBy;     // region index of the kept region that displaced it, or -1
        final List<Hole> holes = new ArrayList<>();

        Run(ReplicaTable t, PlanOptions o) {
            this.t = t;
            this.o = o;
            this.n = t.size();
            this.keys = t.keys;
        }

        PlanOutcome run() {
            List<Problem> problems = validate();
            sortAndGroup(problems);
            if (!problems.isEmpty()) {
                return malformed(problems);
            }
            chooseLeaders();
            int[] byStart = resolveOverlaps();
            findHoles(byStart);
            if (!holes.isEmpty() && !o.acceptHoles()) {
                return holeRefusal();
            }
            long[] stores = t.stores();
            if (o.policy() == Policy.BR) {
                LeaderBalancer.balance(this, stores);
            }
            return new Plan(t, o, perm, m, regionIds, groupStart, leaderRow, leaderRule, fate, droppedBy,
                    List.copyOf(holes), stores);
        }

        // ---- rule 1: malformed input -------------------------------------------------------

        private List<Problem> validate() {
            List<Problem> problems = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long s = t.store(i);
                long r = t.regionId(i);
                if (s <= 0) {
                    problems.add(new Problem(s, r, "store id " + Long.toUnsignedString(s) + " is out of range (1..2^63-1)"));
                }
                if (r <= 0) {
                    problems.add(new Problem(s, r, "region id " + Long.toUnsignedString(r) + " is out of range (1..2^63-1)"));
                }
                if (t.index(i) < 0 || t.term(i) < 0 || t.commitIndex(i) < 0 || t.version(i) < 0 || t.peerId(i) < 0) {
                    problems.add(new Problem(s, r, "an index, term, version or peer id is above 2^63-1"));
                }
                if (t.endLen(i) > 0 && keys.compare(t.startAddr(i), t.startLen(i), t.endAddr(i), t.endLen(i)) >= 0) {
                    problems.add(new Problem(s, r, "start_key " + hex(t.startKey(i)) + " is not below end_key "
                            + hex(t.endKey(i))));
                }
            }
            return problems;
        }

        private void sortAndGroup(List<Problem> problems) {
            perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            if (!problems.isEmpty()) {
                // Out-of-range ids would break the radix sort; report what we have.
                return;
            }
            Sorting.radixByColumn(perm, n, t.regionColumn());
            // Groups are a handful of replicas: order each by store in place.
            long[] storeCol = t.storeColumn();
            long[] regionCol = t.regionColumn();
            for (int a = 0; a < n; ) {
                int b = a + 1;
                while (b < n && regionCol[perm[b]] == regionCol[perm[a]]) {
                    b++;
                }
                for (int i = a + 1; i < b; i++) {
                    int v = perm[i];
                    int j = i - 1;
                    while (j >= a && storeCol[perm[j]] > storeCol[v]) {
                        perm[j + 1] = perm[j];
                        j--;
                    }
                    perm[j + 1] = v;
                }
                a = b;
            }
            int groups = 0;
            for (int j = 0; j < n; j++) {
                if (j == 0 || t.regionId(perm[j]) != t.regionId(perm[j - 1])) {
                    groups++;
                } else if (t.store(perm[j]) == t.store(perm[j - 1])) {
                    problems.add(new Problem(t.store(perm[j]), t.regionId(perm[j]), "the store reported the region twice"));
                }
            }
            m = groups;
            regionIds = new long[m];
            groupStart = new int[m + 1];
            int g = -1;
            for (int j = 0; j < n; j++) {
                if (j == 0 || t.regionId(perm[j]) != t.regionId(perm[j - 1])) {
                    g++;
                    regionIds[g] = t.regionId(perm[j]);
                    groupStart[g] = j;
                }
            }
            groupStart[m] = n;
        }

        private Refusal malformed(List<Problem> problems) {
            problems.sort(null);
            List<String> lines = new ArrayList<>(problems.size());
            for (Problem p : problems) {
                lines.add(p.toString());
            }
            StringBuilder sb = new StringBuilder("Refusing to plan: ").append(problems.size())
                    .append(problems.size() == 1 ? " malformed region report: " : " malformed region reports: ");
            appendListed(sb, lines);
            sb.append(". No command was sent to any store; fix or re-collect the reports of the named stores.");
            return new Refusal(Refusal.Kind.MALFORMED, sb.toString(), lines);
        }

        // ---- rule 2: leaders ---------------------------------------------------------------

        private void chooseLeaders() {
            leaderRow = new int[m];
            leaderRule = new byte[m];
            tied = new boolean[m];
            boolean seed = o.policy() == Policy.SEED;
            for (int g = 0; g < m; g++) {
                int best = -1;
                int live = 0;
                for (int j = groupStart[g]; j < groupStart[g + 1]; j++) {
                    int i = perm[j];
                    if (t.tombstone(i)) {
                        continue;
                    }
                    live++;
                    // Rows are in store order, so on a full tie the lower store stays best.
                    if (best < 0 || better(i, best, seed)) {
                        best = i;
                    }
                }
                leaderRow[g] = best;
                if (best < 0) {
                    leaderRule[g] = (byte) Rule.NO_LIVE_REPLICA.ordinal();
                } else if (live == 1) {
                    leaderRule[g] = (byte) Rule.ONLY_LIVE_REPLICA.ordinal();
                } else {
                    leaderRule[g] = (byte) decidingRule(g, best, seed).ordinal();
                }
            }
        }

        /** Whether row a beats row b as leader: policy key, then (BR) newer version; equal otherwise. */
        private boolean better(int a, int b, boolean seed) {
            int c = seed ? compareSeed(a, b) : compareBr(a, b);
            if (c != 0) {
                return c > 0;
            }
            return !seed && t.version(a) > t.version(b);
        }

        private int compareSeed(int a, int b) {
            int c = Long.compare(t.index(a), t.index(b));
            return c != 0 ? c : Long.compare(t.term(a), t.term(b));
        }

        private int compareBr(int a, int b) {
            int c = Long.compare(t.term(a), t.term(b));
            if (c != 0) {
                return c;
            }
            c = Long.compare(t.index(a), t.index(b));
            return c != 0 ? c : Long.compare(t.commitIndex(a), t.commitIndex(b));
        }

        /** The deepest policy field needed to beat every other live replica; ties name their breaker. */
        private Rule decidingRule(int g, int leader, boolean seed) {
            int depth = 0;
            boolean sameRangeTie = false;
            boolean otherTie = false;
            for (int j = groupStart[g]; j < groupStart[g + 1]; j++) {
                int i = perm[j];
                if (i == leader || t.tombstone(i)) {
                    continue;
                }
                int d;
                if (seed) {
                    d = t.index(i) != t.index(leader) ? 0 : t.term(i) != t.term(leader) ? 1 : 2;
                } else {
                    d = t.term(i) != t.term(leader) ? 0 : t.index(i) != t.index(leader) ? 1
                            : t.commitIndex(i) != t.commitIndex(leader) ? 2 : 3;
                }
                depth = Math.max(depth, d);
                if (d == (seed ? 2 : 3)) {
                    if (!seed && sameEpochAndRange(i, leader)) {
                        sameRangeTie = true;
                    } else {
                        otherTie = true;
                    }
                }
            }
            if (seed) {
                return depth == 0 ? Rule.HIGHEST_APPLIED_INDEX : depth == 1 ? Rule.HIGHEST_TERM : Rule.TIE_LOWEST_STORE;
            }
            if (sameRangeTie) {
                tied[g] = true;
                return Rule.TIE_BALANCED;
            }
            if (otherTie) {
                return Rule.TIE_HIGHER_VERSION;
            }
            return depth == 0 ? Rule.HIGHEST_LAST_LOG_TERM : depth == 1 ? Rule.HIGHEST_LAST_INDEX : Rule.HIGHEST_COMMIT_INDEX;
        }

        boolean sameEpochAndRange(int a, int b) {
            return t.version(a) == t.version(b)
                    && keys.compare(t.startAddr(a), t.startLen(a), t.startAddr(b), t.startLen(b)) == 0
                    && keys.compare(t.endAddr(a), t.endLen(a), t.endAddr(b), t.endLen(b)) == 0;
        }

        /** Rows of region g that tie with its leader on every policy field, version and range (BR). */
        boolean tiesWithLeader(int g, int row) {
            int l = leaderRow[g];
            return !t.tombstone(row) && compareBr(row, l) == 0 && sameEpochAndRange(row, l);
        }

        // ---- rule 3: overlaps --------------------------------------------------------------

        /** Decides the fate of every region; returns the candidate regions ordered by start key. */
        private int[] resolveOverlaps() {
            fate = new byte[m];
            droppedBy = new int[m];
            Arrays.fill(droppedBy, -1);
            int c = 0;
            for (int g = 0; g < m; g++) {
                if (leaderRow[g] < 0) {
                    fate[g] = FATE_GONE;
                } else {
                    c++;
                }
            }
            int[] byVersion = new int[c];
            long[] versionKey = new long[c];
            for (int g = 0, k = 0; g < m; g++) {
                if (leaderRow[g] >= 0) {
                    byVersion[k] = g;
                    // Highest version first; the stable sort keeps region id order within a version.
                    versionKey[k] = Long.MAX_VALUE - t.version(leaderRow[g]);
                    k++;
                }
            }
            Sorting.radix(byVersion, versionKey, c);

            int[] byStart = new int[c];
            System.arraycopy(byVersion, 0, byStart, 0, c);
            Sorting.sortByKey(byStart, c, new Sorting.KeySource() {
                @Override
                public long chunk(int g, int depth) {
                    int l = leaderRow[g];
                    return keys.chunk(t.startAddr(l), t.startLen(l), depth);
                }

                @Override
                public int length(int g) {
                    return t.startLen(leaderRow[g]);
                }

                @Override
                public int compare(int a, int b) {
                    int la = leaderRow[a];
                    int lb = leaderRow[b];
                    int cmp = keys.compare(t.startAddr(la), t.startLen(la), t.startAddr(lb), t.startLen(lb));
                    return cmp != 0 ? cmp : Long.compare(regionIds[a], regionIds[b]);
                }
            });
            int[] position = new int[m];
            for (int p = 0; p < c; p++) {
                position[byStart[p]] = p;
            }
            // below[p]: how many candidates start before the end of the candidate at p. Usually the
            // next candidate starts exactly where this one ends, so one comparison settles it.
            int[] below = new int[c];
            for (int p = 0; p < c; p++) {
                int l = leaderRow[byStart[p]];
                if (t.endLen(l) == 0) {
                    below[p] = c;
                } else if (p + 1 == c || startNotBelow(byStart[p + 1], l)) {
                    below[p] = p + 1;
                } else {
                    below[p] = lowerBound(byStart, p + 1, c, t.endAddr(l), t.endLen(l));
                }
            }

            // Kept regions are disjoint, so only the kept region starting last before our end can
            // overlap us, and it does iff its end is above our start, i.e. iff we start among the
            // candidates below its end: all integer work, no key comparison.
            PredecessorSet kept = new PredecessorSet(c);
            for (int k = 0; k < c; k++) {
                int g = byVersion[k];
                int pg = position[g];
                int p = kept.floor(below[pg] - 1);
                if (p >= 0 && below[p] > pg) {
                    fate[g] = FATE_DROPPED;
                    droppedBy[g] = byStart[p];
                } else {
                    fate[g] = FATE_KEPT;
                    kept.add(pg);
                }
            }
            return byStart;
        }

        private boolean startNotBelow(int g, int endRow) {
            int l = leaderRow[g];
            return keys.compare(t.startAddr(l), t.startLen(l), t.endAddr(endRow), t.endLen(endRow)) >= 0;
        }

        /** The first position in [lo, hi) whose start key is not below the given key. */
        private int lowerBound(int[] byStart, int lo, int hi, long addr, int len) {
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                int l = leaderRow[byStart[mid]];
                if (keys.compare(t.startAddr(l), t.startLen(l), addr, len) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        // ---- rule 4: coverage --------------------------------------------------------------

        private void findHoles(int[] byStart) {
            // Walk the kept regions in key order; 'covered' is the end of what is tiled so far.
            byte[] coveredUpTo = new byte[0];
            boolean toInfinity = false;
            boolean first = true;
            for (int g : byStart) {
                if (fate[g] != FATE_KEPT) {
                    continue;
                }
                int l = leaderRow[g];
                byte[] start = t.startKey(l);
                if (first ? start.length > 0 : Arrays.compareUnsigned(start, coveredUpTo) > 0) {
                    holes.add(new Hole(first ? new byte[0] : coveredUpTo, start));
                }
                first = false;
                if (t.endLen(l) == 0) {
                    toInfinity = true;
                    break;
                }
                coveredUpTo = t.endKey(l);
            }
            if (first) {
                holes.add(new Hole(new byte[0], new byte[0]));
            } else if (!toInfinity) {
                holes.add(new Hole(coveredUpTo, new byte[0]));
            }
        }

        private Refusal holeRefusal() {
            List<String> lines = new ArrayList<>();
            for (int h = 0; h < holes.size(); h++) {
                Hole hole = holes.get(h);
                StringBuilder line = new StringBuilder("hole ").append(hole);
                if (h < MAX_LISTED) {
                    line.append(" was covered ").append(coveringReplicas(hole));
                }
                lines.add(line.toString());
            }
            StringBuilder sb = new StringBuilder("Refusing to plan: the regions that survive do not cover the whole key space; ")
                    .append(holes.size()).append(holes.size() == 1 ? " hole: " : " holes: ");
            appendListed(sb, lines);
            sb.append(". Recovering now would lose the data in ").append(holes.size() == 1 ? "it" : "them")
                    .append(", so no command was sent to any store. Make sure every store reported"
                            + " (a missing store is the usual cause), or accept the loss explicitly with --accept-holes.");
            return new Refusal(Refusal.Kind.HOLE, sb.toString(), lines);
        }

        /** The replicas of dropped or gone regions whose own range overlaps the hole. */
        private String coveringReplicas(Hole hole) {
            List<String> found = new ArrayList<>();
            int total = 0;
            for (int g = 0; g < m; g++) {
                if (fate[g] == FATE_KEPT) {
                    continue;
                }
                for (int j = groupStart[g]; j < groupStart[g + 1]; j++) {
                    int i = perm[j];
                    if (hole.overlaps(t.startKey(i), t.endKey(i))) {
                        if (++total <= 6) {
                            found.add("store " + t.store(i) + " region " + t.regionId(i) + " (version " + t.version(i)
                                    + (t.tombstone(i) ? ", tombstone" : "") + ", "
                                    + (fate[g] == FATE_GONE ? "no live replica" : "displaced by region " + regionIds[droppedBy[g]])
                                    + ")");
                        }
                    }
                }
            }
            if (total == 0) {
                return "by no replica at all";
            }
            String s = "only by " + String.join(", ", found);
            return total > found.size() ? s + " and " + (total - found.size()) + " more" : s;
        }
    }

    private static void appendListed(StringBuilder sb, List<String> lines) {
        int shown = Math.min(MAX_LISTED, lines.size());
        sb.append(String.join("; ", lines.subList(0, shown)));
        if (lines.size() > shown) {
            sb.append("; and ").append(lines.size() - shown).append(" more");
        }
    }

    /** A problem with one report, ordered by region, then store, then text. */
    private record Problem(long store, long region, String what) implements Comparable<Problem> {
        @Override
        public int compareTo(Problem other) {
            int c = Long.compareUnsigned(region, other.region);
            if (c == 0) {
                c = Long.compareUnsigned(store, other.store);
            }
            return c != 0 ? c : what.compareTo(other.what);
        }

        @Override
        public String toString() {
            return "store " + Long.toUnsignedString(store) + " region " + Long.toUnsignedString(region) + ": " + what;
        }
    }
}
