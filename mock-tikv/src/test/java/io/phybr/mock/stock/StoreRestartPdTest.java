package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

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

    @Test
    void aStoreThatDoesNotServeRefusesConnectionsButKeepsItsPortFromEveryoneElse() throws Exception {
        // The build's forks run side by side: a down store's port once went to another fork's store, and this
        // cluster's adviser read that cluster's regions. Down (stopped, booting, absent) means refused, not free.
        List<io.phybr.mock.fault.Fault> absent = List.of(new io.phybr.mock.fault.Fault.Absent(3));
        try (MockStockCluster cluster = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 4, 1)))
                .faults(absent).start()) {
            MockStockStore stopped = cluster.store(2);
            stopped.stop();
            for (MockStockStore down : List.of(stopped, cluster.store(3))) {
                assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), down.port()).close())
                        .as("store %d refuses", down.storeId()).isInstanceOf(ConnectException.class);
                assertThatThrownBy(() -> {
                    try (ServerSocket other = new ServerSocket()) {
                        other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), down.port()));
                    }
                }).as("nobody else takes store %d's port", down.storeId()).isInstanceOf(BindException.class);
            }
            stopped.start();
            new Socket(InetAddress.getLoopbackAddress(), stopped.port()).close(); // serves again, on its own port
        }
        assertThat(MockStockCluster.liveServers()).isZero();
    }
}
