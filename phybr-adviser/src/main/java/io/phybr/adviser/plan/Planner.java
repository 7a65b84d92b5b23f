package io.phybr.adviser.plan;

import io.phybr.adviser.text.Texts;
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

        final long[] stores; // every store id, ascending
        final Fields rowFields; // the table's columns, addressed by row
        int[] perm;          // rows sorted by (region, store)
        int[] storeAt;       // storeAt[j]: index in stores of row perm[j]
        long[] targetTerm;   // seed protocol: the highest term among region g's replicas (0 if none)
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
            this.stores = t.stores();
            this.rowFields = new Fields(t.indexColumn(), t.termColumn(), t.commitColumn(), t.versionColumn(), t.flagsColumn());
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
            byStart = null; // at tens of millions of regions every array counts when the plan is built
            if (!holes.isEmpty() && !o.acceptHoles()) {
                return holeRefusal();
            }
            if (o.policy() == Policy.BR) {
                LeaderBalancer.balance(this, stores);
            }
            return new Plan(t, o, perm, m, regionIds, groupStart, leaderRow, leaderRule, fate, droppedBy,
                    List.copyOf(holes), stores, storeAt, targetTerm);
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
            long[] regionCol = t.regionColumn();
            long[] storeCol = t.storeColumn();
            long maxRegion = 0;
            for (int i = 0; i < n; i++) {
                maxRegion |= regionCol[i];
            }
            int storeBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, stores.length - 1));
            long storeMask = (1L << storeBits) - 1;
            long[] k = new long[n];
            if (64 - Long.numberOfLeadingZeros(maxRegion) + storeBits <= 63) {
                // One sort by (region, store index) packed in a long: the sorted keys then give
                // region ids and store indices sequentially, with no random reads of the columns.
                StoreLookup lookup = new StoreLookup();
                for (int i = 0; i < n; i++) {
                    k[i] = regionCol[i] << storeBits | lookup.index(storeCol[i]);
                }
                Sorting.radix(perm, k, n);
                storeAt = new int[n]; // only now: the sort's own buffers are garbage again
                for (int j = 0; j < n; j++) {
                    storeAt[j] = (int) (k[j] & storeMask);
                    k[j] >>>= storeBits;
                }
            } else {
                // Ids too wide to pack: stable sorts by store index, then by region.
                StoreLookup lookup = new StoreLookup();
                for (int i = 0; i < n; i++) {
                    k[i] = lookup.index(storeCol[i]);
                }
                Sorting.radix(perm, k, n);
                for (int j = 0; j < n; j++) {
                    k[j] = regionCol[perm[j]];
                }
                Sorting.radix(perm, k, n);
                storeAt = new int[n];
                for (int j = 0; j < n; j++) {
                    storeAt[j] = lookup.index(storeCol[perm[j]]);
                }
            }
            // k now holds the region id of every sorted position.
            int groups = 0;
            for (int j = 0; j < n; j++) {
                if (j == 0 || k[j] != k[j - 1]) {
                    groups++;
                } else if (storeAt[j] == storeAt[j - 1]) {
                    problems.add(new Problem(t.store(perm[j]), t.regionId(perm[j]), "the store reported the region twice"));
                }
            }
            m = groups;
            regionIds = new long[m];
            groupStart = new int[m + 1];
            int g = -1;
            for (int j = 0; j < n; j++) {
                if (j == 0 || k[j] != k[j - 1]) {
                    g++;
                    regionIds[g] = k[j];
                    groupStart[g] = j;
                }
            }
            groupStart[m] = n;
        }

        /** Store id to its index in {@link #stores}; rows come in long runs of one store, so the last answer is kept. */
        private final class StoreLookup {
            private long lastStore = Long.MIN_VALUE;
            private int lastIndex;

            int index(long store) {
                if (store != lastStore) {
                    lastIndex = Arrays.binarySearch(stores, store);
                    lastStore = store;
                }
                return lastIndex;
            }
        }

        private Refusal malformed(List<Problem> problems) {
            problems.sort(null);
            List<String> lines = new ArrayList<>(problems.size());
            for (Problem p : problems) {
                lines.add(p.toString());
            }
            StringBuilder sb = new StringBuilder("Refusing to plan: ").append(problems.size())
                    .append(problems.size() == 1 ? " malformed region report: " : " malformed region reports: ");
            Texts.appendListed(sb, lines, lines.size());
            sb.append(". No command was sent to any store; fix or re-collect the reports of the named stores.");
            return new Refusal(Refusal.Kind.MALFORMED, sb.toString(), lines);
        }

        // ---- rule 2: leaders ---------------------------------------------------------------

        /**
         * The policy fields the leader choice compares, as parallel columns: either the table's own
         * (addressed by row) or a block of them gathered in region order (addressed by position).
         */
        static final class Fields {
            long[] index;
            long[] term;
            long[] commit;
            long[] version;
            byte[] flags;
            long[] scratch = new long[16]; // one region's live terms, for its majority term (BR)

            Fields(long[] index, long[] term, long[] commit, long[] version, byte[] flags) {
                this.index = index;
                this.term = term;
                this.commit = commit;
                this.version = version;
                this.flags = flags;
            }

            boolean tombstone(int i) {
                return (flags[i] & ReplicaTable.TOMBSTONE) != 0;
            }

            /**
             * Whether a beats b as leader: policy key, then (BR) newer version; equal otherwise. {@code majorityTerm}
             * is the region's {@link #majorityTerm} (BR only).
             */
            boolean better(int a, int b, boolean seed, long majorityTerm) {
                int c = seed ? compareSeed(a, b) : compareBr(a, b, majorityTerm);
                if (c != 0) {
                    return c > 0;
                }
                return !seed && version[a] > version[b];
            }

            int compareSeed(int a, int b) {
                int c = Long.compare(index[a], index[b]);
                return c != 0 ? c : Long.compare(term[a], term[b]);
            }

            /**
             * BR's key (last_log_term, last_index, commit_index) with last_log_term capped at the region's majority
             * term, then a replica whose term a majority reached before one whose term nobody else saw (see
             * {@link #majorityTerm}).
             */
            int compareBr(int a, int b, long majorityTerm) {
                int c = Long.compare(Math.min(term[a], majorityTerm), Math.min(term[b], majorityTerm));
                if (c != 0) {
                    return c;
                }
                c = Long.compare(index[a], index[b]);
                if (c != 0) {
                    return c;
                }
                c = Long.compare(commit[a], commit[b]);
                return c != 0 ? c : Boolean.compare(term[a] <= majorityTerm, term[b] <= majorityTerm);
            }

            /**
             * The highest term a majority of the live replicas at positions [lo, hi) (tombstones skipped) reached in
             * their hard state: the median-or-above value, {@code live/2+1}-th largest. TiKV reports the hard-state
             * term as last_log_term (SPEC R2, tikv {@code region_meta_collector.rs}); an entry of term T exists only
             * if a leader of T won a majority of votes, and a voter persists T in its hard state before it votes. So
             * no replica's last entry can be of a term above this one, and a last_log_term above it is a vote or a
             * failed campaign (a cut-off replica, an old leader campaigning in vain) — it says nothing about how up
             * to date the log is, and ranking by it picks a replica that loses the forced election (R3).
             * {@code scratch} holds at least hi - lo longs.
             */
            long majorityTerm(int lo, int hi, long[] scratch) {
                int live = 0;
                for (int x = lo; x < hi; x++) {
                    if (!tombstone(x)) {
                        scratch[live++] = term[x];
                    }
                }
                return majorityOf(scratch, live);
            }

            /** The {@code live/2+1}-th largest of {@code terms[0, live)} (reordered), 0 for none. */
            static long majorityOf(long[] terms, int live) {
                boolean same = true;
                for (int x = 1; x < live && same; x++) {
                    same = terms[x] == terms[0];
                }
                if (live == 0 || same) {
                    return live == 0 ? 0 : terms[0]; // every replica at one term: the usual case after a quiet backup
                }
                Arrays.sort(terms, 0, live);
                return terms[live - (live / 2 + 1)];
            }
        }

        /** Rows per gathered block: the block's columns stay in L1/L2 while its regions are decided. */
        private static final int BLOCK = 1024;

        private void chooseLeaders() {
            leaderRow = new int[m];
            leaderRule = new byte[m];
            tied = new boolean[m];
            boolean seed = o.policy() == Policy.SEED;
            targetTerm = o.protocol() == Protocol.SEED ? new long[m] : null;
            // Each region's leader depends on its own rows only and is written to its own slots, so the two
            // halves of the regions are decided on two cores with the one-core result.
            if (Parallel.worth(n)) {
                Parallel.halves(0, m, (from, to) -> chooseLeaders(from, to, seed));
            } else {
                chooseLeaders(0, m, seed);
            }
        }

        private void chooseLeaders(int gFrom, int gTo, boolean seed) {
            // Rows of consecutive regions are scattered over the table: gather a block of them first
            // (independent loads the CPU overlaps), then decide the block's regions from the copy.
            Fields col = rowFields;
            Fields b = new Fields(new long[BLOCK], new long[BLOCK], new long[BLOCK], new long[BLOCK], new byte[BLOCK]);
            for (int g0 = gFrom; g0 < gTo; ) {
                int from = groupStart[g0];
                int g1 = g0 + 1;
                while (g1 < gTo && groupStart[g1 + 1] - from <= BLOCK) {
                    g1++;
                }
                int len = groupStart[g1] - from;
                if (len > b.index.length) { // one region reported by more stores than a block holds
                    b = new Fields(new long[len], new long[len], new long[len], new long[len], new byte[len]);
                }
                for (int x = 0; x < len; x++) {
                    int i = perm[from + x];
                    b.index[x] = col.index[i];
                    b.term[x] = col.term[i];
                    b.commit[x] = col.commit[i];
                    b.version[x] = col.version[i];
                    b.flags[x] = col.flags[i];
                }
                for (int g = g0; g < g1; g++) {
                    chooseLeader(g, b, groupStart[g] - from, groupStart[g + 1] - from, from, seed);
                }
                g0 = g1;
            }
        }

        /** Region g's replicas are block positions [lo, hi); position x is sorted position base + x. */
        private void chooseLeader(int g, Fields b, int lo, int hi, int base, boolean seed) {
            if (targetTerm != null) {
                long target = 0;
                for (int x = lo; x < hi; x++) {
                    target = Math.max(target, b.term[x]);
                }
                targetTerm[g] = target;
            }
            if (!seed && b.scratch.length < hi - lo) {
                b.scratch = new long[hi - lo];
            }
            long majority = seed ? 0 : b.majorityTerm(lo, hi, b.scratch);
            int best = -1;
            int live = 0;
            for (int x = lo; x < hi; x++) {
                if (b.tombstone(x)) {
                    continue;
                }
                live++;
                // Rows are in store order, so on a full tie the lower store stays best.
                if (best < 0 || b.better(x, best, seed, majority)) {
                    best = x;
                }
            }
            leaderRow[g] = best < 0 ? -1 : perm[base + best];
            if (best < 0) {
                leaderRule[g] = (byte) Rule.NO_LIVE_REPLICA.ordinal();
            } else if (live == 1) {
                leaderRule[g] = (byte) Rule.ONLY_LIVE_REPLICA.ordinal();
            } else {
                leaderRule[g] = (byte) decidingRule(g, b, lo, hi, base, best, seed, majority).ordinal();
            }
        }

        /** The deepest policy field needed to beat every other live replica; ties name their breaker. */
        private Rule decidingRule(int g, Fields b, int lo, int hi, int base, int leader, boolean seed, long majority) {
            int depth = 0;
            boolean sameRangeTie = false;
            boolean otherTie = false;
            for (int x = lo; x < hi; x++) {
                if (x == leader || b.tombstone(x)) {
                    continue;
                }
                int d;
                if (seed) {
                    d = b.index[x] != b.index[leader] ? 0 : b.term[x] != b.term[leader] ? 1 : 2;
                } else {
                    d = Math.min(b.term[x], majority) != Math.min(b.term[leader], majority) ? 0
                            : b.index[x] != b.index[leader] ? 1 : b.commit[x] != b.commit[leader] ? 2
                            : (b.term[x] <= majority) != (b.term[leader] <= majority) ? 3 : 4;
                }
                depth = Math.max(depth, d);
                if (d == (seed ? 2 : 4)) {
                    if (!seed && sameEpochAndRange(perm[base + x], perm[base + leader])) {
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
            return depth == 0 ? Rule.HIGHEST_LAST_LOG_TERM : depth == 1 ? Rule.HIGHEST_LAST_INDEX
                    : depth == 2 ? Rule.HIGHEST_COMMIT_INDEX : Rule.TERM_REACHED_BY_MAJORITY;
        }

        boolean sameEpochAndRange(int a, int b) {
            return t.version(a) == t.version(b)
                    && keys.compare(t.startAddr(a), t.startLen(a), t.startAddr(b), t.startLen(b)) == 0
                    && keys.compare(t.endAddr(a), t.endLen(a), t.endAddr(b), t.endLen(b)) == 0;
        }

        /** Rows of region g that tie with its leader on every policy field, version and range (BR). */
        boolean tiesWithLeader(int g, int row) {
            int l = leaderRow[g];
            return !t.tombstone(row) && rowFields.compareBr(row, l, majorityTerm(g)) == 0 && sameEpochAndRange(row, l);
        }

        /** {@link Fields#majorityTerm} of region g, read from the table's rows (the balancer asks per tied row). */
        long majorityTerm(int g) {
            int from = groupStart[g];
            int to = groupStart[g + 1];
            long[] scratch = new long[to - from]; // per call: the balancer may ask from several threads one day
            int live = 0;
            for (int j = from; j < to; j++) {
                if (!rowFields.tombstone(perm[j])) {
                    scratch[live++] = rowFields.term[perm[j]];
                }
            }
            return Fields.majorityOf(scratch, live);
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
            long maxVersion = 0;
            for (int g = 0, k = 0; g < m; g++) {
                if (leaderRow[g] >= 0) {
                    byVersion[k] = g;
                    versionKey[k] = t.version(leaderRow[g]);
                    maxVersion = Math.max(maxVersion, versionKey[k]);
                    k++;
                }
            }
            // Highest version first; the stable sort keeps region id order within a version. Keys
            // count down from the highest version seen, so they are as narrow as the versions are.
            for (int k = 0; k < c; k++) {
                versionKey[k] = maxVersion - versionKey[k];
            }
            Sorting.radix(byVersion, versionKey, c);

            // The key order is total (ties broken by region id), so the sort's input order is free:
            // feed it in leader row order. Reports arrive store by store in key order, so the first
            // chunk gathers then walk the key arena nearly sequentially instead of at random.
            int[] byStart = new int[c];
            long[] rowKey = versionKey; // reused: the version keys are no longer needed
            for (int g = 0, k = 0; g < m; g++) {
                if (leaderRow[g] >= 0) {
                    byStart[k] = g;
                    rowKey[k] = leaderRow[g];
                    k++;
                }
            }
            Sorting.radix(byStart, rowKey, c);
            versionKey = null;
            rowKey = null;
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
            // Walk the kept regions in key order; 'covered' is the end of what is tiled so far, held as
            // the arena address of a kept region's end key: keys are copied out only for a hole.
            long coveredAddr = 0;
            int coveredLen = 0;
            boolean toInfinity = false;
            boolean first = true;
            for (int g : byStart) {
                if (fate[g] != FATE_KEPT) {
                    continue;
                }
                int l = leaderRow[g];
                long startAddr = t.startAddr(l);
                int startLen = t.startLen(l);
                if (first ? startLen > 0 : keys.compare(startAddr, startLen, coveredAddr, coveredLen) > 0) {
                    holes.add(new Hole(first ? new byte[0] : keys.copy(coveredAddr, coveredLen), t.startKey(l)));
                }
                first = false;
                if (t.endLen(l) == 0) {
                    toInfinity = true;
                    break;
                }
                coveredAddr = t.endAddr(l);
                coveredLen = t.endLen(l);
            }
            if (first) {
                holes.add(new Hole(new byte[0], new byte[0]));
            } else if (!toInfinity) {
                holes.add(new Hole(keys.copy(coveredAddr, coveredLen), new byte[0]));
            }
        }

        private Refusal holeRefusal() {
            List<String> lines = new ArrayList<>();
            for (int h = 0; h < holes.size(); h++) {
                Hole hole = holes.get(h);
                StringBuilder line = new StringBuilder("hole ").append(hole);
                if (h < Texts.MAX_LISTED) {
                    line.append(" was covered ").append(coveringReplicas(hole));
                }
                lines.add(line.toString());
            }
            StringBuilder sb = new StringBuilder("Refusing to plan: the regions that survive do not cover the whole key space; ")
                    .append(holes.size()).append(holes.size() == 1 ? " hole: " : " holes: ");
            Texts.appendListed(sb, lines, lines.size());
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
