package io.phybr.mock.gen;

import io.phybr.mock.history.Step;
import io.phybr.mock.model.Cluster;
import io.phybr.mock.model.Group;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Lag;
import io.phybr.mock.model.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The moves a {@link RandomHistory} draws from, each applied to the model as it is drawn so the next one is drawn
 * against the cluster as it now is: writes, splits, merges, leader changes, peer moves, lagging followers,
 * failed campaigns and deposed leaders. A move that the cluster cannot take now (no live region, no quorum,
 * no free store) adds no step. {@link RandomHistory} decides when each is tried.
 */
final class HistoryMoves {
    private final SplittableRandom rng;
    private final Cluster cluster;
    private final List<Long> storeIds;
    private final List<Step> steps = new ArrayList<>();
    /** Region id → [lo, hi) in rows; lo = -1 means the empty start key, hi = rowLimit the empty end key. */
    private final TreeMap<Long, long[]> rows = new TreeMap<>();
    /** Region → store → how that replica lags (every mode; {@link Lag#CUT} ones persist nothing). */
    private final TreeMap<Long, TreeMap<Long, Lag>> lagging = new TreeMap<>();
    /** Rows of the key space: [0, rowLimit); row -1 stands for the empty start key, rowLimit for the empty end key. */
    private final long rowLimit;
    private long nextRegion;
    /** Whether replicas may fall behind at all ({@link RandomHistory.Move#LAG} drawn): then a merge's target may too. */
    private final boolean lags;
    /** Whether the declared regions hold their first elections before the first draw ({@code Options#electFirst}). */
    private final boolean electFirst;

    HistoryMoves(SplittableRandom rng, List<Long> storeIds, long rowLimit, boolean lags, boolean electFirst) {
        this.rng = rng;
        this.lags = lags;
        this.electFirst = electFirst;
        this.storeIds = storeIds;
        this.cluster = new Cluster(storeIds);
        this.rowLimit = rowLimit;
    }

    /** The steps drawn so far, in order. */
    /** The backup of the history drawn so far (the model cluster every step was applied to). */
    io.phybr.mock.model.Backup finish() {
        return cluster.finish();
    }

    List<Step> steps() {
        return steps;
    }

    /** Creates regions 1..n between the given row bounds (n + 1 of them), each on up to 3 stores drawn at random. */
    void regions(List<Long> bounds) {
        int regions = bounds.size() - 1;
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
        if (electFirst) {
            // first elections now (the default), as the replayed history's first step holds them; else moves drawn
            // before any step started the history find no elected region and add nothing (RandomHistory.Options)
            cluster.begin();
        }
    }

    private byte[] key(long row) {
        return row < 0 || row >= rowLimit ? Keys.EMPTY : RandomHistory.KEYS.key(row);
    }

    void do_(Step s) {
        s.apply(cluster);
        steps.add(s);
    }

