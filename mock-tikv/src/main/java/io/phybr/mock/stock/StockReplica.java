package io.phybr.mock.stock;

/**
 * One replica of a layout: which store holds which peer of a region, in what state.
 *
 * @param applied applied index (≤ lastIndex); WaitApply / a forced leader brings it up to lastIndex
 */
public record StockReplica(long store, LocalPeer peer, long applied) {
}
