package io.phybr.adviser.plan;

import io.phybr.adviser.plan.Rows.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded layouts that look like a restored snapshot: a real history of splits and merges over the
 * key space (each region replicated on 3 of 3..7 stores), then every replica frozen at the point
 * its store stopped applying — lagging replicas show older, wider or narrower ranges with lower
 * versions — plus removed peers (tombstones), term/index differences, sometimes a missing store
 * (holes) and sometimes a quiet backup where every replica ties (leader balancing).
 *
 * <p>The planner's property tests only: seed- and stock-field rows for {@link Oracle}, shared key
 * prefixes, missing stores and all-ties layouts, which the mock cluster's generators (histories
 * replayed by the model; {@code io.phybr.mock.gen.LayoutGenerator}, the capacity layouts) do not
 * draw. Transport tests use the mock's generator ({@code protocol.seed.Layout}).
 */
final class HistoryLayouts {
    /** A region at one point of the history. */
    private record State(long id, long version, byte[] start, byte[] end, long index, long term, boolean alive) {
    }

    final long seed;
    final SplittableRandom rnd;
    /** TiKV keys share long prefixes ("t" + table id + "_r"); a third of the layouts do too. */
    final byte[] prefix;
    final int stores;
    final boolean quiet;
    final boolean stock;
    long missingStore = -1;
    final List<Row> rows = new ArrayList<>();

    HistoryLayouts(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        this.stores = 3 + rnd.nextInt(5);
        this.quiet = rnd.nextInt(4) == 0;
        this.stock = rnd.nextBoolean();
        this.prefix = new byte[rnd.nextInt(3) == 0 ? rnd.nextInt(4, 21) : 0];
        for (int i = 0; i < prefix.length; i++) {
            prefix[i] = (byte) (0x70 + rnd.nextInt(2));
        }
        generate();
    }

    private byte[] randomKey() {
        byte[] k = Arrays.copyOf(prefix, prefix.length + 1 + rnd.nextInt(prefix.length > 0 ? 10 : 3));
        for (int i = prefix.length; i < k.length; i++) {
            // Both halves of the byte range, so unsigned comparison matters.
            k[i] = (byte) (rnd.nextInt(8) * 32 + rnd.nextInt(3));
        }
        return k;
    }

    private byte[] keyInside(byte[] start, byte[] end) {
        for (int attempt = 0; attempt < 30; attempt++) {
            byte[] k = randomKey();
            if (Oracle.cmp(k, start) > 0 && (end.length == 0 || Oracle.cmp(k, end) < 0)) {
                return k;
            }
        }
        return null;
    }

