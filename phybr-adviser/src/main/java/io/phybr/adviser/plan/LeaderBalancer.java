package io.phybr.adviser.plan;

import java.util.Arrays;

/**
 * BR policy, rule 2: among regions whose best replicas tie on every field (the common case after a
 * quiet backup), place leaders so that the busiest store carries as few leaders as possible.
 *
 * <p>Tied regions are grouped into classes by the set of stores they may lead on. A greedy pass
 * fills the least-loaded store first; then, while some busiest store (load M) reaches a store
 * with load at most M-2 through a chain of "a region led here could be led there" moves, the
 * chain is shifted. When a busiest store reaches no such store, every region led inside its
 * reachable set can only be led inside it, so no assignment does better than M: the result is
 * optimal, hence within one leader of the best possible. Everything iterates in store-id and
 * region-id order, so the outcome is deterministic.
 */
final class LeaderBalancer {
    private LeaderBalancer() {
    }

    static void balance(Planner.Run run, long[] stores) {
        // Everything below reads region-ordered columns (groupStart, perm, storeAt, the tie masks Leaders
        // recorded): no row of the table is visited, so no store id is looked up and no key compared.
        int s = stores.length;
        long[] load = new long[s];
        int tiedCount = 0;
        for (int g = 0; g < run.m; g++) {
            if (run.fate[g] != Planner.FATE_KEPT) {
                continue;
            }
            if (run.tieMask[g] != 0) {
                tiedCount++;
            } else {
                load[run.storeAt[leaderPosition(run, g)]]++;
            }
        }
        if (tiedCount == 0) {
            return;
        }

        // Tied regions (in region order) and the stores each may lead on (ascending store index).
        int[] tiedRegion = new int[tiedCount];
        int[] tieOff = new int[tiedCount + 1];
        int[] tieStores = new int[tiedCount * 3];
        int used = 0;
        int widest = 0;
        for (int g = 0, k = 0; g < run.m; g++) {
            if (run.fate[g] != Planner.FATE_KEPT || run.tieMask[g] == 0) {
                continue;
            }
            tiedRegion[k] = g;
            tieOff[k] = used;
            int from = run.groupStart[g];
            int mask = run.tieMask[g] & 0xFF;
            for (int j = from; j < run.groupStart[g + 1]; j++) {
                boolean ties = mask == (Leaders.WIDE & 0xFF) ? run.tiesWithLeader(g, run.perm[j])
                        : (mask >>> (j - from) & 1) != 0;
                if (ties) {
                    if (used == tieStores.length) {
                        tieStores = Arrays.copyOf(tieStores, used * 2);
                    }
                    tieStores[used++] = run.storeAt[j];
                }
            }
            widest = Math.max(widest, used - tieOff[k]);
            k++;
            tieOff[k] = used;
        }
        final int[] ts = tieStores;
        final int[] off = tieOff;

        // Classes: runs of equal store sets after a stable sort (region order kept inside a class).
        int[] order = new int[tiedCount];
        for (int k = 0; k < tiedCount; k++) {
            order[k] = k;
        }
        int[] classStart = new int[tiedCount + 1];
        int classes = sortIntoClasses(order, tiedCount, ts, off, s, widest, classStart);
        // x[classOff[c] + i] = regions of class c led on its i-th store.
        int[] classOff = new int[classes + 1];
        for (int c = 0; c < classes; c++) {
            int rep = order[classStart[c]];
            classOff[c + 1] = classOff[c] + (off[rep + 1] - off[rep]);
        }
        long[] x = new long[classOff[classes]];
        for (int c = 0; c < classes; c++) {
            int rep = order[classStart[c]];
            int width = off[rep + 1] - off[rep];
            for (int u = classStart[c]; u < classStart[c + 1]; u++) {
                int bestI = 0;
                for (int i = 1; i < width; i++) {
                    if (load[ts[off[rep] + i]] < load[ts[off[rep] + bestI]]) {
                        bestI = i;
                    }
                }
                x[classOff[c] + bestI]++;
                load[ts[off[rep] + bestI]]++;
            }
        }

        improve(s, classes, classStart, classOff, order, ts, off, x, load);

        // Materialise: within a class, regions in id order fill its stores in store order.
        for (int c = 0; c < classes; c++) {
            int rep = order[classStart[c]];
            int i = 0;
            long left = x[classOff[c]];
            for (int u = classStart[c]; u < classStart[c + 1]; u++) {
                while (left == 0) {
                    i++;
                    left = x[classOff[c] + i];
                }
                left--;
                int target = ts[off[rep] + i];
                int g = tiedRegion[order[u]];
                for (int j = run.groupStart[g]; j < run.groupStart[g + 1]; j++) {
                    if (run.storeAt[j] == target) {
                        run.leaderRow[g] = run.perm[j];
                        break;
                    }
                }
            }
        }
    }

    /** The sorted position of region g's leader. */
    private static int leaderPosition(Planner.Run run, int g) {
        int leader = run.leaderRow[g];
        int j = run.groupStart[g];
        while (run.perm[j] != leader) {
            j++;
        }
        return j;
    }

