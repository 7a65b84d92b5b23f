package io.phybr.adviser.plan;

import io.phybr.adviser.plan.Rows.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An independent, deliberately naive (quadratic, object-per-row) reading of SPEC §4, used as the
 * oracle for the property tests. It shares no code with the planner.
 */
final class Oracle {
    enum Fate { KEPT, DROPPED, GONE }

    /** What the spec determines about one region, independent of BR balancing. */
    static final class Region {
        final long id;
        final List<Row> replicas = new ArrayList<>();
        /** Live replicas with the maximal policy key. */
        final List<Row> best = new ArrayList<>();
        /** The replica whose range/version define the region (seed: the leader itself). */
        Row defining;
        /** Stores the leader may be on: seed: exactly one; BR: every best replica with the defining range/version. */
        final TreeSet<Long> leaderStores = new TreeSet<>();
        Fate fate;

        Region(long id) {
            this.id = id;
        }
    }

    final Map<Long, Region> regions = new TreeMap<>();
    final List<byte[][]> holes = new ArrayList<>();
    final List<String> malformed = new ArrayList<>();

    static int cmp(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** [s1,e1) and [s2,e2) overlap; an empty end is +infinity. */
    static boolean overlaps(byte[] s1, byte[] e1, byte[] s2, byte[] e2) {
        return (e2.length == 0 || cmp(s1, e2) < 0) && (e1.length == 0 || cmp(s2, e1) < 0);
    }

    /**
     * The leader key of r among its region's replicas {@code all}: seed (applied_index, term); BR (last_log_term, capped
     * at the term a majority of the live replicas reached when refuted — at least k = v - v/2 replicas (v = the live
     * ones, at least 3) within that term hold logs as long as r's — then last_index, commit_index, whether it is not
     * capped) — computed here independently of the planner's code.
     */
    static long[] key(Row r, Policy p, List<Row> all) {
        if (p == Policy.SEED) {
            return new long[] {r.index(), r.term()};
        }
        List<Long> terms = new ArrayList<>();
        for (Row x : all) {
            if (!x.tombstone()) {
                terms.add(x.term());
            }
        }
        terms.sort(Comparator.reverseOrder());
        long majority = terms.isEmpty() ? 0 : terms.get(terms.size() / 2); // the (n/2+1)-th largest
        int v = Math.max(terms.size(), 3);
        long refuting = all.stream().filter(x -> !x.tombstone() && x.term() <= majority && x.index() >= r.index()).count();
        boolean capped = r.term() > majority && refuting >= v - v / 2;
        return new long[] {capped ? majority : r.term(), r.index(), r.commit(), capped ? 0 : 1};
    }

    static Oracle of(List<Row> rows, Policy policy) {
        Oracle o = new Oracle();
        TreeSet<String> seen = new TreeSet<>();
        for (Row r : rows) {
            if (r.region() <= 0 || r.store() <= 0) {
                o.malformed.add("store " + r.store() + " region " + r.region());
            }
            if (r.end().length > 0 && cmp(r.start(), r.end()) >= 0) {
                o.malformed.add("store " + r.store() + " region " + r.region());
            }
            if (!seen.add(r.store() + "/" + r.region())) {
                o.malformed.add("store " + r.store() + " region " + r.region());
            }
            o.regions.computeIfAbsent(r.region(), Region::new).replicas.add(r);
        }
        if (!o.malformed.isEmpty()) {
            return o;
        }
        for (Region g : o.regions.values()) {
            g.replicas.sort(Comparator.comparingLong(Row::store));
            long[] max = null;
            for (Row r : g.replicas) {
                if (r.tombstone()) {
                    continue;
                }
                long[] k = key(r, policy, g.replicas);
                int c = max == null ? 1 : Arrays.compare(k, max);
                if (c > 0) {
                    max = k;
                    g.best.clear();
                }
                if (c >= 0) {
                    g.best.add(r);
                }
            }
            if (g.best.isEmpty()) {
                g.fate = Fate.GONE;
                continue;
            }
            if (policy == Policy.SEED) {
                g.defining = g.best.get(0); // lowest store
                g.leaderStores.add(g.defining.store());
            } else {
                long v = g.best.stream().mapToLong(Row::version).max().getAsLong();
                g.defining = g.best.stream().filter(r -> r.version() == v).findFirst().orElseThrow();
                for (Row r : g.best) {
                    if (r.version() == v && Arrays.equals(r.start(), g.defining.start())
                            && Arrays.equals(r.end(), g.defining.end())) {
                        g.leaderStores.add(r.store());
                    }
                }
            }
        }
        List<Region> cands = new ArrayList<>();
        for (Region g : o.regions.values()) {
            if (g.fate == null) {
                cands.add(g);
            }
        }
        cands.sort(Comparator.comparingLong((Region g) -> -g.defining.version()).thenComparingLong(g -> g.id));
        List<Region> kept = new ArrayList<>();
        for (Region g : cands) {
            boolean clash = false;
            for (Region k : kept) {
                if (overlaps(g.defining.start(), g.defining.end(), k.defining.start(), k.defining.end())) {
                    clash = true;
                    break;
                }
            }
            g.fate = clash ? Fate.DROPPED : Fate.KEPT;
            if (!clash) {
                kept.add(g);
            }
        }
        kept.sort((a, b) -> cmp(a.defining.start(), b.defining.start()));
        byte[] at = new byte[0];
        boolean done = false;
        for (Region k : kept) {
            if (cmp(k.defining.start(), at) > 0) {
                o.holes.add(new byte[][] {at, k.defining.start()});
            }
            if (k.defining.end().length == 0) {
                done = true;
                break;
            }
            at = k.defining.end();
        }
        if (!done) {
            o.holes.add(new byte[][] {kept.isEmpty() ? new byte[0] : at, new byte[0]});
        }
        return o;
    }

    /**
     * The plan's JSON Lines per SPEC §4 rule 5 / §6, given the store each kept region is led on — except that a seed
     * leader always gets its command (Rule.LEADER_UNSILENCED), not only when its term differs from the target.
     */
    String expectedJsonl(Protocol protocol, Map<Long, Long> leaderStoreByRegion) {
        TreeMap<Long, TreeMap<Long, String>> byStore = new TreeMap<>();
        for (Region g : regions.values()) {
            if (g.fate != Fate.KEPT) {
                for (Row r : g.replicas) {
                    if (!r.tombstone()) {
                        byStore.computeIfAbsent(r.store(), s -> new TreeMap<>()).put(g.id, protocol == Protocol.SEED
                                ? "\"term\":0,\"silence\":false,\"tombstone\":true"
                                : "\"as_leader\":false,\"tombstone\":true");
                    }
                }
                continue;
            }
            long leader = leaderStoreByRegion.get(g.id);
            if (protocol == Protocol.STOCK) {
                byStore.computeIfAbsent(leader, s -> new TreeMap<>()).put(g.id, "\"as_leader\":true,\"tombstone\":false");
                continue;
            }
            long target = g.replicas.stream().mapToLong(Row::term).max().getAsLong();
            for (Row r : g.replicas) {
                if (r.store() != leader) {
                    byStore.computeIfAbsent(r.store(), s -> new TreeMap<>()).put(g.id,
                            "\"term\":" + target + ",\"silence\":true,\"tombstone\":false");
                } else { // LEADER_UNSILENCED: the leader's command even when its term is the target
                    byStore.computeIfAbsent(r.store(), s -> new TreeMap<>()).put(g.id,
                            "\"term\":" + target + ",\"silence\":false,\"tombstone\":false");
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        byStore.forEach((s, m) -> m.forEach((r, body) ->
                sb.append("{\"store\":").append(s).append(",\"region_id\":").append(r).append(',').append(body).append("}\n")));
        return sb.toString();
    }

    static String hole(byte[][] h) {
        return "[\"" + java.util.HexFormat.of().formatHex(h[0]) + "\", \"" + java.util.HexFormat.of().formatHex(h[1]) + "\")";
    }

    /**
     * The least possible load of the busiest store: fixed leaders per store plus regions that may
     * each lead on any of a set of stores. Exact: binary search on the bound with a max-flow check.
     */
    static long optimalMaxLoad(long[] fixed, List<int[]> choices) {
        long lo = Arrays.stream(fixed).max().orElse(0);
        long hi = lo + choices.size();
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (feasible(fixed, choices, mid)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Bipartite b-matching by augmenting paths: every region to a store whose load stays within bound. */
    private static boolean feasible(long[] fixed, List<int[]> choices, long bound) {
        int s = fixed.length;
        long[] cap = new long[s];
        for (int i = 0; i < s; i++) {
            cap[i] = bound - fixed[i];
            if (cap[i] < 0) {
                return false;
            }
        }
        List<List<Integer>> assigned = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            assigned.add(new ArrayList<>());
        }
        int[] at = new int[choices.size()];
        for (int r = 0; r < choices.size(); r++) {
            if (!augment(r, choices, cap, assigned, at, new boolean[s])) {
                return false;
            }
        }
        return true;
    }

    private static boolean augment(int r, List<int[]> choices, long[] cap, List<List<Integer>> assigned, int[] at,
                                   boolean[] visited) {
        for (int st : choices.get(r)) {
            if (visited[st]) {
                continue;
            }
            visited[st] = true;
            if (assigned.get(st).size() < cap[st]) {
                assigned.get(st).add(r);
                at[r] = st;
                return true;
            }
            for (int k = 0; k < assigned.get(st).size(); k++) {
                int other = assigned.get(st).get(k);
                if (augment(other, choices, cap, assigned, at, visited)) {
                    assigned.get(st).set(k, r);
                    at[r] = st;
                    return true;
                }
            }
        }
        return false;
    }
}
