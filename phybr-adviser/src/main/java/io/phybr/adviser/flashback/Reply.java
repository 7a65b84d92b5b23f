package io.phybr.adviser.flashback;

import java.util.List;

/**
 * What a store answered one PrepareFlashbackToVersion or FlashbackToVersion, as data the walk decides on. The
 * region errors are kvproto errorpb's, the ones TiKV answers these two calls with (SPEC issue 13): the caller
 * re-resolves the region and retries, except where said.
 */
public sealed interface Reply {
    /** The region (or the part of it that was asked) is prepared / flashed back. */
    record Done() implements Reply {}

    /** {@code errorpb.NotLeader}: {@code leaderStore} 0 when the store knows no leader. */
    record NotLeader(long leaderPeer, long leaderStore, String message) implements Reply {}

    /** {@code errorpb.EpochNotMatch}: the region split, merged or changed peers; TiKV's current regions. */
    record EpochNotMatch(List<RegionRoute> current, String message) implements Reply {}

    /** {@code errorpb.RegionNotFound}: no peer of the region on that store (moved, or the store restarted empty). */
    record RegionNotFound(String message) implements Reply {}

    /** {@code errorpb.ServerIsBusy}: back off (at least {@code backoffMs} when the store says). */
    record ServerBusy(long backoffMs, String message) implements Reply {}

    /** {@code errorpb.FlashbackInProgress}: the region is in a flashback with {@code flashbackStartTs}. */
    record FlashbackInProgress(long flashbackStartTs, String message) implements Reply {}

    /**
     * {@code errorpb.FlashbackNotPrepared}: answered to FlashbackToVersion when the region is not in the flashback
     * state — never prepared, or already finished by an earlier flashback whose answer was lost. It is never taken
     * as done: the region is prepared again with the same start ts and flashed back again (TiKV then finds its own
     * commit record and returns at once if it had finished).
     */
    record FlashbackNotPrepared(String message) implements Reply {}

    /** Another region error (stale command, key not in region, store not match, …): re-resolve and retry. */
    record OtherRegionError(String message) implements Reply {}

    /** The response's {@code error} string (a txn error): retried as BR does, with backoff. */
    record KvError(String message) implements Reply {}

    /**
     * The call failed in transport ({@code code} is the gRPC status): the store may be down or restarting, or the
     * answer was lost. {@code unimplemented}: the store does not serve the call at all (TiKV too old).
     */
    record Transport(String code, String message, boolean unimplemented) implements Reply {}
}
