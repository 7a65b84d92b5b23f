package io.phybr.mock.pd;

import java.util.List;

/**
 * Internal (not API): public only because the mock stores ({@code stock}) send it to {@link MockPd}.
 *
 * <p>What a region's leader tells PD in its heartbeat (pdpb {@code RegionHeartbeatRequest}): PD learns regions and
 * their leaders only from these. Keys are raw (unencoded) bytes. {@code flashbackStartTs} is the region meta's
 * flashback state as the leader held it when it sent the heartbeat (metapb.Region {@code is_in_flashback},
 * {@code flashback_start_ts}; 0: not in flashback) — TiKV sends no heartbeat when a flashback admin command applies
 * ({@code fsm/peer.rs on_set_flashback_state}), so PD's copy is only as fresh as the leader's last heartbeat.
 */
public record RegionHeartbeat(long regionId, long leaderStore, long leaderPeer, byte[] startKey, byte[] endKey,
                              long confVer, long version, List<Peer> peers, long flashbackStartTs) {
    /** One peer of the region: its id and store. */
    public record Peer(long id, long storeId) {
    }

    /** A region not in flashback. */
    public RegionHeartbeat(long regionId, long leaderStore, long leaderPeer, byte[] startKey, byte[] endKey,
                           long confVer, long version, List<Peer> peers) {
        this(regionId, leaderStore, leaderPeer, startKey, endKey, confVer, version, peers, 0);
    }

    public RegionHeartbeat {
        startKey = startKey.clone();
        endKey = endKey.clone();
        peers = List.copyOf(peers);
    }
}
