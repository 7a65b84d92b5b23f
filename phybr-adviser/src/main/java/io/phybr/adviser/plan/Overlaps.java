package io.phybr.adviser.plan;

import java.util.Arrays;

/**
 * Rule 3 of SPEC §4: where regions' ranges overlap, the highest version keeps its range (ties by region id) and
 * the rest are dropped, each naming the kept region that displaced it. Writes only its own per-region columns, and
 * leaves the candidates in start key order for {@link Coverage}.
 */
final class Overlaps {
    private final ReplicaTable t;
    private final KeyArena keys;
    private final int m;
    private final int[] leaderRow;
    private final long[] regionIds;

    byte[] fate;
    int[] droppedBy;     // region index of the kept region that displaced it, or -1

    // The candidates (regions with a live replica) in start key order: position p is region byStart[p], whose
    // leader's start key is at addr[p] in the arena, startLen[p] bytes, followed by its end key, endLen[p] bytes.
    int cands;
    int[] byStart;
    long[] addr;
    int[] startLen;
    int[] endLen;
    PredecessorSet kept;  // the positions of the kept candidates

    Overlaps(Planner.Run run) {
        this.t = run.t;
        this.keys = run.keys;
        this.m = run.m;
        this.leaderRow = run.leaderRow;
        this.regionIds = run.regionIds;
    }

    /** Decides the fate of every region and orders the candidates by start key. */
    void resolve() {
        fate = new byte[m]; // FATE_KEPT is 0: only dropped and gone regions are written
        droppedBy = new int[m];
        Arrays.fill(droppedBy, -1);
        int c = 0;
        for (int g = 0; g < m; g++) {
            if (leaderRow[g] < 0) {
                fate[g] = Planner.FATE_GONE;
            } else {
                c++;
            }
        }
        cands = c;
        sortByStart(c);
        int[] below = below(c);
        keepOrDrop(c, below);
    }

    /** Fills the position columns: the candidates in start key order (ties by region id). */
    private void sortByStart(int c) {
        // The key order is total (ties broken by region id), so the sort's input order is free:
        // feed it in leader row order. Reports arrive store by store in key order, so the first
        // chunk gathers then walk the key arena nearly sequentially instead of at random.
        int[] regionAt = new int[c]; // regionAt[k]: the candidate region whose leader row is k-th in row order
        long[] rowAddr = new long[c];
        for (int g = 0, k = 0; g < m; g++) {
            if (leaderRow[g] >= 0) {
                regionAt[k] = g;
                rowAddr[k] = leaderRow[g];
                k++;
            }
        }
        Sorting.radix(regionAt, rowAddr, c);
        // The sort reads each candidate's start key many times (a chunk per depth, its length per run): from
        // columns in row order, gathered once here, each read is one load instead of a region's leader row then
        // that row's columns.
        int[] rowStartLen = new int[c];
        int[] rowEndLen = new int[c];
        Parallel.Range rowGather = (from, to) -> {
            for (int k = from; k < to; k++) {
                int l = (int) rowAddr[k];
                rowStartLen[k] = t.startLen(l);
                rowEndLen[k] = t.endLen(l);
                rowAddr[k] = t.startAddr(l);
            }
        };
        if (Parallel.worth(c)) {
            Parallel.halves(0, c, rowGather);
        } else {
            rowGather.run(0, c);
        }
        int[] order = new int[c];
        for (int k = 0; k < c; k++) {
            order[k] = k;
        }
        final long[] addrs = rowAddr;
        KeySorting.sortByKey(order, c, new KeySorting.KeySource() {
            @Override
            public long chunk(int k, int depth) {
                return keys.chunk(addrs[k], rowStartLen[k], depth);
            }

            @Override
            public int length(int k) {
                return rowStartLen[k];
            }

            @Override
            public int compare(int a, int b) {
                int cmp = keys.compare(addrs[a], rowStartLen[a], addrs[b], rowStartLen[b]);
                return cmp != 0 ? cmp : Long.compare(regionIds[regionAt[a]], regionIds[regionAt[b]]);
            }
        });
        // Every later pass walks the candidates in start order: gathered once into that order, its reads are
        // sequential.
        byStart = new int[c];
        addr = new long[c];
        startLen = new int[c];
        endLen = new int[c];
        Parallel.Range gather = (from, to) -> {
            for (int p = from; p < to; p++) {
                int k = order[p];
                byStart[p] = regionAt[k];
                addr[p] = addrs[k];
                startLen[p] = rowStartLen[k];
                endLen[p] = rowEndLen[k];
            }
        };
        if (Parallel.worth(c)) {
            Parallel.halves(0, c, gather);
        } else {
            gather.run(0, c);
        }
    }

