package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Taking the backup: the resolved ts, then per store a snapshot of its raft volume (replicas' logs and hard state)
 * and of its kv volume (apply state, region state, user data) — normally at the same instant, apart when a store's
 * volumes were snapshotted at different times (SPEC R16, tidb#43433) — and peers a backup lost.
 */
final class Volumes {
    private final TreeMap<Long, StoreImage> stores;
    private final TreeMap<Long, Group> groups;
    private final List<Write> writes;
    private final TreeMap<Long, StoreImage> kv = new TreeMap<>();
    private final TreeMap<Long, StoreImage> raft = new TreeMap<>();
    private final Set<List<Long>> lost = new HashSet<>();
    private long resolvedTs = -1;
    private BitSet mustSurvive;

    Volumes(TreeMap<Long, StoreImage> stores, TreeMap<Long, Group> groups, List<Write> writes) {
        this.stores = stores;
        this.groups = groups;
        this.writes = writes;
    }

    /**
     * The resolved ts, taken once before the first snapshot: the clock now, lowered below the commit ts of any write
     * still pending in Raft (a transaction not yet committed holds the resolved ts back). Every write committed in
     * Raft with a commit ts at or below it must survive a recovery.
     */
    void markResolved(long clock) {
        if (mustSurvive != null) {
            throw new ModelException("the resolved ts is already fixed (it is taken once, before the first snapshot)");
        }
        resolvedTs = clock;
        for (Write w : writes) {
            if (!committed(w) && pending(w)) {
                resolvedTs = Math.min(resolvedTs, w.commitTs() - 1);
            }
        }
        mustSurvive = new BitSet();
        for (Write w : writes) {
            if (committed(w) && w.commitTs() <= resolvedTs) {
                mustSurvive.set(w.id());
            }
        }
    }

    /** Is the write's entry committed in its region's (leader's) log? An overwritten entry is not. */
    private boolean committed(Write w) {
        Group g = groups.get(w.regionId());
        return w.index() <= g.commit && isEntryOf(g, w);
    }

    /** Is the write still in its region's log, waiting to commit (not overwritten by a newer leader)? */
    private boolean pending(Write w) {
        return isEntryOf(groups.get(w.regionId()), w);
    }

    private static boolean isEntryOf(Group g, Write w) {
        return w.index() <= g.lastIndex() && g.entry(w.index()).command() instanceof Entry.Write e
                && e.writeId() == w.id();
    }

    void take(StoreImage store, boolean raftVolume, long clock) {
        TreeMap<Long, StoreImage> into = raftVolume ? raft : kv;
        if (into.containsKey(store.id)) {
            throw new ModelException("the " + (raftVolume ? "raft" : "kv") + " volume of store " + store.id
                    + " is snapshotted twice");
        }
        if (mustSurvive == null) {
            markResolved(clock);
        }
        into.put(store.id, store.copy());
    }

    void lose(long storeId, long regionId) {
        lost.add(List.of(storeId, regionId));
    }

    /** The backup: volumes not yet snapshotted are snapshotted now. */
    Backup finish(long clock, List<Group> layout) {
        if (mustSurvive == null) {
            markResolved(clock);
        }
        TreeMap<Long, StoreImage> images = new TreeMap<>();
        for (long s : stores.keySet()) {
            StoreImage img = kv.containsKey(s) ? kv.get(s).copy() : stores.get(s).copy();
            StoreImage r = raft.containsKey(s) ? raft.get(s) : stores.get(s);
            for (Peer p : img.allPeers()) {
                // the region's state is in the kv volume; its raft state comes from the raft volume's instant
                p.takeRaftState(r.peer(p.regionId));
            }
            img.peers.keySet().removeIf(id -> lost.contains(List.of(s, id)));
            images.put(s, img);
        }
        return new Backup(images, List.copyOf(writes), (BitSet) mustSurvive.clone(), resolvedTs,
                new ArrayList<>(layout), groups);
    }
}
