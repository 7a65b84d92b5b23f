package io.phybr.adviser.pd;

/**
 * A region as PD last heard of it from its leader's heartbeat (tikv/pd {@code server/api/region.go}): its id, key
 * range (the bytes TiKV reports; an empty end is +∞), epoch version and the store of its leader (0: none reported).
 */
public record PdRegion(long id, byte[] startKey, byte[] endKey, long version, long leaderStore) {
    public PdRegion {
        startKey = startKey.clone();
        endKey = endKey.clone();
    }

    /** Whether this region's range holds all of {@code [start, end)} (an empty end is +∞). */
    public boolean covers(byte[] start, byte[] end) {
        boolean fromStart = java.util.Arrays.compareUnsigned(startKey, start) <= 0;
        boolean toEnd = endKey.length == 0 || end.length > 0 && java.util.Arrays.compareUnsigned(end, endKey) <= 0;
        return fromStart && toEnd;
    }
}