    /**
     * below[p]: how many candidates start before the end of the candidate at p (at least p + 1). Usually the
     * next candidate starts exactly where this one ends, so one comparison settles it. Each p is decided alone,
     * so two cores take half each.
     */
    private int[] below(int c) {
        int[] below = new int[c];
        Parallel.Range task = (from, to) -> {
            for (int p = from; p < to; p++) {
                if (endLen[p] == 0) {
                    below[p] = c;
                    continue;
                }
                long endAddr = addr[p] + startLen[p]; // a row's end key follows its start key in the arena
                if (p + 1 == c || keys.compare(addr[p + 1], startLen[p + 1], endAddr, endLen[p]) >= 0) {
                    below[p] = p + 1;
                } else {
                    below[p] = lowerBound(p + 1, c, endAddr, endLen[p]);
                }
            }
        };
        if (Parallel.worth(c)) {
            Parallel.halves(0, c, task);
        } else {
            task.run(0, c);
        }
        return below;
    }

    /**
     * The rule itself: candidates in order of version (highest first, ties by region id) keep their range unless a
     * kept one overlaps it. Kept regions are disjoint, so only the kept region starting last before our end can
     * overlap us, and it does iff its end is above our start, i.e. iff we start among the candidates below its
     * end: all integer work, no key comparison.
     *
     * <p>A candidate decides only against candidates whose ranges chain to its own by overlaps: a cluster of
     * consecutive positions [a, b) that no range crosses in or out. So clusters are decided one by one in start
     * order, each in version order, with the result of one pass over all candidates in version order: a
     * kept region of an earlier cluster ends at or below our start, a later cluster's start above our end. Almost
     * every candidate is a cluster of its own and is kept without a sort.
     */
    private void keepOrDrop(int c, int[] below) {
        kept = new PredecessorSet(c);
        ClusterOrder byVersion = new ClusterOrder();
        for (int a = 0; a < c; ) {
            int reach = below[a];
            int b = a + 1;
            while (b < reach) {
                reach = Math.max(reach, below[b]);
                b++;
            }
            if (b == a + 1) {
                kept.add(a);
                a = b;
                continue;
            }
            int[] members = byVersion.sort(a, b);
            for (int x = 0; x < b - a; x++) {
                int p = members[x];
                int q = kept.floor(below[p] - 1);
                if (q >= 0 && below[q] > p) {
                    fate[byStart[p]] = Planner.FATE_DROPPED;
                    droppedBy[byStart[p]] = byStart[q];
                } else {
                    kept.add(p);
                }
            }
            a = b;
        }
    }

    /** The positions of a cluster in version order, highest first, ties by region id. */
    private final class ClusterOrder {
        private int[] members = new int[16];
        private long[] version = new long[16];
        private long[] id = new long[16];

        int[] sort(int a, int b) {
            int k = b - a;
            if (members.length < k) {
                members = new int[k];
                version = new long[k];
                id = new long[k];
            }
            for (int x = 0; x < k; x++) {
                int g = byStart[a + x];
                members[x] = x;
                version[x] = t.version(leaderRow[g]);
                id[x] = regionIds[g];
            }
            long[] v = version;
            long[] ids = id;
            Sorting.mergeSort(members, k, (x, y) -> {
                int cmp = Long.compare(v[y], v[x]);
                return cmp != 0 ? cmp : Long.compare(ids[x], ids[y]);
            });
            for (int x = 0; x < k; x++) {
                members[x] += a;
            }
            return members;
        }
    }

    /** The first position in [lo, hi) whose start key is not below the given key. */
    private int lowerBound(int lo, int hi, long key, int len) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (keys.compare(addr[mid], startLen[mid], key, len) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
