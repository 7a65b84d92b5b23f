package io.phybr.adviser.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The planner of SPEC §4: region reports in, a plan or a refusal out. Pure and deterministic —
 * no I/O, no clocks, no hash iteration order: the same reports in any arrival order give the same
 * plan, byte for byte. Every pass works on primitive columns and index permutations.
 *
 * <p>A {@link Run} sorts the rows into regions and holds the columns every rule reads; each rule is its own
 * class: {@link Malformed} (1), {@link Leaders} (2, with {@link PolicyFields}), {@link Overlaps} (3),
 * {@link Coverage} (4), then {@link LeaderBalancer} (BR's tie moves).
 */
public final class Planner {
    static final byte FATE_KEPT = 0;
    static final byte FATE_DROPPED = 1;
    static final byte FATE_GONE = 2;

    private static final HexFormat HEX = HexFormat.of();

    private Planner() {
    }

    public static PlanOutcome plan(ReplicaTable t, PlanOptions options) {
        return new Run(t, options).run(null);
    }

    /**
     * As {@link #plan}, with {@code beforePlan} editing the decided columns (leaders, fates) just before the plan is
     * built: the seam of the mutation tests' deliberately broken planners. Not for production callers.
     */
    static PlanOutcome plan(ReplicaTable t, PlanOptions options, java.util.function.Consumer<Run> beforePlan) {
        return new Run(t, options).run(beforePlan);
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
        final PolicyFields rowFields; // the table's columns, addressed by row
        int[] perm;          // rows sorted by (region, store)
        int[] storeAt;       // storeAt[j]: index in stores of row perm[j]
        long[] targetTerm;   // seed protocol: the highest term among region g's replicas (0 if none)
        int m;               // regions
        long[] regionIds;
        int[] groupStart;    // region g's rows are perm[groupStart[g] .. groupStart[g+1])
        private int[] byFirstRow; // see byFirstRow()
        int[] leaderRow;     // -1 when no live replica
        byte[] leaderRule;
        byte[] tieMask;      // BR: where region g's leader may move (Leaders#tieMask), 0 if it may not
        byte[] fate;
        int[] droppedBy;     // region index of the kept region that displaced it, or -1
        List<Hole> holes = List.of();

        Run(ReplicaTable t, PlanOptions o) {
            this.t = t;
            this.o = o;
            this.n = t.size();
            this.keys = t.keys;
            t.dropReserve(); // the table is complete: key pages reserved for rows that never came go back
            this.stores = t.stores();
            // commit_index is read by BR's rank only (a seed-only table has no such column: it would be zeros)
            this.rowFields = new PolicyFields(t.indexColumn(), t.termColumn(),
                    o.policy() == Policy.BR ? t.commitColumn() : null, t.versionColumn(), t.flagsColumn());
        }

        PlanOutcome run(java.util.function.Consumer<Run> beforePlan) {
            List<ReportProblem> problems = Malformed.validate(t);
            sortAndGroup(problems);
            if (!problems.isEmpty()) {
                return Malformed.refusal(problems);
            }
            chooseLeaders();
            Overlaps overlaps = resolveOverlaps();
            Coverage coverage = new Coverage(this);
            coverage.findHoles(overlaps);
            holes = coverage.holes;
            overlaps = null; // at tens of millions of regions every array counts when the plan is built
            if (!holes.isEmpty() && !o.acceptHoles()) {
                return coverage.refusal();
            }
            if (o.policy() == Policy.BR) {
                LeaderBalancer.balance(this, stores);
            }
            if (beforePlan != null) {
                beforePlan.accept(this);
            }
            Plan plan = new Plan(t, o, perm, m, regionIds, groupStart, leaderRow, leaderRule, fate, droppedBy,
                    List.copyOf(holes), stores, storeAt, targetTerm);
            return plan;
        }

        private void chooseLeaders() {
            Leaders choice = new Leaders(this);
            choice.choose();
            leaderRow = choice.leaderRow;
            leaderRule = choice.leaderRule;
            tieMask = choice.tieMask;
            targetTerm = choice.targetTerm;
        }

        /** Decides the fate of every region; returns the candidates ordered by start key. */
        private Overlaps resolveOverlaps() {
            Overlaps overlaps = new Overlaps(this);
            overlaps.resolve();
            fate = overlaps.fate;
            droppedBy = overlaps.droppedBy;
            return overlaps;
        }

        private void sortAndGroup(List<ReportProblem> problems) {
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
                // Each pass writes only its own positions: on two cores, a half each.
                Parallel.Range pack = (from, to) -> {
                    StoreLookup lookup = new StoreLookup();
                    for (int i = from; i < to; i++) {
                        k[i] = regionCol[i] << storeBits | lookup.index(storeCol[i]);
                    }
                };
                halves(pack);
                Sorting.radix(perm, k, n);
                storeAt = new int[n]; // only now: the sort's own buffers are garbage again
                int[] at = storeAt;
                halves((from, to) -> {
                    for (int j = from; j < to; j++) {
                        at[j] = (int) (k[j] & storeMask);
                        k[j] >>>= storeBits;
                    }
                });
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
                    problems.add(new ReportProblem(t.store(perm[j]), t.regionId(perm[j]), "the store reported the region twice"));
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

        /** Runs a task over [0, n) on two cores when n is worth it. */
        private void halves(Parallel.Range task) {
            if (Parallel.worth(n)) {
                Parallel.halves(0, n, task);
            } else {
                task.run(0, n);
            }
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

        /**
         * The regions ordered by the table row of their first replica (their lowest store index's row): the order in
         * which a phase that reads every replica's columns reads the table nearly sequentially (rows arrive store by
         * store in key order, region ids are scattered over key order). Any order gives the same plan; this one is
         * only faster. Computed on first use.
         */
        int[] byFirstRow() {
            if (byFirstRow == null) {
                int[] order = new int[m];
                long[] firstRow = new long[m];
                for (int g = 0; g < m; g++) {
                    order[g] = g;
                    firstRow[g] = perm[groupStart[g]];
                }
                Sorting.radix(order, firstRow, m);
                byFirstRow = order;
            }
            return byFirstRow;
        }

        // ---- what the balancer asks about ties ------------------------------------------

        /** Rows of region g that tie with its leader on every policy field, version and range (BR). */
        boolean tiesWithLeader(int g, int row) {
            int l = leaderRow[g];
            long[] cap = cap(g);
            return !t.tombstone(row) && rowFields.compareBr(row, l, cap[0], cap[1]) == 0
                    && Leaders.sameEpochAndRange(t, row, l);
        }

        /**
         * {@link PolicyFields#majorityTerm} and {@link PolicyFields#capIndex} of region g (the balancer asks per tied
         * row of a region too wide for a tie mask): its rows' columns copied into a block of their own, so both are
         * computed by the code the leader choice runs.
         */
        long[] cap(int g) {
            int from = groupStart[g];
            int len = groupStart[g + 1] - from;
            // per call: the balancer may ask from several threads one day
            PolicyFields region = new PolicyFields(new long[len], new long[len], null, null, new byte[len]);
            for (int x = 0; x < len; x++) {
                int row = perm[from + x];
                region.index[x] = rowFields.index[row];
                region.term[x] = rowFields.term[row];
                region.flags[x] = rowFields.flags[row];
            }
            long[] scratch = new long[len];
            long majority = region.majorityTerm(0, len, scratch);
            return new long[] {majority, region.capIndex(0, len, majority, scratch)};
        }
    }
}
