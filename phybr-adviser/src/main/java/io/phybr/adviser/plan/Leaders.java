package io.phybr.adviser.plan;

/**
 * Rule 2 of SPEC §4: each region's leader among its live replicas, the rule that decided it, and (seed protocol)
 * the term the leader campaigns above. Reads the sorted rows of a {@link Planner.Run}; writes only its own
 * per-region columns, which the run takes over.
 */
final class Leaders {
    private final PlanOptions o;
    private final int n;
    private final int m;
    private final PolicyFields rowFields;
    private final int[] perm;
    private final int[] groupStart;
    private final int[] byFirstRow;
    private final KeyArena keys;
    private final long[] keyAddr;
    private final int[] startLen;
    private final int[] endLen;
    /** Where {@link Ranges#touch}'s loads go, so the JIT keeps them; never read. */
    @SuppressWarnings("unused")
    private volatile long sink;

    int[] leaderRow;     // -1 when no live replica
    byte[] leaderRule;
    /**
     * BR: the replicas region g's leader may move among (itself included), or 0 when it may not move: bit x is
     * sorted position groupStart[g] + x, for the first {@link #MASK_POSITIONS} positions; a wider region sets
     * {@link #WIDE} and the balancer asks {@link Planner.Run#tiesWithLeader} for each of its rows. Recorded here,
     * where the rows are already gathered, so the balancer reads region-ordered columns only.
     */
    byte[] tieMask;
    long[] targetTerm;   // seed protocol: the highest term among region g's replicas (0 if none)

    Leaders(Planner.Run run) {
        this.o = run.o;
        this.n = run.n;
        this.m = run.m;
        this.rowFields = run.rowFields;
        this.perm = run.perm;
        this.groupStart = run.groupStart;
        // The seed policy reads three columns: for it, region order's scattered rows cost less than the indirection.
        this.byFirstRow = run.o.policy() == Policy.SEED ? null : run.byFirstRow();
        this.keys = run.keys;
        this.keyAddr = run.t.keyAddrColumn();
        this.startLen = run.t.startLenColumn();
        this.endLen = run.t.endLenColumn();
    }

    static final int MASK_POSITIONS = 7;
    static final byte WIDE = (byte) 0x80;

    /** Rows per gathered block: the block's columns stay in L1/L2 while its regions are decided. */
    private static final int BLOCK = 1024;
    /** Regions per block: a block of 3-replica regions fills {@link #BLOCK} rows (a larger one grows the block). */
    private static final int BLOCK_REGIONS = BLOCK / 3;