    private void generate() {
        int steps = 2 + rnd.nextInt(rnd.nextInt(5) == 0 ? 120 : quiet ? 30 : 22);
        List<Map<Long, State>> history = new ArrayList<>();
        Map<Long, long[]> placement = new HashMap<>();
        Map<Long, Integer> born = new HashMap<>();
        Map<Long, State> now = new LinkedHashMap<>();
        long nextId = 1;
        long first = nextId++;
        now.put(first, new State(first, 1, new byte[0], new byte[0], 5, 1, true));
        placement.put(first, pick3());
        born.put(first, 0);
        history.add(new LinkedHashMap<>(now));
        for (int t = 1; t <= steps; t++) {
            List<State> alive = now.values().stream().filter(State::alive).toList();
            int op = rnd.nextInt(10);
            if (op < 6 || alive.size() < 2) {
                State r = alive.get(rnd.nextInt(alive.size()));
                byte[] k = keyInside(r.start(), r.end());
                if (k != null) {
                    long id = nextId++;
                    long v = r.version() + 1;
                    // The old id keeps the right half, the new region takes the left half (as TiKV does).
                    now.put(r.id(), new State(r.id(), v, k, r.end(), r.index() + 1, r.term(), true));
                    now.put(id, new State(id, v, r.start(), k, 5, r.term(), true));
                    long[] pl = placement.get(r.id()).clone();
                    if (rnd.nextInt(4) == 0) {
                        pl = pick3(); // the new region's peers were moved since
                    }
                    placement.put(id, pl);
                    born.put(id, t);
                }
            } else if (op < 8) {
                List<State> sorted = new ArrayList<>(alive);
                sorted.sort((a, b) -> Oracle.cmp(a.start(), b.start()));
                int i = rnd.nextInt(sorted.size() - 1);
                State left = sorted.get(i);
                State right = sorted.get(i + 1);
                boolean intoLeft = rnd.nextBoolean();
                State target = intoLeft ? left : right;
                State source = intoLeft ? right : left;
                long v = Math.max(left.version(), right.version()) + 1;
                now.put(target.id(), new State(target.id(), v, left.start(), right.end(), target.index() + 1,
                        target.term(), true));
                now.put(source.id(), new State(source.id(), source.version(), source.start(), source.end(),
                        source.index() + 1, source.term(), false));
            } else {
                State r = alive.get(rnd.nextInt(alive.size()));
                // Writes and elections.
                now.put(r.id(), new State(r.id(), r.version(), r.start(), r.end(), r.index() + 1 + rnd.nextInt(5),
                        r.term() + rnd.nextInt(2), true));
            }
            history.add(new LinkedHashMap<>(now));
        }

        int last = history.size() - 1;
        for (long id : now.keySet()) {
            long[] pl = placement.get(id);
            for (long store : pl) {
                int lag = quiet || rnd.nextInt(4) != 0 ? last : born.get(id) + rnd.nextInt(last - born.get(id) + 1);
                if (lag < born.get(id)) {
                    continue;
                }
                State s = history.get(lag).get(id);
                long index = s.index();
                long term = s.term();
                if (!quiet && rnd.nextInt(3) == 0) {
                    index -= rnd.nextInt(3);
                }
                if (!quiet && rnd.nextInt(6) == 0) {
                    term += rnd.nextInt(3) - 1;
                }
                index = Math.max(0, index);
                term = Math.max(0, term);
                boolean tomb = !s.alive() || (!quiet && rnd.nextInt(12) == 0);
                if (!s.alive() && rnd.nextBoolean()) {
                    continue; // a destroyed peer may leave no trace at all
                }
                long commit = stock && !quiet && rnd.nextBoolean() ? Math.max(0, index - rnd.nextInt(2)) : 0;
                rows.add(new Row(store, id, id * 100 + store, index, term, commit, s.version(), tomb,
                        s.start(), s.end(), stock));
            }
        }
        if (!quiet && rnd.nextInt(40) == 0) {
            // An unrelated stale region overlapping anything, at a low version.
            byte[] a = randomKey();
            byte[] b = randomKey();
            if (Oracle.cmp(a, b) != 0) {
                byte[] lo = Oracle.cmp(a, b) < 0 ? a : b;
                byte[] hi = Oracle.cmp(a, b) < 0 ? b : a;
                rows.add(new Row(1 + rnd.nextInt(stores), nextId, 0, 100, 9, 0, 0, false, lo, hi, stock));
            }
        }
        if (!quiet && !rows.isEmpty() && rnd.nextInt(8) == 0) {
            // An unrelated region at the SAME version as a reported one, over the same range (issue 14: the
            // equal-version rule, lower region id wins, was never generated): sometimes a higher id (it loses),
            // sometimes an unused lower id (it wins and displaces the region the history made).
            Row twin = rows.get(rnd.nextInt(rows.size()));
            java.util.Set<Long> used = new java.util.HashSet<>();
            rows.forEach(r -> used.add(r.region()));
            long id = nextId + 1;
            if (rnd.nextBoolean()) {
                for (long lower = twin.region() - 1; lower >= 1; lower--) {
                    if (!used.contains(lower)) {
                        id = lower;
                        break;
                    }
                }
            }
            rows.add(new Row(1 + rnd.nextInt(stores), id, 0, 100, 9, 0, twin.version(), false, twin.start(), twin.end(), stock));
        }
        if (rnd.nextInt(10) == 0) {
            missingStore = 1 + rnd.nextInt(stores);
            rows.removeIf(r -> r.store() == missingStore);
        }
    }

    private long[] pick3() {
        long[] all = new long[stores];
        for (int i = 0; i < stores; i++) {
            all[i] = i + 1;
        }
        for (int i = stores - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long x = all[i];
            all[i] = all[j];
            all[j] = x;
        }
        long[] three = Arrays.copyOf(all, 3);
        Arrays.sort(three);
        return three;
    }

    /** Rows in arrival order: store by store in a random store order, shuffled within a store. */
    List<Row> shuffled(long shuffleSeed) {
        SplittableRandom r = new SplittableRandom(shuffleSeed);
        List<Row> copy = new ArrayList<>(rows);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Row x = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, x);
        }
        if (r.nextBoolean()) {
            long[] storeOrder = new long[stores + 1];
            for (int s = 1; s <= stores; s++) {
                storeOrder[s] = r.nextLong();
            }
            copy.sort((a, b) -> Long.compare(storeOrder[(int) a.store()], storeOrder[(int) b.store()]));
        }
        return copy;
    }

    String describe() {
        return "seed " + seed + " (" + rows.size() + " replicas on " + stores + " stores" + (quiet ? ", quiet" : "")
                + (prefix.length > 0 ? ", " + prefix.length + "-byte key prefix" : "")
                + (missingStore > 0 ? ", store " + missingStore + " missing" : "") + ")";
    }
}