    /**
     * Stable-sorts the tied regions {@code order[0, n)} by their store sets (ascending store indices, compared
     * lexicographically, a prefix first) and returns how many classes of equal sets there are, their starts in
     * {@code classStart}. When every set fits, each is packed in a long, most significant element first, an element
     * as its store index + 1 and a missing one as 0 — numbers that order exactly like the sets — and one stable
     * radix sort does it; otherwise a merge sort compares the sets.
     */
    static int sortIntoClasses(int[] order, int n, int[] ts, int[] off, int s, int widest, int[] classStart) {
        int width = 32 - Integer.numberOfLeadingZeros(s); // bits of a store index + 1
        if ((long) width * widest <= 63) {
            long[] key = new long[n];
            for (int k = 0; k < n; k++) {
                long v = 0;
                int e = off[k];
                for (int x = 0; x < widest; x++, e++) {
                    v = v << width | (e < off[k + 1] ? ts[e] + 1 : 0);
                }
                key[k] = v;
            }
            Sorting.radix(order, key, n);
            int classes = 0;
            for (int k = 0; k < n; k++) {
                if (k == 0 || key[k] != key[k - 1]) {
                    classStart[classes++] = k;
                }
            }
            classStart[classes] = n;
            return classes;
        }
        Sorting.mergeSort(order, n, (a, b) -> Arrays.compare(ts, off[a], off[a + 1], ts, off[b], off[b + 1]));
        int classes = 0;
        for (int k = 0; k < n; k++) {
            if (k == 0 || !Arrays.equals(ts, off[order[k]], off[order[k] + 1], ts, off[order[k - 1]], off[order[k - 1] + 1])) {
                classStart[classes++] = k;
            }
        }
        classStart[classes] = n;
        return classes;
    }

    /** Shifts leaders along chains from a busiest store to a store with load <= max - 2, while one exists. */
    private static void improve(int s, int classes, int[] classStart, int[] classOff, int[] order,
                                int[] ts, int[] off, long[] x, long[] load) {
        // classesOf[store] lists (class, slot) pairs where the class may lead on that store.
        int[] deg = new int[s + 1];
        for (int c = 0; c < classes; c++) {
            int rep = order[classStart[c]];
            for (int i = off[rep]; i < off[rep + 1]; i++) {
                deg[ts[i] + 1]++;
            }
        }
        for (int v = 0; v < s; v++) {
            deg[v + 1] += deg[v];
        }
        int[] adjClass = new int[deg[s]];
        int[] adjSlot = new int[deg[s]];
        int[] fill = Arrays.copyOf(deg, s);
        for (int c = 0; c < classes; c++) {
            int rep = order[classStart[c]];
            for (int i = off[rep]; i < off[rep + 1]; i++) {
                int at = fill[ts[i]]++;
                adjClass[at] = c;
                adjSlot[at] = i - off[rep];
            }
        }

        int[] parent = new int[s];
        int[] viaClass = new int[s];
        int[] fromSlot = new int[s];
        int[] toSlot = new int[s];
        int[] queue = new int[s];
        boolean progress = true;
        while (progress) {
            progress = false;
            long max = 0;
            for (long l : load) {
                max = Math.max(max, l);
            }
            for (int src = 0; src < s && !progress; src++) {
                if (load[src] != max) {
                    continue;
                }
                Arrays.fill(parent, -2);
                parent[src] = -1;
                int head = 0;
                int tail = 0;
                queue[tail++] = src;
                int found = -1;
                while (head < tail && found < 0) {
                    int u = queue[head++];
                    for (int a = deg[u]; a < deg[u + 1] && found < 0; a++) {
                        int c = adjClass[a];
                        if (x[classOff[c] + adjSlot[a]] == 0) {
                            continue; // no region of this class is led on u
                        }
                        int rep = order[classStart[c]];
                        for (int i = off[rep]; i < off[rep + 1]; i++) {
                            int v = ts[i];
                            if (parent[v] != -2) {
                                continue;
                            }
                            parent[v] = u;
                            viaClass[v] = c;
                            fromSlot[v] = adjSlot[a];
                            toSlot[v] = i - off[rep];
                            if (load[v] <= max - 2) {
                                found = v;
                                break;
                            }
                            queue[tail++] = v;
                        }
                    }
                }
                if (found < 0) {
                    // This busiest store cannot shed a leader: max is optimal.
                    return;
                }
                long amount = (load[src] - load[found]) / 2;
                for (int v = found; parent[v] >= 0; v = parent[v]) {
                    amount = Math.min(amount, x[classOff[viaClass[v]] + fromSlot[v]]);
                }
                for (int v = found; parent[v] >= 0; v = parent[v]) {
                    x[classOff[viaClass[v]] + fromSlot[v]] -= amount;
                    x[classOff[viaClass[v]] + toSlot[v]] += amount;
                }
                load[src] -= amount;
                load[found] += amount;
                progress = true;
            }
        }
    }

}