    void choose() {
        leaderRow = new int[m];
        leaderRule = new byte[m];
        tieMask = new byte[m];
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

    private void chooseLeaders(int qFrom, int qTo, boolean seed) {
        // Regions are visited in the order of their rows in the table (byFirstRow), not by id: reports arrive
        // store by store in key order, so one region's replicas sit at about the same place in each store's
        // part of the table, and consecutive regions in this order read each column (and the key arena) in a
        // few nearly sequential streams. Region-id order reads every row at random: a cache and TLB miss per
        // column and row. A block of regions is gathered first, then decided from the copy. The seed policy
        // reads applied index, term and flags only; BR also commit index, version and where each range is.
        // In that order the region-indexed columns (where a region's sorted rows start; the leader, rule and tie
        // mask written) are the scattered ones: each is read or written once per block in a loop of its own,
        // whose loads and stores do not wait on one another, and the decisions work on block-local copies.
        PolicyFields col = rowFields;
        PolicyFields b = block(BLOCK, seed);
        Ranges r = seed ? null : new Ranges(BLOCK);
        Decided out = new Decided(BLOCK_REGIONS);
        int[] lo = new int[BLOCK_REGIONS + 1]; // region out.region[y] is at block positions [lo[y], lo[y + 1])
        int[] rows = new int[BLOCK];
        long touched = 0;
        for (int q0 = qFrom; q0 < qTo; ) {
            // Passes of loads that do not wait on one another (the CPU overlaps them): which regions, where their
            // sorted rows start and end, which rows they are, then the rows' columns. A block is a fixed count of
            // regions, so no load decides where the block ends.
            int q1 = Math.min(qTo, q0 + BLOCK_REGIONS);
            int regions = q1 - q0;
            for (int y = 0; y < regions; y++) {
                out.region[y] = byFirstRow == null ? q0 + y : byFirstRow[q0 + y];
            }
            for (int y = 0; y < regions; y++) {
                int g = out.region[y];
                out.start[y] = groupStart[g];
                out.end[y] = groupStart[g + 1];
            }
            int len = 0;
            for (int y = 0; y < regions; y++) {
                lo[y] = len;
                len += out.end[y] - out.start[y];
            }
            lo[regions] = len;
            if (len > rows.length) { // regions reported by more stores than a block holds
                b = block(len, seed);
                r = seed ? null : new Ranges(len);
                rows = new int[len];
            }
            for (int y = 0; y < regions; y++) {
                int from = out.start[y];
                for (int x = lo[y], to = lo[y + 1]; x < to; x++) {
                    rows[x] = perm[from++];
                }
            }
            for (int x = 0; x < len; x++) {
                int i = rows[x];
                b.index[x] = col.index[i];
                b.term[x] = col.term[i];
                b.flags[x] = col.flags[i];
            }
            if (!seed) {
                for (int x = 0; x < len; x++) {
                    int i = rows[x];
                    b.commit[x] = col.commit[i];
                    b.version[x] = col.version[i];
                    r.addr[x] = keyAddr[i];
                    r.startLen[x] = startLen[i];
                    r.endLen[x] = endLen[i];
                }
            }
            if (!seed) {
                touched += r.touch(keys, len);
            }
            for (int y = 0; y < regions; y++) {
                chooseLeader(y, out, b, r, rows, lo[y], lo[y + 1], seed);
            }
            out.store(this, regions);
            q0 = q1;
        }
        sink = touched;
    }

    /**
     * One block's decisions, by block region y (region {@code region[y]}, its sorted rows
     * {@code [start[y], end[y])}), stored into the per-region columns by {@link #store} in one loop each.
     */
    private static final class Decided {
        final int[] region;
        final int[] start;
        final int[] end;
        final int[] leaderRow;
        final byte[] rule;
        final byte[] mask;
        final long[] target;

        Decided(int len) {
            region = new int[len];
            start = new int[len];
            end = new int[len];
            leaderRow = new int[len];
            rule = new byte[len];
            mask = new byte[len];
            target = new long[len];
        }

        void store(Leaders l, int regions) {
            for (int y = 0; y < regions; y++) {
                l.leaderRow[region[y]] = leaderRow[y];
            }
            for (int y = 0; y < regions; y++) {
                l.leaderRule[region[y]] = rule[y];
            }
            for (int y = 0; y < regions; y++) {
                if (mask[y] != 0) {
                    l.tieMask[region[y]] = mask[y];
                }
            }
            if (l.targetTerm != null) {
                for (int y = 0; y < regions; y++) {
                    l.targetTerm[region[y]] = target[y];
                }
            }
        }
    }

    private static PolicyFields block(int len, boolean seed) {
        return new PolicyFields(new long[len], new long[len], seed ? null : new long[len], seed ? null : new long[len],
                new byte[len]);
    }

    /**
     * Where each row of a gathered block has its range: its start and end keys, contiguous in the arena. BR compares
     * the ranges of tied replicas, which sit in different stores' parts of the arena: {@link #touch} loads them all
     * first, as independent loads the CPU overlaps, so the comparisons that follow find them in cache.
     */
    private static final class Ranges {
        final long[] addr;
        final int[] startLen;
        final int[] endLen;

        Ranges(int len) {
            addr = new long[len];
            startLen = new int[len];
            endLen = new int[len];
        }

        long touch(KeyArena keys, int len) {
            long sum = 0;
            for (int x = 0; x < len; x++) {
                byte[] page = keys.page(addr[x]);
                int off = KeyArena.offset(addr[x]);
                int n = startLen[x] + endLen[x];
                if (n > 0) {
                    sum += page[off] + page[off + n - 1];
                }
            }
            return sum;
        }

        /** Whether positions x and y hold the same range (start and end keys). */
        boolean same(KeyArena keys, int x, int y) {
            return startLen[x] == startLen[y] && endLen[x] == endLen[y]
                    && keys.equal(addr[x], addr[y], startLen[x] + endLen[x]);
        }
    }

    /** Block region y's replicas are block positions [lo, hi), table rows {@code rows[lo, hi)}; decides into out. */
    private void chooseLeader(int y, Decided out, PolicyFields b, Ranges r, int[] rows, int lo, int hi, boolean seed) {
        if (targetTerm != null) {
            long target = 0;
            for (int x = lo; x < hi; x++) {
                target = Math.max(target, b.term[x]);
            }
            out.target[y] = target;
        }
        if (!seed && b.scratch.length < hi - lo) {
            b.scratch = new long[hi - lo];
        }
        long majority = seed ? 0 : b.majorityTerm(lo, hi, b.scratch);
        long capIndex = seed ? -1 : b.capIndex(lo, hi, majority, b.scratch);
        int best = -1;
        int live = 0;
        for (int x = lo; x < hi; x++) {
            if (b.tombstone(x)) {
                continue;
            }
            live++;
            // Rows are in store order, so on a full tie the lower store stays best.
            if (best < 0 || b.better(x, best, seed, majority, capIndex)) {
                best = x;
            }
        }
        out.leaderRow[y] = best < 0 ? -1 : rows[best];
        out.mask[y] = 0;
        if (best < 0) {
            out.rule[y] = (byte) Rule.NO_LIVE_REPLICA.ordinal();
        } else if (live == 1) {
            out.rule[y] = (byte) Rule.ONLY_LIVE_REPLICA.ordinal();
        } else {
            out.rule[y] = (byte) decidingRule(y, out, b, r, lo, hi, best, seed, majority, capIndex).ordinal();
        }
    }

    /** The deepest policy field needed to beat every other live replica; ties name their breaker. */
    private Rule decidingRule(int y, Decided out, PolicyFields b, Ranges r, int lo, int hi, int leader, boolean seed,
                              long majority, long capIndex) {
        int depth = 0;
        boolean sameRangeTie = false;
        boolean otherTie = false;
        int mask = hi - lo > MASK_POSITIONS ? WIDE & 0xFF : 1 << (leader - lo);
        for (int x = lo; x < hi; x++) {
            if (x == leader || b.tombstone(x)) {
                continue;
            }
            int d;
            if (seed) {
                d = b.index[x] != b.index[leader] ? 0 : b.term[x] != b.term[leader] ? 1 : 2;
            } else {
                boolean cx = b.capped(x, majority, capIndex);
                boolean cl = b.capped(leader, majority, capIndex);
                d = (cx ? majority : b.term[x]) != (cl ? majority : b.term[leader]) ? 0
                        : b.index[x] != b.index[leader] ? 1 : b.commit[x] != b.commit[leader] ? 2
                        : cx != cl ? 3 : 4;
            }
            depth = Math.max(depth, d);
            if (d == (seed ? 2 : 4)) {
                if (!seed && b.version[x] == b.version[leader] && r.same(keys, x, leader)) {
                    sameRangeTie = true;
                    if (hi - lo <= MASK_POSITIONS) {
                        mask |= 1 << (x - lo);
                    }
                } else {
                    otherTie = true;
                }
            }
        }
        if (seed) {
            return depth == 0 ? Rule.HIGHEST_APPLIED_INDEX : depth == 1 ? Rule.HIGHEST_TERM : Rule.TIE_LOWEST_STORE;
        }
        if (sameRangeTie) {
            out.mask[y] = (byte) mask;
            return Rule.TIE_BALANCED;
        }
        if (otherTie) {
            return Rule.TIE_HIGHER_VERSION;
        }
        return depth == 0 ? Rule.HIGHEST_LAST_LOG_TERM : depth == 1 ? Rule.HIGHEST_LAST_INDEX
                : depth == 2 ? Rule.HIGHEST_COMMIT_INDEX : Rule.TERM_REACHED_BY_MAJORITY;
    }

    /** Whether rows a and b have the same epoch version and the same range. */
    static boolean sameEpochAndRange(ReplicaTable t, int a, int b) {
        KeyArena keys = t.keys;
        return t.version(a) == t.version(b)
                && keys.compare(t.startAddr(a), t.startLen(a), t.startAddr(b), t.startLen(b)) == 0
                && keys.compare(t.endAddr(a), t.endLen(a), t.endAddr(b), t.endLen(b)) == 0;
    }
}
