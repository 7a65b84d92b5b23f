package io.phybr.mock.gen;

import io.phybr.mock.model.Keys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a generated layout is a cluster TiKV could hold, at any size: every key a memcomparable-encoded
 * TiDB record key (or empty), every range non-empty, no store holding two replicas of a region, the newest
 * replicas of the regions — where they overlap, the higher version's (a split or a merge raises the version of
 * what it produces) — tiling the key space in unsigned byte order (TiKV's), replicas of one region at one
 * version agreeing on the range, and every older replica overlapping another region older than that region.
 * Tombstones only need valid keys.
 *
 * <p>A layout is streamed twice (first the newest replica per region, then every replica against it), so the
 * memory is a few arrays per region, not per replica: a million regions check in seconds.
 */
public final class LayoutShape {
    /** Receives one replica. Keys may be reused buffers; the checker copies what it keeps. */
    @FunctionalInterface
    public interface Sink {
        void replica(long store, long regionId, long version, boolean tombstone, byte[] start, byte[] end);
    }

    /** A layout that streams the same replicas, in the same order, every time. */
    @FunctionalInterface
    public interface Source {
        void replay(Sink sink) throws IOException;
    }

    /**
     * Regions and replicas seen, regions superseded by a newer overlapping one (merged away, still alive on a store
     * that missed the merge), and the problems found (at most {@link #MAX_PROBLEMS}; empty when valid).
     */
    public record Result(long regions, long replicas, long superseded, List<String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    public static final int MAX_PROBLEMS = 10;

    private final List<String> problems = new ArrayList<>();
    private final LongIntMap slotOf = new LongIntMap();
    private long[] regionIds = new long[1024];
    private long[] version = new long[1024];
    private byte[][] start = new byte[1024][];
    private byte[][] end = new byte[1024][];
    private long[] storeMask = new long[1024];
    private final Set<List<Long>> wideStores = new HashSet<>();
    private int regions;
    private long replicas;

    private LayoutShape() {
    }

    public static Result check(Source layout) throws IOException {
        LayoutShape s = new LayoutShape();
        layout.replay(s::first);
        if (s.problems.isEmpty()) {
            s.tiling();
        }
        if (s.problems.isEmpty()) {
            layout.replay(s::second);
        }
        return new Result(s.regions, s.replicas, s.superseded, List.copyOf(s.problems));
    }

    private void problem(String p) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(p);
        }
    }

    private void first(long store, long regionId, long v, boolean tombstone, byte[] s, byte[] e) {
        replicas++;
        String who = "store " + store + " region " + regionId; // cheap: no key formatting on the good path
        if (!wellFormed(s) || !wellFormed(e)) {
            problem(who + ": key " + Keys.hex(wellFormed(s) ? e : s) + " is not a memcomparable TiDB record key");
            return;
        }
        if (Keys.compareStartEnd(s, e) >= 0) {
            problem(who + ": start_key " + Keys.show(s) + " is not below end_key " + Keys.show(e));
            return;
        }
        if (tombstone) {
            return;
        }
        int slot = slotOf.get(regionId);
        if (slot < 0) {
            slot = add(regionId);
        }
        if (store >= 0 && store < 64) {
            if ((storeMask[slot] & (1L << store)) != 0) {
                problem(who + ": the store holds two replicas of the region");
            }
            storeMask[slot] |= 1L << store;
        } else if (!wideStores.add(List.of(store, regionId))) {
            problem(who + ": the store holds two replicas of the region");
        }
        if (start[slot] == null || v > version[slot]) {
            version[slot] = v;
            start[slot] = s.clone();
            end[slot] = e.clone();
        }
    }

    private int add(long regionId) {
        if (regions == regionIds.length) {
            int n = regions * 2;
            regionIds = Arrays.copyOf(regionIds, n);
            version = Arrays.copyOf(version, n);
            start = Arrays.copyOf(start, n);
            end = Arrays.copyOf(end, n);
            storeMask = Arrays.copyOf(storeMask, n);
        }
        regionIds[regions] = regionId;
        slotOf.put(regionId, regions);
        return regions++;
    }

    /**
     * Epoch rule: a split or a merge gives what it produces a higher version than what it replaced, so where the
     * newest ranges of two regions overlap, the higher version is the live one and the other region is gone (a
     * merged-away source still alive on a store that missed the merge). Equal versions must not overlap. The
     * regions that stay must run from the empty key to the empty key without a gap.
     */
    private void tiling() {
        Integer[] byVersion = new Integer[regions];
        for (int i = 0; i < regions; i++) {
            byVersion[i] = i;
        }
        Arrays.sort(byVersion, (a, b) -> version[a] != version[b] ? Long.compare(version[b], version[a])
                : Keys.compare(start[a], start[b]));
        TreeMap<byte[], Integer> kept = new TreeMap<>(Keys::compare);
        for (int i : byVersion) {
            int clash = firstOverlap(kept, start[i], end[i]);
            if (clash < 0) {
                kept.put(start[i], i);
            } else if (version[clash] == version[i]) {
                problem("regions " + regionIds[clash] + " " + Keys.range(start[clash], end[clash]) + " and "
                        + regionIds[i] + " " + Keys.range(start[i], end[i]) + " overlap at the same version "
                        + version[i]);
            } else {
                superseded++;
            }
        }
        byte[] reach = Keys.EMPTY;
        boolean open = true;
        sortedStarts = new byte[kept.size()][];
        sortedSlots = new int[kept.size()];
        int k = 0;
        for (int i : kept.values()) {
            sortedStarts[k] = start[i];
            sortedSlots[k++] = i;
            if (!open) {
                problem(region(i) + " starts after the key space is covered");
            } else if (!Arrays.equals(start[i], reach)) {
                problem("keys " + Keys.range(reach, start[i]) + " have no region; next is " + region(i));
            }
            if (end[i].length == 0) {
                open = false;
            }
            reach = end[i];
        }
        if (open) {
            problem("keys " + Keys.range(reach, Keys.EMPTY) + " have no region");
        }
    }

    private String region(int i) {
        return "region " + regionIds[i] + " " + Keys.range(start[i], end[i]) + " (version " + version[i] + ")";
    }

    /** A kept region overlapping [s, e), or -1. */
    private int firstOverlap(TreeMap<byte[], Integer> kept, byte[] s, byte[] e) {
        Map.Entry<byte[], Integer> before = kept.floorEntry(s);
        if (before != null && Keys.compareStartEnd(s, end[before.getValue()]) < 0) {
            return before.getValue();
        }
        Map.Entry<byte[], Integer> after = kept.higherEntry(s);
        if (after != null && Keys.compareStartEnd(after.getKey(), e) < 0) {
            return after.getValue();
        }
        return -1;
    }

    private byte[][] sortedStarts;
    private int[] sortedSlots;
    private long superseded;

    private boolean superseded(int slot) {
        int k = Arrays.binarySearch(sortedStarts, start[slot], Keys::compare);
        return k < 0 || sortedSlots[k] != slot;
    }

    private void second(long store, long regionId, long v, boolean tombstone, byte[] s, byte[] e) {
        if (tombstone) {
            return;
        }
        int slot = slotOf.get(regionId);
        if (v == version[slot] && !superseded(slot)) {
            if (!Arrays.equals(s, start[slot]) || !Arrays.equals(e, end[slot])) {
                problem(who(store, regionId, v, s, e) + ": another replica at the same version covers "
                        + Keys.range(start[slot], end[slot]));
            }
            return;
        }
        // the first kept region that could overlap [s, e): the last one starting at or before s
        int lo = 0;
        int hi = sortedStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (Keys.compare(sortedStarts[mid], s) <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        for (int k = lo; k < sortedStarts.length && Keys.compareStartEnd(sortedStarts[k], e) < 0; k++) {
            int other = sortedSlots[k];
            if (other != slot && Keys.overlaps(s, e, start[other], end[other]) && v >= version[other]) {
                problem(who(store, regionId, v, s, e) + " overlaps region " + regionIds[other] + " " + Keys.range(start[other], end[other])
                        + " at version " + version[other] + ": an older replica must have a lower version");
            }
        }
    }

    private static String who(long store, long regionId, long v, byte[] s, byte[] e) {
        return "store " + store + " region " + regionId + " " + Keys.range(s, e) + " (version " + v + ")";
    }

    /** Empty, or {@code codec.EncodeBytes} of {@code 't' + int64 + "_r" + int64} (TiDB's record key). */
    static boolean wellFormed(byte[] k) {
        if (k.length == 0) {
            return true;
        }
        if (k.length != RecordKeys.LENGTH) {
            return false;
        }
        // groups of 8 data bytes + a marker 0xff - pad; 19 raw bytes: 8|ff 8|ff 3 + 5 zero pads|fa
        if ((k[8] & 0xff) != 0xff || (k[17] & 0xff) != 0xff || (k[26] & 0xff) != 0xff - 5) {
            return false;
        }
        for (int i = 21; i < 26; i++) {
            if (k[i] != 0) {
                return false;
            }
        }
        // raw byte 0 't', raw bytes 9 and 10 "_r" (raw 9 is encoded 10, raw 10 is encoded 11)
        return k[0] == 't' && k[10] == '_' && k[11] == 'r';
    }

    /** An open-addressing long → int map (no boxing: a million regions stay a few MB). */
    private static final class LongIntMap {
        private long[] keys = new long[2048];
        private int[] values = new int[2048];
        private boolean[] used = new boolean[2048];
        private int size;

        int get(long key) {
            int mask = keys.length - 1;
            for (int i = hash(key) & mask; used[i]; i = (i + 1) & mask) {
                if (keys[i] == key) {
                    return values[i];
                }
            }
            return -1;
        }

        void put(long key, int value) {
            if (2 * (size + 1) > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int i = hash(key) & mask;
            while (used[i] && keys[i] != key) {
                i = (i + 1) & mask;
            }
            if (!used[i]) {
                used[i] = true;
                size++;
            }
            keys[i] = key;
            values[i] = value;
        }

        private void grow() {
            long[] k = keys;
            int[] v = values;
            boolean[] u = used;
            keys = new long[k.length * 2];
            values = new int[k.length * 2];
            used = new boolean[k.length * 2];
            size = 0;
            for (int i = 0; i < k.length; i++) {
                if (u[i]) {
                    put(k[i], v[i]);
                }
            }
        }

        private static int hash(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }
}
