package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Internal (not API): public only because {@code history.Step}, {@code scenario.Scenario} and {@code gen}
 * drive it; a test author writes a history as {@code Step}s or a scenario file and reads the {@link Backup}.
 *
 * <p>A running TiKV cluster, driven one history step at a time. Each region has one Raft log (the
 * leader's); every store holds peers that persist and apply that log unless they lag. Volume
 * snapshots copy a store at a point while the cluster keeps running; {@link #finish()} returns the
 * copies (what each store will report) together with the truth the checker judges against.
 */
public final class Cluster {
    private final TreeMap<Long, StoreImage> stores = new TreeMap<>();
    private final TreeMap<Long, Group> groups = new TreeMap<>();
    private final List<Write> writes = new ArrayList<>();
    /** (store, region) → how that replica lags. */
    private final TreeMap<Long, TreeMap<Long, Lag>> lags = new TreeMap<>();
    private final Replication replication = new Replication(stores, groups, writes, lags);
    private final Elections elections = new Elections(stores, replication);
    private final Volumes volumes = new Volumes(stores, groups, writes);
    private long clock = 400_000_000_000_000_000L;
    private long nextPeerId = 1000;
    private boolean started;
    private final FirstElections firstElections = new FirstElections(elections, replication);
    private final InitialLayout initial = new InitialLayout();

    public Cluster(List<Long> storeIds) {
        if (storeIds.isEmpty()) {
            throw new ModelException("a cluster needs at least one store");
        }
        for (long s : storeIds) {
            if (s <= 0) {
                throw new ModelException("store id " + s + " is invalid: store ids are positive");
            }
            if (stores.put(s, StoreImage.empty(s)) != null) {
                throw new ModelException("store " + s + " is listed twice");
            }
        }
    }

    public Set<Long> storeIds() {
        return stores.keySet();
    }

    public Map<Long, Group> groups() {
        return groups;
    }

    public List<Write> writes() {
        return writes;
    }

    public StoreImage liveStore(long id) {
        return store(id);
    }

    // ------------------------------------------------------------------ steps

    /**
     * Declares a region of the initial layout (before any other step). Its peers start at RAFT_INIT_LOG_INDEX/TERM
     * with no vote; the peer on the first store campaigns when the history starts and wins by Raft's vote rule, so
     * its first leader holds a real election: every peer's hard state records the term and its vote (SPEC R2, R8).
     */
    public void bootstrap(long regionId, byte[] start, byte[] end, List<Long> onStores, long version) {
        if (started) {
            throw new ModelException("region " + regionId + " is declared after history steps; declare the initial regions first");
        }
        if (groups.containsKey(regionId)) {
            throw new ModelException("region " + regionId + " is declared twice");
        }
        initial.check(regionId, start, end, onStores);
        TreeMap<Long, Long> members = new TreeMap<>();
        for (long s : onStores) {
            store(s);
            if (members.put(s, nextPeerId++) != null) {
                throw new ModelException("region " + regionId + " lists store " + s + " twice");
            }
        }
        Group g = new Group(regionId, onStores.get(0), members, start, end, version, 1);
        groups.put(regionId, g);
        firstElections.add(g);
        initial.add(g);
        for (Map.Entry<Long, Long> m : members.entrySet()) {
            Peer p = Peer.of(m.getKey(), regionId).peerId(m.getValue()).applied(Group.INIT_INDEX)
                    .lastIndex(Group.INIT_INDEX).term(Group.INIT_TERM).range(start, end).version(version).confVer(1)
                    .members(members).build();
            stores.get(m.getKey()).peers.put(regionId, p);
        }
    }

    /**
     * Starts the history now: the declared regions must tile the key space and hold their first elections. Every
     * history step does this itself first; a generator that draws its steps against the model's state calls it
     * before the first draw, or it sees no elected region until some step started the history.
     */
    public void begin() {
        if (started) {
            return;
        }
        started = true;
        if (groups.isEmpty()) {
            return;
        }
        InitialLayout.checkTiles(sortedByStart());
        firstElections.holdNow();
    }

    private List<Group> sortedByStart() {
        List<Group> list = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.alive) {
                list.add(g);
            }
        }
        list.sort((a, b) -> Keys.compare(a.start, b.start));
        return list;
    }

    public Write write(byte[] key) {
        begin();
        for (Group g : groups.values()) {
            if (g.alive && Keys.contains(g.start, g.end, key)) {
                return write(g.id, key);
            }
        }
        throw new ModelException("no region covers key " + Keys.show(key) + " (the cluster has no regions)");
    }

    public Write write(long regionId, byte[] key) {
        begin();
        Group g = alive(regionId);
        if (key == null) {
            key = Write.autoKey(g, writes);
        }
        if (!Keys.contains(g.start, g.end, key)) {
            throw new ModelException("key " + Keys.show(key) + " is outside region " + regionId + " "
                    + Keys.range(g.start, g.end));
        }
        if (g.merging) {
            throw new ModelException("region " + regionId + " is merging and accepts no writes");
        }
        Write w = new Write(writes.size(), key, ++clock, regionId, g.lastIndex() + 1);
        writes.add(w);
        propose(g, new Entry.Write(w.id()));
        return w;
    }

    public void split(long regionId, byte[] at, long newRegionId) {
        begin();
        Group g = alive(regionId);
        if (groups.containsKey(newRegionId) || newRegionId <= 0) {
            throw new ModelException("cannot split region " + regionId + " into region " + newRegionId
                    + ": that id is " + (newRegionId <= 0 ? "invalid" : "already used"));
        }
        if (g.merging) {
            throw new ModelException("region " + regionId + " is merging and cannot split");
        }
        if (at.length == 0 || Keys.compare(at, g.start) <= 0 || (g.end.length != 0 && Keys.compare(at, g.end) >= 0)) {
            throw new ModelException("split key " + Keys.show(at) + " is not strictly inside region " + regionId + " "
                    + Keys.range(g.start, g.end));
        }
        TreeMap<Long, Long> newPeers = new TreeMap<>();
        for (long s : g.members.keySet()) {
            newPeers.put(s, nextPeerId++);
        }
        Group child = new Group(newRegionId, g.leader, new TreeMap<>(newPeers), at, g.end, g.version + 1, g.confVer);
        child.parent = g.id;
        child.splitIndex = g.lastIndex() + 1;
        groups.put(newRegionId, child);
        firstElections.add(child);
        g.end = at;
        g.version++;
        propose(g, new Entry.Split(at, newRegionId, newPeers));
    }

    /**
     * Merges {@code source} into its neighbour {@code target} as PD's merge operator does: PrepareMerge in the source's
     * log, then CommitMerge in the target's. Refused ({@link ModelException}) where PD or TiKV would not merge
     * ({@link #mergeRefusal}).
     */
    public void merge(long source, long target) {
        begin();
        Group s = alive(source);
        Group t = alive(target);
        String refusal = MergeRules.refusal(s, t, stores, replication);
        if (refusal != null) {
            throw new ModelException(refusal);
        }
        boolean left = MergeRules.sourceIsLeft(s, t);
        long prepareIndex = s.lastIndex() + 1;
        s.version++;
        s.confVer++;
        s.merging = true;
        propose(s, new Entry.PrepareMerge(target));
        if (s.commit < prepareIndex) {
            throw new ModelException("the PrepareMerge of region " + source
                    + " cannot commit: a majority of its peers lag; resume one before merging");
        }
        if (left) {
            t.start = s.start;
        } else {
            t.end = s.end;
        }
        t.version = Math.max(t.version, s.version) + 1;
        s.alive = false;
        propose(t, new Entry.CommitMerge(source, prepareIndex));
    }

    /**
     * Why PD and TiKV would not merge {@code source} into {@code target} now, or null when they would: the regions must
     * be adjacent, live, on the same stores and not merging, every peer of both must exist and be matched by its
     * leader, and the source's log gap must hold no admin command ({@link MergeRules}, issue 14).
     */
    public String mergeRefusal(long source, long target) {
        Group s = groups.get(source);
        Group t = groups.get(target);
        if (s == null || t == null) {
            return "region " + (s == null ? source : target) + " does not exist";
        }
        return MergeRules.refusal(s, t, stores, replication);
    }

    /**
     * An election that {@code toStore} wins by Raft's vote rule over the voters it reaches; the entries it lacks are
     * overwritten (they stay, uncommitted, on replicas cut off from it: tikv#16307). See {@link Elections}.
     */
    public void transferLeader(long regionId, long toStore) {
        begin();
        Group g = alive(regionId);
        elections.elect(g, toStore);
        propose(g, new Entry.Noop());
    }

    /** Whether {@code toStore} would win an election of {@code regionId} now (Raft's vote rule). */
    public boolean canWin(long regionId, long toStore) {
        Group g = groups.get(regionId);
        return g != null && g.alive && elections.refusal(g, toStore) == null;
    }

    /**
     * A failed election: the peer on {@code storeId}, which does not hear from its leader, campaigns in a later term;
     * {@code voters} (stores that do not hear from the leader either) grant it their vote; it gains no entry of that
     * term, so its hard-state term exceeds its last entry's term (SPEC R2).
     */
    public void campaign(long storeId, long regionId, List<Long> voters) {
        begin();
        Group g = groups.get(regionId);
        if (g == null) {
            throw new ModelException("region " + regionId + " does not exist");
        }
        elections.campaign(g, storeId, voters);
    }

    public void campaign(long storeId, long regionId) {
        campaign(storeId, regionId, List.of());
    }

    public void addPeer(long regionId, long storeId) {
        begin();
        Group g = alive(regionId);
        store(storeId);
        if (g.members.containsKey(storeId)) {
            throw new ModelException("region " + regionId + " already has a peer on store " + storeId);
        }
        if (g.merging) {
            throw new ModelException("region " + regionId + " is merging and cannot change peers");
        }
        long peerId = nextPeerId++;
        g.members.put(storeId, peerId);
        g.confVer++;
        g.pendingAdds.put(storeId, g.lastIndex() + 1);
        propose(g, new Entry.AddPeer(storeId, peerId));
    }

    public void removePeer(long regionId, long storeId) {
        begin();
        Group g = alive(regionId);
        if (!g.members.containsKey(storeId)) {
            throw new ModelException("region " + regionId + " has no peer on store " + storeId);
        }
        if (g.leader == storeId) {
            throw new ModelException("store " + storeId + " leads region " + regionId + "; transfer the leader before removing it");
        }
        if (g.members.size() == 1) {
            throw new ModelException("cannot remove the last peer of region " + regionId);
        }
        if (g.merging) {
            throw new ModelException("region " + regionId + " is merging and cannot change peers");
        }
        g.members.remove(storeId);
        g.pendingAdds.remove(storeId);
        g.removedAt.put(storeId, g.lastIndex() + 1);
        g.confVer++;
        propose(g, new Entry.RemovePeer(storeId));
    }

    /**
     * The peer of {@code regionId} on {@code storeId} lags from now on ({@link Lag}). A cut-off leader still appends
     * its own proposals, which then never commit unless it gets its followers back.
     */
    public void lag(long storeId, long regionId, Lag mode) {
        begin();
        store(storeId);
        replication.startLag(storeId, regionId, mode);
    }

    public void lag(long storeId, long regionId, boolean applyOnly) {
        lag(storeId, regionId, applyOnly ? Lag.APPLY : Lag.CUT);
    }

    public void resume(long storeId, long regionId) {
        begin();
        replication.endLag(storeId, regionId);
        Group g = groups.get(regionId);
        if (g.alive && elections.higherTermThanLeader(g) != null) {
            // the rejoined replica's higher term deposes the leader; the old leader (most up to date) wins again
            elections.reelectLeader(g);
            propose(g, new Entry.Noop());
            return;
        }
        settle();
    }

    /** The backup's resolved ts, taken once before the first snapshot (see {@link Volumes#markResolved}). */
    public void markResolved() {
        begin();
        volumes.markResolved(clock);
    }

    /** A volume snapshot of both the raft and the kv volume of a store at this instant. */
    public void snapshot(long storeId) {
        snapshotRaft(storeId);
        snapshotKv(storeId);
    }

    /** The raft volume of a store (every replica's log and hard state) snapshotted now (SPEC R16 when apart). */
    public void snapshotRaft(long storeId) {
        begin();
        volumes.take(store(storeId), true, clock);
    }

    /** The kv volume of a store (apply state, region state, user data) snapshotted now (SPEC R16 when apart). */
    public void snapshotKv(long storeId) {
        begin();
        volumes.take(store(storeId), false, clock);
    }

    /** The backup of {@code storeId} lost its peer of {@code regionId} (damaged or deleted metadata). */
    public void lose(long storeId, long regionId) {
        begin();
        store(storeId);
        volumes.lose(storeId, regionId);
    }

    /** Ends the history: volumes not yet snapshotted are snapshotted now. */
    public Backup finish() {
        begin();
        return volumes.finish(clock, sortedByStart());
    }

    // ------------------------------------------------------------------ raft mechanics

    private void propose(Group g, Entry.Command cmd) {
        if (!g.elected) {
            throw new ModelException("region " + g.id + " has no leader yet: its first candidate (store " + g.leader
                    + ") cannot win an election now (" + elections.refusal(g, g.leader) + ")");
        }
        Peer leader = store(g.leader).peer(g.id);
        if (leader == null || leader.tombstone) {
            throw new ModelException("region " + g.id + " has no live peer on its leader's store " + g.leader
                    + " (it has not applied the split that creates it); let that store catch up first");
        }
        g.log.add(new Entry(g.lastIndex() + 1, g.term, cmd));
        settle();
    }

    private void settle() {
        replication.settle();
        firstElections.holdNow();
    }

    private Group alive(long regionId) {
        Group g = groups.get(regionId);
        if (g == null) {
            throw new ModelException("region " + regionId + " does not exist");
        }
        if (!g.alive) {
            throw new ModelException("region " + regionId + " was merged away and no longer exists");
        }
        return g;
    }

    private StoreImage store(long id) {
        StoreImage s = stores.get(id);
        if (s == null) {
            throw new ModelException("store " + id + " is not part of the cluster (stores " + stores.keySet() + ")");
        }
        return s;
    }
}
