package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** R9 across the mock cluster: a restarted stock store registers with the mock PD again, and serves a boot gap later. */
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

    @Test
    void R9_pdShowsTheNewStartTimestampBeforeTheRestartedStoreServes() throws Exception {
        // src/server/raft_server.rs: MultiRaftServer::start puts the store, with its new start_timestamp, to PD from
        // init_servers; components/server/src/server.rs starts the gRPC server later, in run_server. An adviser that
        // sends a restarted store its plan as soon as PD shows the restart finds the port closed and must try again.
        try (MockStockCluster cluster = MockStockCluster.start(StockLayouts.healthy(3, 4, 1))) {
            MockStockStore store = cluster.store(2).bootGap(Duration.ofSeconds(2));
            long before = cluster.pd().startTimestamps().get(2L);
            Thread reboot = new Thread(store::reboot, "test-reboot");
            reboot.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.pd().startTimestamps().get(2L) > before);

            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), store.port()).close())
                    .as("PD shows the restart; the port does not serve yet").isInstanceOf(ConnectException.class);
            assertThat(store.running()).isFalse();

            await().atMost(Duration.ofSeconds(20)).until(store::running);
            new Socket(InetAddress.getLoopbackAddress(), store.port()).close(); // serves again, same port
            reboot.join(20_000);
        }
        assertThat(MockStockCluster.liveServers()).isZero();
    }
}
