package io.phybr.contract.dump;

/**
 * One stock-TiKV report ({@code recover_data.RegionMeta}) of one store, named field by field, as a {@link ReplicaSink}
 * or a {@link DumpWriter} takes it: {@code report.store(1).region(7).peerId(71).lastLogTerm(6).lastIndex(40)
 * .commitIndex(38).version(3).tombstone(false).keys(start, end)} — in place of ten positional arguments, five of them
 * longs that read alike. Reused like every {@link ReplicaReport}.
 */
public final class StockReport extends ReplicaReport<StockReport> {
    private long peerId;
    private long lastLogTerm;
    private long lastIndex;
    private long commitIndex;

    /** The largest peer id of the region as the replica knows it (TiKV's {@code peer_id}). */
    public StockReport peerId(long id) {
        this.peerId = id;
        return this;
    }

    /** The Raft hard-state term TiKV reports as {@code last_log_term}. */
    public StockReport lastLogTerm(long t) {
        this.lastLogTerm = t;
        return this;
    }

    public StockReport lastIndex(long index) {
        this.lastIndex = index;
        return this;
    }

    public StockReport commitIndex(long index) {
        this.commitIndex = index;
        return this;
    }

    public long peerId() {
        return peerId;
    }

    public long lastLogTerm() {
        return lastLogTerm;
    }

    public long lastIndex() {
        return lastIndex;
    }

    public long commitIndex() {
        return commitIndex;
    }
}
