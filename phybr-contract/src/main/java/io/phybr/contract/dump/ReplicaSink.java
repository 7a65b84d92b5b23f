package io.phybr.contract.dump;

/**
 * Where {@link DumpReader} puts each line it reads: one call per replica, in file order, with the
 * fields of the line and no object kept per line. The adviser's planner table implements it; a mock
 * or a test can collect plain rows. Keys are as reported (without TiKV's {@code z} prefix); an
 * absent key is empty.
 */
public interface ReplicaSink {
    /** A seed-protocol report ({@code applied_index}, {@code term}); {@code report} is reused by the caller. */
    void addSeed(SeedReport report);

    /**
     * A stock-TiKV report ({@code peer_id}, {@code last_log_term}, {@code last_index}, {@code commit_index});
     * {@code report} is reused by the caller.
     */
    void addStock(StockReport report);

    /**
     * About {@code rows} more rows are coming (estimated from the input's size): a columnar sink can size
     * itself once instead of growing by copies, which at tens of millions of rows would cost gigabytes.
     */
    default void expect(long rows) {
    }

    /**
     * Every row of {@code batch}, in order, as if added one by one. A columnar sink overrides it to copy
     * columns and key bytes without a key array per row. The batch is the reader's to reuse once this returns:
     * keep no reference to it or its arrays.
     */
    default void addAll(ReplicaBatch batch) {
        SeedReport seed = new SeedReport();
        StockReport stock = new StockReport();
        for (int i = 0; i < batch.size(); i++) {
            if (batch.stock(i)) {
                addStock(stock.store(batch.store(i)).region(batch.regionId(i)).peerId(batch.peerId(i))
                        .lastLogTerm(batch.term(i)).lastIndex(batch.index(i)).commitIndex(batch.commitIndex(i))
                        .version(batch.version(i)).tombstone(batch.tombstone(i))
                        .keys(batch.startKey(i), batch.endKey(i)));
            } else {
                addSeed(seed.store(batch.store(i)).region(batch.regionId(i)).appliedIndex(batch.index(i))
                        .term(batch.term(i)).version(batch.version(i)).tombstone(batch.tombstone(i))
                        .keys(batch.startKey(i), batch.endKey(i)));
            }
        }
    }
}
