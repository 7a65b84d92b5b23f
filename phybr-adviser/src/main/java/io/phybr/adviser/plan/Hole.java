package io.phybr.adviser.plan;

import java.util.Arrays;

/** A stretch of key space {@code [start, end)} no kept region covers; an empty end means +infinity. */
public record Hole(byte[] start, byte[] end) {
    boolean overlaps(byte[] s, byte[] e) {
        boolean beforeEnd = end.length == 0 || Arrays.compareUnsigned(s, end) < 0;
        boolean afterStart = e.length == 0 || Arrays.compareUnsigned(e, start) > 0;
        return beforeEnd && afterStart;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hole h && Arrays.equals(start, h.start) && Arrays.equals(end, h.end);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(start) + Arrays.hashCode(end);
    }

    @Override
    public String toString() {
        return "[\"" + Planner.hex(start) + "\", \"" + Planner.hex(end) + "\")";
    }
}
