package io.phybr.contract.dump;

import java.util.Arrays;

/**
 * What both protocols' reports of one replica name — its store, region, epoch version, tombstone flag and keys — so
 * that {@link SeedReport} and {@link StockReport} add only their own fields. Mutable and meant to be reused: a
 * collector fills one per stream for every meta it receives, so nothing is allocated per row, and whoever takes it
 * copies what it keeps. Keys are as reported (without TiKV's {@code z} prefix), either arrays ({@link #keys}; null is
 * empty) or slices of one buffer ({@link #keySlices}).
 *
 * @param <R> the report type, which each setter returns so a report is filled in one chain
 */
public abstract sealed class ReplicaReport<R extends ReplicaReport<R>> permits SeedReport, StockReport {
    private static final byte[] EMPTY = new byte[0];

    private long store;
    private long regionId;
    private long version;
    private boolean tombstone;
    private boolean sliced;
    private byte[] start;
    private byte[] end;
    private byte[] startBuf = EMPTY;
    private int startOff;
    private int startLen;
    private byte[] endBuf = EMPTY;
    private int endOff;
    private int endLen;

    public final R store(long id) {
        this.store = id;
        return self();
    }

    public final R region(long id) {
        this.regionId = id;
        return self();
    }

    /** The region epoch's version. */
    public final R version(long v) {
        this.version = v;
        return self();
    }

    public final R tombstone(boolean t) {
        this.tombstone = t;
        return self();
    }

    /** The keys as arrays, not copied; null is an empty key. */
    public final R keys(byte[] startKey, byte[] endKey) {
        sliced = false;
        start = startKey;
        end = endKey;
        startBuf = startKey == null ? EMPTY : startKey;
        startOff = 0;
        startLen = startBuf.length;
        endBuf = endKey == null ? EMPTY : endKey;
        endOff = 0;
        endLen = endBuf.length;
        return self();
    }

    /** The keys as slices of {@code buf} (a received message's bytes), not copied. */
    public final R keySlices(byte[] buf, int startOffset, int startLength, int endOffset, int endLength) {
        sliced = true;
        start = null;
        end = null;
        startBuf = buf;
        startOff = startOffset;
        startLen = startLength;
        endBuf = buf;
        endOff = endOffset;
        endLen = endLength;
        return self();
    }

    ReplicaReport() {
    }

    @SuppressWarnings("unchecked")
    private R self() {
        return (R) this;
    }

    public final long store() {
        return store;
    }

    public final long regionId() {
        return regionId;
    }

    public final long version() {
        return version;
    }

    public final boolean tombstone() {
        return tombstone;
    }

    /** Whether the keys are slices of one buffer ({@link #keySlices}) rather than arrays of their own. */
    public final boolean sliced() {
        return sliced;
    }

    /** The start key: the array given to {@link #keys} (maybe null), or a copy of its slice. */
    public final byte[] startKey() {
        return sliced ? Arrays.copyOfRange(startBuf, startOff, startOff + startLen) : start;
    }

    /** The end key: the array given to {@link #keys} (maybe null), or a copy of its slice. */
    public final byte[] endKey() {
        return sliced ? Arrays.copyOfRange(endBuf, endOff, endOff + endLen) : end;
    }

    /** The buffer holding the start key's bytes at {@link #startOffset()} (never null). */
    public final byte[] startBuffer() {
        return startBuf;
    }

    public final int startOffset() {
        return startOff;
    }

    public final int startLength() {
        return startLen;
    }

    /** The buffer holding the end key's bytes at {@link #endOffset()} (never null). */
    public final byte[] endBuffer() {
        return endBuf;
    }

    public final int endOffset() {
        return endOff;
    }

    public final int endLength() {
        return endLen;
    }
}
