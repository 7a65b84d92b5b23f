package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.stock.StoreChannels;
import io.phybr.mock.pd.MockPd;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every server and channel a test opened must be closed when it ends. */
final class Leaks {
    private Leaks() {
    }

    static void assertNoServersLeft() {
        assertThat(MockStockStore.liveServers()).as("mock store servers left running").isZero();
        assertThat(MockPd.live()).as("mock PDs left running").isZero();
    }

    /** Netty channels, remembered so a test can check the adviser closed every one. */
    static final class TrackingChannels implements StoreChannels {
        final List<ManagedChannel> opened = new CopyOnWriteArrayList<>();
        private final StoreChannels real = StoreChannels.netty(null);

        @Override
        public ManagedChannel open(PdStore store) {
            ManagedChannel ch = real.open(store);
            opened.add(ch);
            return ch;
        }

        void assertAllClosed() {
            assertThat(opened).as("channels the adviser opened").allSatisfy(ch -> assertThat(ch.isTerminated()).isTrue());
        }
    }
}
