package io.phybr.mock.model;

import java.util.List;

/** A user write: where it went in Raft and its commit ts. */
public record Write(int id, byte[] key, long commitTs, long regionId, long index) {
    /**
     * The key of a write to region {@code g} that names none: its start key (00 for -inf), '_' and the count of its
     * writes so far; the start key itself if that falls outside the region.
     */
    static byte[] autoKey(Group g, List<Write> writes) {
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

    @Override
    public String toString() {
        return "write#" + id + "{key=" + Keys.show(key) + ", commit_ts=" + commitTs + ", region " + regionId
                + " index " + index + "}";
    }
}
