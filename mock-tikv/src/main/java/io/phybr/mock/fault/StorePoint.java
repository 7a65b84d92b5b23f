package io.phybr.mock.fault;

/**
 * Named points of a mock stock-TiKV store where {@link Fault.StoreFault}s fire, in the order a call reaches them
 * (TiKV's {@code fail_point!} names play this role upstream).
 */
public enum StorePoint {
    /** The store process starts (a store that never comes up). */
    BOOT,
    /** A call arrives, before the store does anything for it. */
    CALL,
    /** ReadRegionMeta builds the metas it will stream. */
    BUILD_METAS,
    /** RecoverRegion: the client closed its request stream; the store starts to work. */
    REQUESTS_READ,
    /** Before each streamed message or unit of work (a region campaign, a batch). */
    MESSAGE,
    /** The store puts together its answer. */
    ANSWER,
    /** The answer went out. */
    ANSWERED,
    /** A Raft message between one of the store's peers and a peer on another store (votes, appends). */
    RAFT
}
