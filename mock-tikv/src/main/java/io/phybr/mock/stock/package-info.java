/**
 * Mock stock TiKV stores (kvproto {@code recover_data}) behind a mock PD. For tests:
 * {@link io.phybr.mock.stock.MockStockCluster} (start it on a layout from
 * {@link io.phybr.mock.stock.StockLayouts} or on {@link io.phybr.mock.stock.StoreBackend}s, point an
 * adviser at {@code pdAddress()}), {@link io.phybr.mock.stock.MockStockStore#faults()} /
 * {@link io.phybr.mock.stock.StoreFaults} to script failures, {@link io.phybr.mock.stock.StockCheck} to
 * judge the stores afterwards; {@link io.phybr.mock.stock.MockStockCluster#liveServers()} must be 0
 * after each test. Backends: {@link io.phybr.mock.stock.InMemoryStoreBackend} (a layout) and
 * {@link io.phybr.mock.stock.ModelStoreBackend} (a history's store images).
 */
package io.phybr.mock.stock;
