package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.phybr.adviser.pd.PdStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Netty channels, remembered so a test can check the adviser closed every one. */
final class TrackingChannels implements StoreChannels {
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
