package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A running TiKV cluster, driven one history step at a time. Each region has one Raft log (the
 * leader's); every store holds peers that persist and apply that log unless they lag. Volume
 * snapshots copy a store at a point while the cluster keeps running; {@link #finish()} returns the
 * copies (what each store will report) together with the truth the checker judges against.
 */
public final class Cluster {
    private final TreeMap<Long, StoreImage> stores = new TreeMap<>();
    private final TreeMap<Long, StoreImage> snapshots = new TreeMap<>();
    private final TreeMap<Long, Group> groups = new TreeMap<>();
    private final List<Write> writes = new ArrayList<>();
    /** (store, region) → true for "stop persisting and applying", false for "stop applying only". */
    private final TreeMap<Long, TreeMap<Long, Boolean>> lags = new TreeMap<>();
    private final Set<List<Long>> lost = new HashSet<>();
    private long clock = 400_000_000_000_000_000L;
    private long nextPeerId = 1000;
    private long resolvedTs = -1;
    private BitSet mustSurvive;
    private boolean started;
    /** The initial regions by start key (bootstrap's overlap check). */
    private final TreeMap<byte[], Group> initial = new TreeMap<>(Keys::compare);

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

    /** Declares a region of the initial layout (before any other step), leader on the first store. */
    public void bootstrap(long regionId, byte[] start, byte[] end, List<Long> onStores, long version) {
        if (started) {
            throw new ModelException("region " + regionId + " is declared after history steps; declare the initial regions first");
        }
        if (groups.containsKey(regionId)) {
            throw new ModelException("region " + regionId + " is declared twice");
        }
        if (regionId <= 0) {
            throw new ModelException("region id " + regionId + " is invalid: region ids are positive");
        }
        if (Keys.compareStartEnd(start, end) >= 0) {
            throw new ModelException("region " + regionId + " has an empty or reversed range " + Keys.range(start, end));
        }
        if (onStores.isEmpty()) {
            throw new ModelException("region " + regionId + " has no peers");
        }
        // the initial regions by start key: a neighbour lookup, not a scan of all (layouts of 10^5+ regions)
        Map.Entry<byte[], Group> below = initial.floorEntry(start);
        Map.Entry<byte[], Group> above = initial.higherEntry(start);
        for (Map.Entry<byte[], Group> n : java.util.Arrays.asList(below, above)) {
            Group g = n == null ? null : n.getValue();
            if (g != null && Keys.overlaps(start, end, g.start, g.end)) {
                throw new ModelException("region " + regionId + " " + Keys.range(start, end) + " overlaps region " + g.id
                        + " " + Keys.range(g.start, g.end) + " in the initial layout");
            }
        }
        TreeMap<Long, Long> members = new TreeMap<>();
        for (long s : onStores) {
            store(s);
            if (members.put(s, nextPeerId++) != null) {
                throw new ModelException("region " + regionId + " lists store " + s + " twice");
            }
        }
        Group g = new Group(regionId, onStores.get(0), members, start, end, version, 1);
        groups.put(regionId, g);
        initial.put(start, g);
        for (Map.Entry<Long, Long> m : members.entrySet()) {
            Peer p = new Peer(m.getKey(), regionId, m.getValue(), Group.INIT_INDEX, Group.INIT_INDEX, Group.INIT_TERM,
                    start, end, version, 1, new TreeMap<>(members));
            stores.get(m.getKey()).peers.put(regionId, p);
        }
    }

    /** Checks the initial regions tile the key space; called before the first history step. */
    private void start() {
        if (started) {
            return;
        }
        started = true;
        if (groups.isEmpty()) {
            return;
        }
        byte[] expect = Keys.EMPTY;
        boolean first = true;
        for (Group g : sortedByStart()) {
            if (!first && expect.length == 0) {
                throw new ModelException("initial region " + g.id + " starts after a region that already reaches +inf");
            }
            if (Keys.compare(g.start, expect) != 0) {
                throw new ModelException("the initial regions leave a gap " + Keys.range(expect, g.start)
                        + "; they must tile the key space [-, -) exactly");
            }
            expect = g.end;
            first = false;
        }
        if (expect.length != 0) {
            throw new ModelException("the initial regions leave a gap " + Keys.range(expect, Keys.EMPTY)
                    + "; they must tile the key space [-, -) exactly");
        }
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
        start();
        for (Group g : groups.values()) {
            if (g.alive && Keys.contains(g.start, g.end, key)) {
                return write(g.id, key);
            }
        }
        throw new ModelException("no region covers key " + Keys.show(key) + " (the cluster has no regions)");
    }

    public Write write(long regionId, byte[] key) {
        start();
        Group g = alive(regionId);
        if (key == null) {
            key = autoKey(g);
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

    private byte[] autoKey(Group g) {
        int n = 0;
        for (Write w : writes) {
            if (w.regionId() == g.id) {
                n++;
            }
        }
        byte[] base = g.start.length == 0 ? new byte[] {0x00} : g.start;
        byte[] key = Keys.append(base, (byte) 0x5f, (byte) (n >>> 8), (byte) n);
        if (!Keys.contains(g.start, g.end, key)) {
            key = g.start;
        }
        return key;
    }

    public void split(long regionId, byte[] at, long newRegionId) {
        start();
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
        g.end = at;
        g.version++;
        propose(g, new Entry.Split(at, newRegionId, newPeers));
    }

    public void merge(long source, long target) {
        start();
        Group s = alive(source);
        Group t = alive(target);
        if (source == target) {
            throw new ModelException("cannot merge region " + source + " into itself");
        }
        if (!s.members.keySet().equals(t.members.keySet())) {
            throw new ModelException("cannot merge region " + source + " into region " + target
                    + ": their peers are on different stores " + s.members.keySet() + " and " + t.members.keySet()
                    + " (PD would move peers first)");
        }
        boolean left = Keys.compare(s.end, t.start) == 0 && s.end.length != 0;
        boolean right = Keys.compare(t.end, s.start) == 0 && t.end.length != 0;
        if (!left && !right) {
            throw new ModelException("cannot merge region " + source + " " + Keys.range(s.start, s.end) + " into region "
                    + target + " " + Keys.range(t.start, t.end) + ": they are not adjacent");
        }
        if (s.merging || t.merging) {
            throw new ModelException("region " + (s.merging ? source : target) + " is already merging");
        }
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

    public void transferLeader(long regionId, long toStore) {
        start();
        Group g = alive(regionId);
        if (!g.members.containsKey(toStore)) {
            throw new ModelException("store " + toStore + " holds no peer of region " + regionId + " (members "
                    + g.members.keySet() + ")");
        }
        Peer p = store(toStore).peer(regionId);
        if (p == null || p.tombstone || isLagging(toStore, regionId, true) || p.last < g.commit) {
            throw new ModelException("store " + toStore + " cannot win an election for region " + regionId
                    + ": its peer is missing, lagging or behind the commit index");
        }
        long maxTerm = g.term;
        for (long s : g.members.keySet()) {
            Peer q = store(s).peer(regionId);
            if (q != null) {
                maxTerm = Math.max(maxTerm, q.term);
            }
        }
        g.term = maxTerm + 1;
        g.leader = toStore;
        propose(g, new Entry.Noop());
    }

    /** A failed election on one peer (e.g. a partitioned follower): its term goes up, nothing else. */
    public void campaign(long storeId, long regionId) {
        start();
        Peer p = store(storeId).peer(regionId);
        if (p == null || p.tombstone) {
            throw new ModelException("store " + storeId + " holds no live peer of region " + regionId);
        }
        p.term++;
    }

    public void addPeer(long regionId, long storeId) {
        start();
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
        start();
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

    /** The peer of {@code regionId} on {@code storeId} stops (persisting and) applying from now on. */
    public void lag(long storeId, long regionId, boolean applyOnly) {
        start();
        store(storeId);
        if (!groups.containsKey(regionId)) {
            throw new ModelException("region " + regionId + " does not exist");
        }
        Group g = groups.get(regionId);
        if (!applyOnly && g.alive && g.leader == storeId) {
            throw new ModelException("store " + storeId + " leads region " + regionId
                    + "; a leader always persists its log (use 'apply' lag, or transfer the leader first)");
        }
        lags.computeIfAbsent(storeId, k -> new TreeMap<>()).put(regionId, !applyOnly);
    }

    public void resume(long storeId, long regionId) {
        start();
        TreeMap<Long, Boolean> m = lags.get(storeId);
        if (m == null || m.remove(regionId) == null) {
            throw new ModelException("store " + storeId + " does not lag on region " + regionId);
        }
        settle();
    }

    /** The backup's resolved ts: every write so far is at or below it. Must precede every snapshot. */
    public void markResolved() {
        start();
        if (mustSurvive != null) {
            throw new ModelException("the resolved ts is already fixed (it is taken once, before the first snapshot)");
        }
        resolvedTs = clock;
        mustSurvive = new BitSet();
        for (Write w : writes) {
            if (w.index() <= groups.get(w.regionId()).commit) {
                mustSurvive.set(w.id());
            }
        }
    }

    public void snapshot(long storeId) {
        start();
        if (snapshots.containsKey(storeId)) {
            throw new ModelException("store " + storeId + " is snapshotted twice");
        }
        if (mustSurvive == null) {
            markResolved();
        }
        snapshots.put(storeId, store(storeId).copy());
    }

    /** The backup of {@code storeId} lost its peer of {@code regionId} (damaged or deleted metadata). */
    public void lose(long storeId, long regionId) {
        start();
        store(storeId);
        lost.add(List.of(storeId, regionId));
    }

    /** Ends the history: stores not yet snapshotted are snapshotted now. */
    public Backup finish() {
        start();
        if (mustSurvive == null) {
            markResolved();
        }
        TreeMap<Long, StoreImage> images = new TreeMap<>();
        for (long s : stores.keySet()) {
            StoreImage img = snapshots.containsKey(s) ? snapshots.get(s).copy() : stores.get(s).copy();
            img.peers.keySet().removeIf(r -> lost.contains(List.of(s, r)));
            images.put(s, img);
        }
        List<Group> layout = new ArrayList<>();
        for (Group g : sortedByStart()) {
            layout.add(g);
        }
        return new Backup(images, List.copyOf(writes), (BitSet) mustSurvive.clone(), resolvedTs, layout, groups);
    }

    // ------------------------------------------------------------------ raft mechanics

    private void propose(Group g, Entry.Command cmd) {
        Peer leader = store(g.leader).peer(g.id);
        if (leader == null || leader.tombstone) {
            throw new ModelException("region " + g.id + " has no live peer on its leader's store " + g.leader
                    + " (it has not applied the split that creates it); let that store catch up first");
        }
        g.log.add(new Entry(g.lastIndex() + 1, g.term, cmd));
        settle();
    }

    /** Persists, commits and applies everything that can move, until nothing does. */
    private void settle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Group g : new ArrayList<>(groups.values())) {
                for (long s : g.members.keySet()) {
                    moved |= persist(s, g, g.lastIndex());
                }
                for (Map.Entry<Long, Long> r : g.removedAt.entrySet()) {
                    moved |= persist(r.getKey(), g, r.getValue());
                }
                moved |= updateCommit(g);
                for (long s : new ArrayList<>(g.members.keySet())) {
                    moved |= apply(s, g);
                }
                // removed peers that still wait for their removal entry
                for (StoreImage st : stores.values()) {
                    if (!g.members.containsKey(st.id)) {
                        moved |= apply(st.id, g);
                    }
                }
                moved |= deliverSnapshots(g);
            }
        }
    }

    private boolean persist(long storeId, Group g, long upTo) {
        Peer p = stores.get(storeId).peer(g.id);
        if (p == null || p.tombstone || isLagging(storeId, g.id, true) || p.last >= upTo) {
            return false;
        }
        for (long i = p.last + 1; i <= upTo; i++) {
            p.term = Math.max(p.term, g.entry(i).term());
        }
        p.last = upTo;
        return true;
    }

    private boolean updateCommit(Group g) {
        // a peer added by AddPeer counts once it has its snapshot (PD adds learners, then promotes them)
        long[] progress = new long[g.members.size() - g.pendingAdds.size()];
        int i = 0;
        for (long s : g.members.keySet()) {
            if (g.pendingAdds.containsKey(s)) {
                continue;
            }
            Peer p = stores.get(s).peer(g.id);
            progress[i++] = p == null || p.tombstone ? 0 : p.last;
        }
        if (progress.length == 0) {
            return false;
        }
        java.util.Arrays.sort(progress);
        long quorum = progress[progress.length - (progress.length / 2 + 1)];
        if (quorum > g.commit) {
            g.commit = quorum;
            return true;
        }
        return false;
    }

    private boolean apply(long storeId, Group g) {
        StoreImage st = stores.get(storeId);
        Peer p = st.peer(g.id);
        if (p == null || p.tombstone || isLagging(storeId, g.id, false)) {
            return false;
        }
        long limit = Math.min(g.commit, p.last);
        boolean moved = false;
        while (p.applied < limit && !p.tombstone) {
            Entry e = g.entry(p.applied + 1);
            if (!applyEntry(st, p, e)) {
                break;
            }
            moved = true;
        }
        return moved;
    }

    private boolean applyEntry(StoreImage st, Peer p, Entry e) {
        Entry.Command c = e.command();
        if (c instanceof Entry.CommitMerge cm) {
            Peer src = st.peer(cm.source());
            if (src == null || src.applied < cm.sourcePrepareIndex()) {
                return false; // waits for the source peer to catch up, as TiKV does
            }
            p.applied = e.index();
            if (Keys.compare(src.end, p.start) == 0 && src.end.length != 0) {
                p.start = src.start;
            } else {
                p.end = src.end;
            }
            p.version = Math.max(p.version, src.version) + 1;
            src.tombstone = true;
            return true;
        }
        p.applied = e.index();
        if (c instanceof Entry.Write w) {
            st.data.set(w.writeId());
        } else if (c instanceof Entry.Split sp) {
            byte[] oldEnd = p.end;
            p.end = sp.at();
            p.version++;
            Peer existing = st.peer(sp.newRegion());
            if (existing == null && sp.newPeers().containsKey(st.id)) {
                Peer child = new Peer(st.id, sp.newRegion(), sp.newPeers().get(st.id), Group.INIT_INDEX,
                        Group.INIT_INDEX, Group.INIT_TERM, sp.at(), oldEnd, p.version, p.confVer,
                        new TreeMap<>(sp.newPeers()));
                st.peers.put(sp.newRegion(), child);
            }
        } else if (c instanceof Entry.PrepareMerge) {
            p.version++;
            p.confVer++;
        } else if (c instanceof Entry.AddPeer ap) {
            p.members.put(ap.store(), ap.peerId());
            p.confVer++;
        } else if (c instanceof Entry.RemovePeer rp) {
            p.members.remove(rp.store());
            p.confVer++;
            if (rp.store() == st.id) {
                p.tombstone = true;
            }
        }
        return true;
    }

    /** New peers (AddPeer) get a snapshot of the leader once the AddPeer entry has committed. */
    private boolean deliverSnapshots(Group g) {
        boolean moved = false;
        if (g.alive && g.parent != 0) {
            // a store whose parent peer got past the split by a snapshot never ran the split: the
            // child's leader sends it a snapshot instead
            for (long s : g.members.keySet()) {
                Peer parent = stores.get(s).peer(g.parent);
                if (stores.get(s).peer(g.id) == null && !g.pendingAdds.containsKey(s) && parent != null
                        && parent.applied >= g.splitIndex && !isLagging(s, g.id, true)) {
                    g.pendingAdds.put(s, Group.INIT_INDEX);
                }
            }
        }
        for (Map.Entry<Long, Long> pending : new ArrayList<>(g.pendingAdds.entrySet())) {
            long s = pending.getKey();
            Peer leader = stores.get(g.leader).peer(g.id);
            if (g.commit < pending.getValue() || isLagging(s, g.id, true) || leader == null
                    || leader.applied < pending.getValue()) {
                continue;
            }
            StoreImage st = stores.get(s);
            Peer p = new Peer(s, g.id, g.members.get(s), leader.applied, leader.applied, g.term, leader.start,
                    leader.end, leader.version, leader.confVer, new TreeMap<>(leader.members));
            st.peers.put(g.id, p);
            BitSet leaderData = stores.get(g.leader).data;
            for (int w = leaderData.nextSetBit(0); w >= 0; w = leaderData.nextSetBit(w + 1)) {
                if (Keys.contains(p.start, p.end, writes.get(w).key())) {
                    st.data.set(w);
                }
            }
            g.pendingAdds.remove(s);
            moved = true;
        }
        return moved;
    }

    private boolean isLagging(long storeId, long regionId, boolean persistToo) {
        TreeMap<Long, Boolean> m = lags.get(storeId);
        if (m == null) {
            return false;
        }
        Boolean full = m.get(regionId);
        return full != null && (!persistToo || full);
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
