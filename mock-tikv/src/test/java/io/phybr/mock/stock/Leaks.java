package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

/** Every server a test opened must be closed when it ends. */
final class Leaks {
    private Leaks() {
    }

    static void assertNoServersLeft() {
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }
}
