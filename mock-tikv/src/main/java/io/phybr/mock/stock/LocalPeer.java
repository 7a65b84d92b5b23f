package io.phybr.mock.stock;

import java.util.Arrays;

/**
 * One peer a store holds on its disk, as TiKV's snap_recovery reads it from the raft state and the
 * region local state. Keys are raw (no {@code z} prefix); an empty end key means +inf.
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

    public long maxPeerId() {
        return Arrays.stream(peerIds).max().orElse(0);
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
