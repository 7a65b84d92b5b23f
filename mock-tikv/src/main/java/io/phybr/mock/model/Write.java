package io.phybr.mock.model;

/** A user write: where it went in Raft and its commit ts. */
public record Write(int id, byte[] key, long commitTs, long regionId, long index) {
    @Override
    public String toString() {
        return "write#" + id + "{key=" + Keys.show(key) + ", commit_ts=" + commitTs + ", region " + regionId
                + " index " + index + "}";
    }
}
