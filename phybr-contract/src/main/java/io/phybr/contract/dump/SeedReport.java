package io.phybr.contract.dump;

import java.util.Arrays;

/**
 * One seed-protocol report ({@code phybr.RegionMeta}) of one store, named field by field, as a {@link ReplicaSink} or
 * a {@link DumpWriter} takes it: {@code report.store(1).region(7).appliedIndex(40).term(6).version(3).tombstone(false)
 * .keys(start, end)}. Mutable and meant to be reused: a collector fills one per stream for every meta it receives, so
 * nothing is allocated per row, and whoever takes it copies what it keeps. Keys are as reported (without TiKV's
 * {@code z} prefix), either arrays ({@link #keys}; null is empty) or slices of one buffer ({@link #keySlices}).
 */
public final class SeedReport {
    private static final byte[] EMPTY = new byte[0];

    private long store;
    private long regionId;
    private long appliedIndex;
    private long term;
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

    public SeedReport store(long id) {
        this.store = id;
        return this;
    }

    public SeedReport region(long id) {
        this.regionId = id;
        return this;
    }

    public SeedReport appliedIndex(long index) {
        this.appliedIndex = index;
        return this;
    }

    public SeedReport term(long t) {
        this.term = t;
        return this;
    }

    /** The region epoch's version. */
    public SeedReport version(long v) {
        this.version = v;
        return this;
    }

    public SeedReport tombstone(boolean t) {
        this.tombstone = t;
        return this;
    }

    /** The keys as arrays, not copied; null is an empty key. */
    public SeedReport keys(byte[] startKey, byte[] endKey) {
        sliced = false;
        start = startKey;
        end = endKey;
        startBuf = startKey == null ? EMPTY : startKey;
        startOff = 0;
        startLen = startBuf.length;
        endBuf = endKey == null ? EMPTY : endKey;
        endOff = 0;
        endLen = endBuf.length;
        return this;
    }

    /** The keys as slices of {@code buf} (a received message's bytes), not copied. */
    public SeedReport keySlices(byte[] buf, int startOffset, int startLength, int endOffset, int endLength) {
        sliced = true;
        start = null;
        end = null;
        startBuf = buf;
        startOff = startOffset;
        startLen = startLength;
        endBuf = buf;
        endOff = endOffset;
        endLen = endLength;
        return this;
    }

    public long store() {
        return store;
    }

    public long regionId() {
        return regionId;
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public long term() {
        return term;
    }

    public long version() {
        return version;
    }

    public boolean tombstone() {
        return tombstone;
    }

    /** Whether the keys are slices of one buffer ({@link #keySlices}) rather than arrays of their own. */
    public boolean sliced() {
        return sliced;
    }

    /** The start key: the array given to {@link #keys} (maybe null), or a copy of its slice. */
    public byte[] startKey() {
        return sliced ? Arrays.copyOfRange(startBuf, startOff, startOff + startLen) : start;
    }

    /** The end key: the array given to {@link #keys} (maybe null), or a copy of its slice. */
    public byte[] endKey() {
        return sliced ? Arrays.copyOfRange(endBuf, endOff, endOff + endLen) : end;
    }

    /** The buffer holding the start key's bytes at {@link #startOffset()} (never null). */
    public byte[] startBuffer() {
        return startBuf;
    }

    public int startOffset() {
        return startOff;
    }

    public int startLength() {
        return startLen;
    }

    /** The buffer holding the end key's bytes at {@link #endOffset()} (never null). */
    public byte[] endBuffer() {
        return endBuf;
    }

    public int endOffset() {
        return endOff;
    }

    public int endLength() {
        return endLen;
    }
}
