package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** R9 across the mock cluster: a restarted stock store registers with the mock PD again. */
class StoreRestartPdTest {
    @Test
    void R9_aRestartedStoreShowsInPdWithANewerStartTimestamp() throws Exception {
        // tikv/pd server/api/store.go: StoreInfo.Store.StartTimestamp is the TiKV process's start; BR (tidb PR #46094)
        // watches it to find stores that restarted after their RecoverRegion.
        try (MockStockCluster cluster = MockStockCluster.start(StockLayouts.healthy(3, 4, 1))) {
            long before = cluster.pd().startTimestamps().get(2L);
            cluster.store(2).reboot();
            assertThat(cluster.pd().startTimestamps().get(2L)).isGreaterThan(before);
            assertThat(cluster.pd().startTimestamps().get(1L)).isLessThan(cluster.pd().startTimestamps().get(2L));
        }
        assertThat(MockStockCluster.liveServers()).isZero();
    }
}