    <T> void shuffle(List<T> list) {
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
            if (g.alive() && !g.merging() && g.elected() && leaderLive(g)) {
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
        Peer p = cluster.liveStore(g.leader()).peer(g.id());
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
        for (long s : g.members().keySet()) {
            Peer p = cluster.liveStore(s).peer(g.id());
            if (p != null && p.live() && !isLagging(s, g.id())) {
                n++;
            }
        }
        return n;
    }

    private boolean canCommit(Group g, int minus) {
        return persisting(g) - minus >= g.members().size() / 2 + 1;
    }

    void write() {
        Group g = anyAlive();
        if (g == null) {
            return;
        }
        long[] r = rows.get(g.id());
        long lo = Math.max(r[0], 0);
        long hi = Math.min(r[1], rowLimit);
        if (lo >= hi) {
            return;
        }
        int n = 1 + rng.nextInt(3);
        for (int i = 0; i < n; i++) {
            long row = lo + rng.nextLong(hi - lo);
            do_(new Step.Write(g.id(), key(row), 1));
        }
    }

    void split() {
        Group g = anyAlive();
        if (g == null) {
            return;
        }
        long[] r = rows.get(g.id());
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
        do_(new Step.Split(g.id(), key(at), id));
        rows.put(id, new long[] {at, r[1]});
        r[1] = at;
    }

    void merge() {
        Group source = anyAlive();
        if (source == null) {
            return;
        }
        Group target = null;
        for (Group g : alive()) {
            if (g.id() != source.id() && (sameKey(g.start(), source.end()) || sameKey(source.start(), g.end()))) {
                target = g;
                break;
            }
        }
        if (target == null || !target.members().keySet().equals(source.members().keySet())
                || anyLag(source.id()) || !canCommit(source, 0)
                || !canCommit(target, 0) || cluster.mergeRefusal(source.id(), target.id()) != null) {
            return; // e.g. a peer of either that a lagging store has not created yet: PD and TiKV refuse (MergeRules)
        }
        if (lags && rng.nextInt(2) == 0) {
            slowToApply(target);
        }
        do_(new Step.Merge(source.id(), target.id()));
        long[] s = rows.remove(source.id());
        long[] t = rows.get(target.id());
        t[0] = Math.min(t[0], s[0]);
        t[1] = Math.max(t[1], s[1]);
        lagging.remove(source.id());
    }

    /**
     * Before a merge, one follower of the target falls behind (cut off, or a slow apply worker): PD finishes a merge
     * once the target's leader applied it, not every replica, so on that store the source's peer stays alive (its
     * PrepareMerge applied) until the target's peer there applies the CommitMerge (tikv {@code
     * components/raftstore/src/store/fsm/apply.rs} {@code exec_commit_merge}: the local source is destroyed by the
     * local target's apply). A volume snapshot of that store taken before it catches up shows a displaced region —
     * the source, with the only live replica left — beside the merged target that covers its keys at a higher
     * version (SPEC §4 rules 3 and 5); the default rates made that state in about one history in 200.
     */
    private void slowToApply(Group target) {
        if (anyLag(target.id()) || !canCommit(target, 1)) {
            return;
        }
        List<Long> followers = new ArrayList<>();
        for (long s : target.members().keySet()) {
            Peer p = cluster.liveStore(s).peer(target.id());
            if (s != target.leader() && p != null && p.live()) {
                followers.add(s);
            }
        }
        if (followers.isEmpty()) {
            return;
        }
        long s = followers.get(rng.nextInt(followers.size()));
        Lag mode = rng.nextInt(4) == 0 ? Lag.APPLY : Lag.CUT;
        do_(new Step.Lag(s, target.id(), mode));
        lagging.computeIfAbsent(target.id(), x -> new TreeMap<>()).put(s, mode);
    }

    private static boolean sameKey(byte[] a, byte[] b) {
        return a.length != 0 && Keys.compare(a, b) == 0;
    }

    void leader() {
        Group g = anyAlive();
        if (g == null) {
            return;
        }
        List<Long> candidates = new ArrayList<>();
        for (long s : g.members().keySet()) {
            Peer p = cluster.liveStore(s).peer(g.id());
            if (s != g.leader() && p != null && p.live() && cluster.canWin(g.id(), s)) {
                candidates.add(s);
            }
        }
        if (!candidates.isEmpty()) {
            do_(new Step.Leader(g.id(), candidates.get(rng.nextInt(candidates.size()))));
        }
    }

    void move() {
        Group g = anyAlive();
        if (g == null || !canCommit(g, 0)) {
            return;
        }
        List<Long> free = new ArrayList<>();
        for (long s : storeIds) {
            if (!g.members().containsKey(s) && !isLagging(s, g.id())) {
                free.add(s);
            }
        }
        if (free.isEmpty()) {
            return;
        }
        long to = free.get(rng.nextInt(free.size()));
        do_(new Step.AddPeer(g.id(), to));
        List<Long> removable = new ArrayList<>();
        for (long s : g.members().keySet()) {
            if (s != g.leader() && s != to) {
                removable.add(s);
            }
        }
        if (removable.isEmpty()) {
            return;
        }
        long from = removable.get(rng.nextInt(removable.size()));
        if (!isLagging(from, g.id()) && !canCommit(g, 1)) {
            return;
        }
        do_(new Step.RemovePeer(g.id(), from));
    }

    /** A follower falls behind: cut off (most often), or persisting without learning the commit, or not applying. */
    void lag() {
        Group g = anyAlive();
        if (g == null || anyLag(g.id()) || !canCommit(g, 1)) {
            return;
        }
        List<Long> candidates = new ArrayList<>();
        for (long s : g.members().keySet()) {
            Peer p = cluster.liveStore(s).peer(g.id());
            if (s != g.leader() && p != null && p.live()) {
                candidates.add(s);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        long s = candidates.get(rng.nextInt(candidates.size()));
        int k = rng.nextInt(20);
        Lag mode = k < 12 ? Lag.CUT : k < 17 ? Lag.COMMIT : Lag.APPLY;
        do_(new Step.Lag(s, g.id(), mode));
        lagging.computeIfAbsent(g.id(), x -> new TreeMap<>()).put(s, mode);
    }

    void resume() {
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
    void depose() {
        Group g = anyAlive();
        if (g == null || anyLag(g.id()) || g.members().size() < 2 || g.commit() != g.lastIndex()
                || !g.pendingAdds().isEmpty()) {
            return;
        }
        long old = g.leader();
        do_(new Step.Lag(old, g.id(), Lag.CUT));
        lagging.computeIfAbsent(g.id(), x -> new TreeMap<>()).put(old, Lag.CUT);
        List<Long> candidates = new ArrayList<>();
        for (long s : g.members().keySet()) {
            if (s != old && cluster.canWin(g.id(), s)) {
                candidates.add(s);
            }
        }
        if (candidates.isEmpty()) {
            do_(new Step.Resume(old, g.id()));
            lagging.get(g.id()).remove(old);
            return;
        }
        long[] r = rows.get(g.id());
        long lo = Math.max(r[0], 0);
        long hi = Math.min(r[1], rowLimit);
        int n = lo < hi ? 1 + rng.nextInt(3) : 0;
        for (int i = 0; i < n; i++) {
            do_(new Step.Write(g.id(), key(lo + rng.nextLong(hi - lo)), 1));
        }
        do_(new Step.Leader(g.id(), candidates.get(rng.nextInt(candidates.size()))));
    }

    void campaign() {
        for (Map.Entry<Long, TreeMap<Long, Lag>> e : lagging.entrySet()) {
            for (Map.Entry<Long, Lag> sl : e.getValue().entrySet()) {
                long s = sl.getKey();
                Peer p = cluster.liveStore(s).peer(e.getKey());
                Group g = cluster.groups().get(e.getKey());
                if (sl.getValue() == Lag.CUT && p != null && p.live() && (!g.alive() || g.leader() != s)
                        && rng.nextBoolean()) {
                    do_(new Step.Campaign(s, e.getKey()));
                    return;
                }
            }
        }
    }
}
