package io.phybr.adviser.plan;

import java.util.Arrays;

/**
 * Rule 3 of SPEC §4: where regions' ranges overlap, the highest version keeps its range (ties by region id) and
 * the rest are dropped, each naming the kept region that displaced it. Writes only its own per-region columns.
 */
final class Overlaps {
    private final ReplicaTable t;
    private final KeyArena keys;
    private final int m;
    private final int[] leaderRow;
    private final long[] regionIds;

    byte[] fate;
    int[] droppedBy;     // region index of the kept region that displaced it, or -1

    Overlaps(Planner.Run run) {
        this.t = run.t;
        this.keys = run.keys;
        this.m = run.m;
        this.leaderRow = run.leaderRow;
        this.regionIds = run.regionIds;
    }

    /** Decides the fate of every region; returns the candidate regions ordered by start key. */
    int[] resolve() {
        fate = new byte[m];
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
        int[] regionAt = new int[c]; // regionAt[k]: the candidate region whose leader row is k-th in row order
        long[] startAddr = versionKey; // reused: the version keys are no longer needed
        versionKey = null;
        for (int g = 0, k = 0; g < m; g++) {
            if (leaderRow[g] >= 0) {
                regionAt[k] = g;
                startAddr[k] = leaderRow[g];
                k++;
            }
        }
        Sorting.radix(regionAt, startAddr, c);
        // The sort reads each candidate's start key many times (a chunk per depth, its length per run): from
        // columns in row order, gathered once here, each read is one load instead of a region's leader row then
        // that row's columns.
        int[] startLen = new int[c];
        int[] endLen = new int[c];
        for (int k = 0; k < c; k++) {
            int l = (int) startAddr[k];
            startLen[k] = t.startLen(l);
            endLen[k] = t.endLen(l);
            startAddr[k] = t.startAddr(l);
        }
        int[] byStart = new int[c];
        for (int k = 0; k < c; k++) {
            byStart[k] = k;
        }
        final long[] addrs = startAddr;
        Sorting.sortByKey(byStart, c, new Sorting.KeySource() {
            @Override
            public long chunk(int k, int depth) {
                return keys.chunk(addrs[k], startLen[k], depth);
            }

            @Override
            public int length(int k) {
                return startLen[k];
            }

            @Override
            public int compare(int a, int b) {
                int cmp = keys.compare(addrs[a], startLen[a], addrs[b], startLen[b]);
                return cmp != 0 ? cmp : Long.compare(regionIds[regionAt[a]], regionIds[regionAt[b]]);
            }
        });
        // below[p]: how many candidates start before the end of the candidate at p. Usually the
        // next candidate starts exactly where this one ends, so one comparison settles it. Each p is
        // decided alone, so two cores take half each.
        int[] below = new int[c];
        int[] order = byStart; // still candidate indices k, in start key order
        int cands = c;
        Parallel.Range belowTask = (from, to) -> {
            for (int p = from; p < to; p++) {
                int k = order[p];
                if (endLen[k] == 0) {
                    below[p] = cands;
                    continue;
                }
                long endAddr = addrs[k] + startLen[k]; // a row's end key follows its start key in the arena
                int next = p + 1 == cands ? -1 : order[p + 1];
                if (next < 0 || keys.compare(addrs[next], startLen[next], endAddr, endLen[k]) >= 0) {
                    below[p] = p + 1;
                } else {
                    below[p] = lowerBound(order, addrs, startLen, p + 1, cands, endAddr, endLen[k]);
                }
            }
        };
        if (Parallel.worth(c)) {
            Parallel.halves(0, c, belowTask);
        } else {
            belowTask.run(0, c);
        }
        for (int p = 0; p < c; p++) {
            byStart[p] = regionAt[byStart[p]];
        }
        int[] position = new int[m];
        for (int p = 0; p < c; p++) {
            position[byStart[p]] = p;
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
                fate[g] = Planner.FATE_DROPPED;
                droppedBy[g] = byStart[p];
            } else {
                fate[g] = Planner.FATE_KEPT;
                kept.add(pg);
            }
        }
        return byStart;
    }

    /** The first position in [lo, hi) of {@code order} (candidate indices) whose start key is not below the given key. */
    private int lowerBound(int[] order, long[] addrs, int[] startLen, int lo, int hi, long addr, int len) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int k = order[mid];
            if (keys.compare(addrs[k], startLen[k], addr, len) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
