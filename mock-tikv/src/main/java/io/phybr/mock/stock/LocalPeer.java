package io.phybr.mock.stock;

import java.util.Arrays;

/**
 * One peer a store holds on its disk, as TiKV's snap_recovery reads it from the raft state and the
 * region local state. Keys are raw (no {@code z} prefix); an empty end key means +inf.
 *
 * <p>Build one by name: {@code LocalPeer.of(7).peers(71, 72).lastLogTerm(6).lastIndex(40).commitIndex(38).version(5)
 * .range(start, end).build()}.
 *
 * @param peerIds  ids of every peer of the region in this replica's region epoch; the service reports the largest
 * @param tombstone the local peer state is Tombstone (TiKV does not report such peers at all)
 */
public record LocalPeer(long regionId, long[] peerIds, long lastLogTerm, long lastIndex, long commitIndex,
                        long version, boolean tombstone, byte[] startKey, byte[] endKey) {
    public LocalPeer {
        peerIds = peerIds.clone();
        startKey = startKey == null ? new byte[0] : startKey.clone();
        endKey = endKey == null ? new byte[0] : endKey.clone();
    }

    /** A builder of a peer of region {@code regionId}; what it is not told is 0, live, over the whole key space. */
    public static Builder of(long regionId) {
        return new Builder(regionId);
    }

    /** Names each field of a {@link LocalPeer}; {@link #build()} copies the arrays. */
    public static final class Builder {
        private final long regionId;
        private long[] peerIds = new long[0];
        private long lastLogTerm;
        private long lastIndex;
        private long commitIndex;
        private long version;
        private boolean tombstone;
        private byte[] startKey;
        private byte[] endKey;

        private Builder(long regionId) {
            this.regionId = regionId;
        }

        /** Ids of every peer of the region in this replica's region epoch. */
        public Builder peers(long... ids) {
            this.peerIds = ids;
            return this;
        }

        /** The Raft hard-state term TiKV reports as {@code last_log_term}. */
        public Builder lastLogTerm(long term) {
            this.lastLogTerm = term;
            return this;
        }

        public Builder lastIndex(long index) {
            this.lastIndex = index;
            return this;
        }

        public Builder commitIndex(long index) {
            this.commitIndex = index;
            return this;
        }

        /** The region epoch's version. */
        public Builder version(long v) {
            this.version = v;
            return this;
        }

        /** Whether the local peer state is Tombstone. */
        public Builder tombstone(boolean t) {
            this.tombstone = t;
            return this;
        }

        /** Raw keys; null or empty: -inf / +inf. */
        public Builder range(byte[] start, byte[] end) {
            this.startKey = start;
            this.endKey = end;
            return this;
        }

        public LocalPeer build() {
            return new LocalPeer(regionId, peerIds, lastLogTerm, lastIndex, commitIndex, version, tombstone, startKey,
                    endKey);
        }
    }

    public long maxPeerId() {
        long max = 0; // a loop, not a stream: ReadRegionMeta asks this of every peer it reports
        for (int i = 0; i < peerIds.length; i++) {
            max = i == 0 ? peerIds[0] : Math.max(max, peerIds[i]);
        }
        return max;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LocalPeer p && p.regionId == regionId && Arrays.equals(p.peerIds, peerIds)
                && p.lastLogTerm == lastLogTerm && p.lastIndex == lastIndex && p.commitIndex == commitIndex
                && p.version == version && p.tombstone == tombstone && Arrays.equals(p.startKey, startKey)
                && Arrays.equals(p.endKey, endKey);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(regionId) * 31 + Long.hashCode(lastIndex);
    }

    @Override
    public String toString() {
        return "LocalPeer[region " + regionId + ", peers " + Arrays.toString(peerIds) + ", term " + lastLogTerm
                + ", index " + lastIndex + ", version " + version + (tombstone ? ", tombstone" : "") + "]";
    }
}
