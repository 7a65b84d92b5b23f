package io.phybr.adviser.flashback;

/**
 * The two flashback calls to a region's leader store (tikvpb.Tikv {@code KvPrepareFlashbackToVersion},
 * {@code KvFlashbackToVersion}). Keys are request keys (see {@link RequestKeys}); every call is bounded by the
 * earlier of {@code deadline} and the implementation's per-call timeout. Never throws for what a store answers: that is a {@link Reply}.
 */
public interface RegionCalls {
    Reply prepare(RegionRoute route, byte[] startKey, byte[] endKey, FlashbackTs ts, io.grpc.Deadline deadline);

    Reply flashback(RegionRoute route, byte[] startKey, byte[] endKey, FlashbackTs ts, io.grpc.Deadline deadline);
}
