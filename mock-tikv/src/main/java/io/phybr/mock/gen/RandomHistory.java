package io.phybr.mock.gen;

import io.phybr.mock.history.Step;
import io.phybr.mock.model.Cluster;
import io.phybr.mock.model.Group;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Lag;
import io.phybr.mock.model.Peer;
import io.phybr.mock.scenario.Expectation;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Draws a random but realistic history from a seed: writes, splits, merges, leader changes, peer
 * moves, lagging followers and failed campaigns, then a resolved ts and volume snapshots taken one
 * store after another while the cluster keeps running. The same seed and options always give the
 * same scenario; {@link Scenario#render()} turns it into a replayable scenario file.
 */
public final class RandomHistory {
    /**
     * Region boundaries and written keys are record keys of TiDB table 88 (then 89, … past a million rows):
     * row {@code n} is key ordinal {@code n} of {@link #KEYS}.
     */
    static final RecordKeys KEYS = new RecordKeys(88, 1_000_000);
    /** Rows of the key space of a history of up to 1,000 regions; larger ones get 1,000 rows per region. */
    static final long MIN_ROWS = 1_000_000;

    /** Sizes and rates (weights) of each operation. 0 for a size means "drawn from the seed". */
    public record Options(int stores, int regions, int steps, int write, int split, int merge, int leader,
                          int move, int lag, int resume, int campaign, int depose) {
        /** Without deposed leaders (overwritten old-term tails). */
        public Options(int stores, int regions, int steps, int write, int split, int merge, int leader, int move,
                       int lag, int resume, int campaign) {
            this(stores, regions, steps, write, split, merge, leader, move, lag, resume, campaign, 0);
        }

        public static Options defaults() {
            return new Options(0, 0, 0, 30, 14, 8, 8, 6, 12, 4, 3, 3);
        }

        public Options withSizes(int stores, int regions, int steps) {
            return new Options(stores, regions, steps, write, split, merge, leader, move, lag, resume, campaign,
                    depose);
        }
    }

    private final SplittableRandom rng;
    private final Options opt;
    private final Cluster cluster;
    private final List<Step> steps = new ArrayList<>();
    /** Region id → [lo, hi) in rows; lo = -1 means the empty start key, hi = rowLimit the empty end key. */
    private final TreeMap<Long, long[]> rows = new TreeMap<>();
    /** Region → store → how that replica lags (every mode; {@link Lag#CUT} ones persist nothing). */
    private final TreeMap<Long, TreeMap<Long, Lag>> lagging = new TreeMap<>();
    private final List<Long> storeIds = new ArrayList<>();
    private long nextRegion;
    /** Rows of the key space: [0, rowLimit); row -1 stands for the empty start key, rowLimit for the empty end key. */
    private long rowLimit = MIN_ROWS;

    private RandomHistory(long seed, Options opt) {
        this.rng = new SplittableRandom(seed);
        this.opt = opt;
        int s = opt.stores() > 0 ? opt.stores() : pick(new int[] {3, 3, 3, 4, 5, 5, 7});
        for (long i = 1; i <= s; i++) {
            storeIds.add(i);
        }
        this.cluster = new Cluster(storeIds);
    }

    private int pick(int[] choices) {
        return choices[rng.nextInt(choices.length)];
    }

    public static Scenario generate(long seed, Options options) {
        return new RandomHistory(seed, options).run(seed);
    }

    private byte[] key(long row) {
        return row < 0 || row >= rowLimit ? Keys.EMPTY : KEYS.key(row);
    }

    private Scenario run(long seed) {
        boolean big = rng.nextInt(8) == 0; // one history in eight is larger
        int regions = opt.regions() > 0 ? opt.regions() : big ? 6 + rng.nextInt(15) : 1 + rng.nextInt(5);
        int total = opt.steps() > 0 ? opt.steps() : big ? 80 + rng.nextInt(120) : 20 + rng.nextInt(50);
        rowLimit = Math.max(MIN_ROWS, regions * 1000L);
        TreeSet<Long> cuts = new TreeSet<>();
        while (cuts.size() < regions - 1) {
            cuts.add(1 + rng.nextLong(rowLimit - 2));
        }
        List<Long> bounds = new ArrayList<>();
        bounds.add(-1L);
        bounds.addAll(cuts);
        bounds.add(rowLimit);
        int replicas = Math.min(3, storeIds.size());
        for (int i = 0; i < regions; i++) {
            long id = i + 1;
            List<Long> on = new ArrayList<>(storeIds);
            shuffle(on);
            on = new ArrayList<>(on.subList(0, replicas));
            do_(new Step.Region(id, key(bounds.get(i)), key(bounds.get(i + 1)), on, 1));
            rows.put(id, new long[] {bounds.get(i), bounds.get(i + 1)});
        }
        nextRegion = regions + 1;
        int resolvedAt = total / 2 + rng.nextInt(total / 2 + 1);
        List<Long> snapOrder = new ArrayList<>(storeIds);
        shuffle(snapOrder);
        TreeMap<Integer, List<Long>> snapAt = new TreeMap<>();
        for (long s : snapOrder) {
            int at = resolvedAt + rng.nextInt(total - resolvedAt + 2);
            snapAt.computeIfAbsent(at, k -> new ArrayList<>()).add(s);
        }
        for (int i = 0; i <= total + 1; i++) {
            // BR pauses PD's schedulers for the snapshot window: from the resolved ts on, no merges and
            // no peer moves; TiKV still splits, elects leaders and lags on its own.
            boolean window = i >= resolvedAt;
            int merge = window ? 0 : opt.merge();
            int moveW = window ? 0 : opt.move();
            int weightSum = opt.write() + opt.split() + merge + opt.leader() + moveW + opt.lag() + opt.resume()
                    + opt.campaign() + opt.depose();
            if (i == resolvedAt) {
                do_(new Step.Resolved());
            }
            for (long s : snapAt.getOrDefault(i, List.of())) {
                do_(new Step.Snapshot(s));
            }
            if (i >= total || weightSum == 0) {
                continue;
            }
            int w = rng.nextInt(weightSum);
            if ((w -= opt.write()) < 0) {
                write();
            } else if ((w -= opt.split()) < 0) {
                split();
            } else if ((w -= merge) < 0) {
                merge();
            } else if ((w -= opt.leader()) < 0) {
                leader();
            } else if ((w -= moveW) < 0) {
                move();
            } else if ((w -= opt.lag()) < 0) {
                lag();
            } else if ((w -= opt.resume()) < 0) {
                resume();
            } else if ((w -= opt.campaign()) < 0) {
                campaign();
            } else {
                depose();
            }
        }
        List<String> desc = List.of("random history, seed " + seed + " (generated by mock-tikv; replay with "
                + "'phybr-rehearsal --scenario FILE')");
        return new Scenario("random-" + seed, desc, storeIds, steps, List.of(), List.of(), Expectation.RECOVERED,
                ScenarioParser.DEFAULT_COLLECT_TIMEOUT, ScenarioParser.DEFAULT_CLOSE_TIMEOUT);
    }

    private void do_(Step s) {
        s.apply(cluster);
        steps.add(s);
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private List<Group> alive() {
        List<Group> out = new ArrayList<>();
        for (Group g : cluster.groups().values()) {
            if (g.alive && !g.merging && leaderLive(g)) {
                out.add(g);
            }
        }
        return out;
    }

    private Group anyAlive() {
        List<Group> a = alive();
        return a.isEmpty() ? null : a.get(rng.nextInt(a.size()));
    }

    private boolean leaderLive(Group g) {
        Peer p = cluster.liveStore(g.leader).peer(g.id);
        return p != null && p.live();
    }

    /** Cut off from its leader: persists nothing new. */
    private boolean isLagging(long store, long region) {
        return lagging.getOrDefault(region, new TreeMap<>()).get(store) == Lag.CUT;
    }

    private boolean anyLag(long region) {
        return !lagging.getOrDefault(region, new TreeMap<>()).isEmpty();
    }

    /** Members that would persist a new entry now. */
    private int persisting(Group g) {
        int n = 0;
        for (long s : g.members.keySet()) {
            Peer p = cluster.liveStore(s).peer(g.id);
            if (p != null && p.live() && !isLagging(s, g.id)) {
                n++;
            }
        }
        return n;
    }

    private boolean canCommit(Group g, int minus) {
        return persisting(g) - minus >= g.members.size() / 2 + 1;
    }

    private void write() {
        Group g = anyAlive();
        if (g == null) {
            return;
        }
        long[] r = rows.get(g.id);
        long lo = Math.max(r[0], 0);
        long hi = Math.min(r[1], rowLimit);
        if (lo >= hi) {
            return;
        }
        int n = 1 + rng.nextInt(3);
        for (int i = 0; i < n; i++) {
            long row = lo + rng.nextLong(hi - lo);
            do_(new Step.Write(g.id, key(row), 1));
        }
    }

    private void split() {
        Group g = anyAlive();
        if (g == null) {
            return;
        }
        long[] r = rows.get(g.id);
        long lo = r[0] + 1;
        long hi = r[1] - 1;
        if (lo > hi || lo < 0) {
            if (lo < 0 && hi >= 0) {
                lo = 0;
            } else {
                return;
            }
        }
        long at = lo + rng.nextLong(hi - lo + 1);
        if (at <= r[0] || at >= r[1] || at < 0 || at >= rowLimit) {
            return;
        }
        long id = nextRegion++;
        do_(new Step.Split(g.id, key(at), id));
        rows.put(id, new long[] {at, r[1]});
        r[1] = at;
    }

    private void merge() {
        Group source = anyAlive();
        if (source == null) {
            return;
        }
        Group target = null;
        for (Group g : alive()) {
            if (g.id != source.id && (sameKey(g.start, source.end) || sameKey(source.start, g.end))) {
                target = g;
                break;
            }
        }
        if (target == null || !target.members.keySet().equals(source.members.keySet())
                || anyLag(source.id) || !canCommit(source, 0)
                || !canCommit(target, 0)) {
            return;
        }
        do_(new Step.Merge(source.id, target.id));
        long[] s = rows.remove(source.id);
        long[] t = rows.get(target.id);
        t[0] = Math.min(t[0], s[0]);
        t[1] = Math.max(t[1], s[1]);
        lagging.remove(source.id);
    }

    private static boolean sameKey(byte[] a, byte[] b) {
        return a.length != 0 && Keys.compare(a, b) == 0;
    }

    private void leader() {
        Group g = anyAlive();
        if (g == null) {
            return;
        }
        List<Long> candidates = new ArrayList<>();
        for (long s : g.members.keySet()) {
            Peer p = cluster.liveStore(s).peer(g.id);
            if (s != g.leader && p != null && p.live() && cluster.canWin(g.id, s)) {
                candidates.add(s);
            }
        }
        if (!candidates.isEmpty()) {
            do_(new Step.Leader(g.id, candidates.get(rng.nextInt(candidates.size()))));
        }
    }

    private void move() {
        Group g = anyAlive();
        if (g == null || !canCommit(g, 0)) {
            return;
        }
        List<Long> free = new ArrayList<>();
        for (long s : storeIds) {
            if (!g.members.containsKey(s) && !isLagging(s, g.id)) {
                free.add(s);
            }
        }
        if (free.isEmpty()) {
            return;
        }
        long to = free.get(rng.nextInt(free.size()));
        do_(new Step.AddPeer(g.id, to));
        List<Long> removable = new ArrayList<>();
        for (long s : g.members.keySet()) {
            if (s != g.leader && s != to) {
                removable.add(s);
            }
        }
        if (removable.isEmpty()) {
            return;
        }
        long from = removable.get(rng.nextInt(removable.size()));
        if (!isLagging(from, g.id) && !canCommit(g, 1)) {
            return;
        }
        do_(new Step.RemovePeer(g.id, from));
    }

    /** A follower falls behind: cut off (most often), or persisting without learning the commit, or not applying. */
    private void lag() {
        Group g = anyAlive();
        if (g == null || anyLag(g.id) || !canCommit(g, 1)) {
            return;
        }
        List<Long> candidates = new ArrayList<>();
        for (long s : g.members.keySet()) {
            Peer p = cluster.liveStore(s).peer(g.id);
            if (s != g.leader && p != null && p.live()) {
                candidates.add(s);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        long s = candidates.get(rng.nextInt(candidates.size()));
        int k = rng.nextInt(20);
        Lag mode = k < 12 ? Lag.CUT : k < 17 ? Lag.COMMIT : Lag.APPLY;
        do_(new Step.Lag(s, g.id, mode));
        lagging.computeIfAbsent(g.id, x -> new TreeMap<>()).put(s, mode);
    }

    private void resume() {
        List<long[]> all = new ArrayList<>();
        for (Map.Entry<Long, TreeMap<Long, Lag>> e : lagging.entrySet()) {
            for (long s : e.getValue().keySet()) {
                all.add(new long[] {s, e.getKey()});
            }
        }
        if (all.isEmpty()) {
            return;
        }
        long[] sr = all.get(rng.nextInt(all.size()));
        do_(new Step.Resume(sr[0], sr[1]));
        lagging.get(sr[1]).remove(sr[0]);
    }

    /**
     * The leader is cut off with a few writes that reach no follower, and another replica wins the next election:
     * the old leader keeps an uncommitted tail of its older term that the new leader overwrote (tikv#16307). When
     * no replica could win without it, the leader gets its followers back at once.
     */
    private void depose() {
        Group g = anyAlive();
        if (g == null || anyLag(g.id) || g.members.size() < 2 || g.commit != g.lastIndex()
                || !g.pendingAdds().isEmpty()) {
            return;
        }
        long old = g.leader;
        do_(new Step.Lag(old, g.id, Lag.CUT));
        lagging.computeIfAbsent(g.id, x -> new TreeMap<>()).put(old, Lag.CUT);
        List<Long> candidates = new ArrayList<>();
        for (long s : g.members.keySet()) {
            if (s != old && cluster.canWin(g.id, s)) {
                candidates.add(s);
            }
        }
        if (candidates.isEmpty()) {
            do_(new Step.Resume(old, g.id));
            lagging.get(g.id).remove(old);
            return;
        }
        long[] r = rows.get(g.id);
        long lo = Math.max(r[0], 0);
        long hi = Math.min(r[1], rowLimit);
        int n = lo < hi ? 1 + rng.nextInt(3) : 0;
        for (int i = 0; i < n; i++) {
            do_(new Step.Write(g.id, key(lo + rng.nextLong(hi - lo)), 1));
        }
        do_(new Step.Leader(g.id, candidates.get(rng.nextInt(candidates.size()))));
    }

    private void campaign() {
        for (Map.Entry<Long, TreeMap<Long, Lag>> e : lagging.entrySet()) {
            for (Map.Entry<Long, Lag> sl : e.getValue().entrySet()) {
                long s = sl.getKey();
                Peer p = cluster.liveStore(s).peer(e.getKey());
                Group g = cluster.groups().get(e.getKey());
                if (sl.getValue() == Lag.CUT && p != null && p.live() && (!g.alive || g.leader != s)
                        && rng.nextBoolean()) {
                    do_(new Step.Campaign(s, e.getKey()));
                    return;
                }
            }
        }
    }
}
