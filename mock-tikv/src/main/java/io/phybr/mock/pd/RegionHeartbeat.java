package io.phybr.mock.pd;

import java.util.List;

/**
 * What a region's leader tells PD in its heartbeat (pdpb {@code RegionHeartbeatRequest}): PD learns regions and
 * their leaders only from these. Keys are raw (unencoded) bytes.
 */
public record RegionHeartbeat(long regionId, long leaderStore, long leaderPeer, byte[] startKey, byte[] endKey,
                              long confVer, long version, List<Peer> peers) {
    /** One peer of the region: its id and store. */
    public record Peer(long id, long storeId) {
    }

    public RegionHeartbeat {
        startKey = startKey.clone();
        endKey = endKey.clone();
        peers = List.copyOf(peers);
    }
}
