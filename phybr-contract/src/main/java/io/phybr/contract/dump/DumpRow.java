package io.phybr.contract.dump;

/**
 * One line of a dump as plain data, for readers that want rows rather than a columnar table (the
 * mock cluster, tests). Like the adviser's table, {@code index} and {@code term} hold
 * applied_index and term for a seed report, last_index and last_log_term for a stock one.
 *
 * @param stock whether the line carried the stock-TiKV fields (then peerId and commitIndex are set)
 */
public record DumpRow(long store, long regionId, boolean stock, long peerId, long index, long term,
                      long commitIndex, long version, boolean tombstone, byte[] startKey, byte[] endKey) {
}
