package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a history: per store, the volume-snapshot copy it will report from; and the truth
 * a correct recovery is judged against (committed writes at or below the resolved ts, the
 * committed layout, every region's full log).
 */
public final class Backup {
    private final TreeMap<Long, StoreImage> images;
    private final List<Write> writes;
    private final BitSet mustSurvive;
    private final long resolvedTs;
    private final List<Group> committedLayout;
    private final Map<Long, Group> groups;

    Backup(TreeMap<Long, StoreImage> images, List<Write> writes, BitSet mustSurvive, long resolvedTs,
           List<Group> committedLayout, Map<Long, Group> groups) {
        this.images = images;
        this.writes = writes;
        this.mustSurvive = mustSurvive;
        this.resolvedTs = resolvedTs;
        this.committedLayout = committedLayout;
        this.groups = groups;
    }

    /** The store images as restored from the snapshots (callers may mutate copies, see {@link #freshImages()}). */
    public TreeMap<Long, StoreImage> images() {
        return images;
    }

    /** Deep copies of the images, for one recovery run to apply commands to. */
    public TreeMap<Long, StoreImage> freshImages() {
        TreeMap<Long, StoreImage> out = new TreeMap<>();
        images.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    public List<Write> writes() {
        return writes;
    }

    /** Writes committed in Raft with commit_ts at or below the resolved ts: a recovery must keep them all. */
    public List<Write> mustSurvive() {
        List<Write> out = new ArrayList<>();
        for (int i = mustSurvive.nextSetBit(0); i >= 0; i = mustSurvive.nextSetBit(i + 1)) {
            out.add(writes.get(i));
        }
        return out;
    }

    public long resolvedTs() {
        return resolvedTs;
    }

    /** The regions as the cluster's leaders saw them at the end of the history, by start key. */
    public List<Group> committedLayout() {
        return committedLayout;
    }

    public Group group(long regionId) {
        return groups.get(regionId);
    }
}
