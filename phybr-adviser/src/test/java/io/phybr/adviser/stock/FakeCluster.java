package io.phybr.adviser.stock;

import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Three {@link FakeStore}s behind a {@link FakePd}, and a recovery builder pointed at them with clocks scaled for
 * unit tests (rounds under a second, restarts watched every 50 ms). Every store and the PD are closed by {@link #close}.
 */
final class FakeCluster implements AutoCloseable {
    /** Every RecoverRegion of every store in order (see {@link FakeStore}). */
    final List<String> journal = Collections.synchronizedList(new ArrayList<>());
    final List<FakeStore> stores = new ArrayList<>();
    final FakePd pd;

    FakeCluster() throws Exception {
        for (long id = 1; id <= 3; id++) {
            stores.add(new FakeStore(id, journal));
        }
        pd = new FakePd(stores);
    }

    FakeStore store(long id) {
        return stores.get((int) id - 1);
    }

    long calls(String rpc) {
        return stores.stream().mapToLong(s -> s.calls(rpc)).sum();
    }

    StockRecovery.Builder recovery() {
        return StockRecovery.builder().pd(pd.client())
                .channels(s -> InProcessChannelBuilder.forName(s.address()).build())
                .resolvedTs(400)
                .timeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20)))
                .retry(new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(50)))
                .roundTimeout(Duration.ofMillis(700))
                .restartGrace(Duration.ofMillis(400))
                .watchInterval(Duration.ofMillis(50))
                .progressInterval(Duration.ofSeconds(5));
    }

    @Override
    public void close() throws Exception {
        pd.close();
        for (FakeStore s : stores) {
            s.close();
        }
    }
}
