package io.phybr.adviser.flashback;

import java.util.Arrays;

/**
 * Where to send a request for one region, as {@code kvrpcpb.Context} needs it: the region id, its epoch
 * (conf_ver, version — TiKV checks both for PrepareFlashback, raftstore util.rs {@code admin_cmd_epoch_lookup}),
 * and the leader peer (id and store). The key range is the region's boundaries as PD and TiKV hold them.
 * {@code leaderStore} 0: no leader known.
 */
public record RegionRoute(long regionId, byte[] start, byte[] end, long confVer, long version, long leaderPeer,
                          long leaderStore) {
    public boolean hasLeader() {
        return leaderStore != 0 && leaderPeer != 0;
    }

    public RegionRoute withLeader(long peer, long store) {
        return new RegionRoute(regionId, start, end, confVer, version, peer, store);
    }

    /** True when {@code key} (an encoded boundary-space key) lies in this region. */
    public boolean contains(byte[] key) {
        return Arrays.compareUnsigned(start, key) <= 0 && (end.length == 0 || Arrays.compareUnsigned(key, end) < 0);
    }

    public String describe() {
        return "region " + regionId + " " + Keys.range(start, end) + " epoch " + confVer + "/" + version
                + (hasLeader() ? " led by peer " + leaderPeer + " on store " + leaderStore : " without a known leader");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegionRoute r && r.regionId == regionId && Arrays.equals(r.start, start)
                && Arrays.equals(r.end, end) && r.confVer == confVer && r.version == version
                && r.leaderPeer == leaderPeer && r.leaderStore == leaderStore;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(regionId) * 31 + Long.hashCode(version);
    }

    @Override
    public String toString() {
        return describe();
    }
}
