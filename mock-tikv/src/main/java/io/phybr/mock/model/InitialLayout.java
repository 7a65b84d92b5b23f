package io.phybr.mock.model;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The regions a history declares before its first step (bootstrap): each checked as it is declared (a positive id,
 * a non-empty range, peers, no overlap with one declared before), and all of them, when the history starts, checked
 * to tile the key space exactly.
 */
final class InitialLayout {
    /** The initial regions by start key: a neighbour lookup, not a scan of all (layouts of 10^5+ regions). */
    private final TreeMap<byte[], Group> byStart = new TreeMap<>(Keys::compare);

    void check(long regionId, byte[] start, byte[] end, List<Long> onStores) {
        if (regionId <= 0) {
            throw new ModelException("region id " + regionId + " is invalid: region ids are positive");
        }
        if (Keys.compareStartEnd(start, end) >= 0) {
            throw new ModelException("region " + regionId + " has an empty or reversed range " + Keys.range(start, end));
        }
        if (onStores.isEmpty()) {
            throw new ModelException("region " + regionId + " has no peers");
        }
        Map.Entry<byte[], Group> below = byStart.floorEntry(start);
        Map.Entry<byte[], Group> above = byStart.higherEntry(start);
        for (Map.Entry<byte[], Group> n : java.util.Arrays.asList(below, above)) {
            Group g = n == null ? null : n.getValue();
            if (g != null && Keys.overlaps(start, end, g.start, g.end)) {
                throw new ModelException("region " + regionId + " " + Keys.range(start, end) + " overlaps region " + g.id
                        + " " + Keys.range(g.start, g.end) + " in the initial layout");
            }
        }
    }

    void add(Group g) {
        byStart.put(g.start, g);
    }

    /** The live regions, sorted by start key, must tile [-, +inf) exactly. */
    static void checkTiles(List<Group> sortedByStart) {
        byte[] expect = Keys.EMPTY;
        boolean first = true;
        for (Group g : sortedByStart) {
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
}
