package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.pd.PdClient;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.StockCheck;
import io.phybr.mock.stock.StockReplica;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockLayouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adviser's stock recovery against the mock PD and mock stores on loopback: a cluster per test, closed and
 * checked for leaks after it, a recovery builder with short bounds, layouts and the check that a layout recovered.
 * {@link StockRecoveryTest} and {@link StockRecoveryRecordingTest} run on it.
 */
abstract class StockRecoveryFixture {
    static final long RESOLVED_TS = 150;

    MockStockCluster cluster;
    final TrackingChannels channels = new TrackingChannels();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        channels.assertAllClosed();
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    MockStockCluster start(List<StockReplica> layout) throws Exception {
        cluster = MockStockCluster.start(layout);
        long ts = 100;
        for (MockStockStore s : cluster.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            for (int i = 0; i < 40; i++) {
                b.addKv(new InMemoryStoreBackend.Kv(("key" + i).getBytes(), ts + i * 3, i == 7));
            }
        }
        return cluster;
    }

    StockRecovery.Builder recovery() {
        return StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE)
                // a hang bound, as recover's default --pd-timeout (nothing here stalls PD): at 5 s a loaded machine
                // could exceed it on a JVM's first PD call (its first channel or HTTP client)
                .pd(new PdClient(List.of(cluster.pdAddress()), null, Duration.ofSeconds(30)))
                .channels(channels)
                .resolvedTs(RESOLVED_TS)
                .retry(new RetryPolicy(5, Duration.ofMillis(50), Duration.ofMillis(400)))
                .timeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20)))
                .progressInterval(Duration.ofMillis(200));
    }

    static List<StockReplica> layout(long seed) {
        System.out.println("layout seed " + seed);
        int regions = 5 + new Random(seed).nextInt(40);
        return StockLayouts.withStaleOverlap(StockLayouts.healthy(3, regions, seed), 77);
    }

    /** Every kept region led on exactly one store, by a replica with the highest (term, last index); stale 77 led nowhere. */
    void assertRecovered(List<StockReplica> layout) {
        List<InMemoryStoreBackend> backends = cluster.stores().stream().map(s -> (InMemoryStoreBackend) s.backend()).toList();
        assertThat(StockCheck.check(backends, RESOLVED_TS)).isEmpty();
        Map<Long, Long> leaderOf = new HashMap<>();
        for (MockStockStore s : cluster.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            assertThat(b.allApplied()).as("store %d applied", s.storeId()).isTrue();
            assertThat(b.kvs()).allSatisfy(k -> {
                assertThat(k.commitTs()).isLessThanOrEqualTo(RESOLVED_TS);
                assertThat(k.lock()).isFalse();
            });
            for (long r : b.leaders()) {
                assertThat(leaderOf.put(r, s.storeId())).as("region %d led twice", r).isNull();
            }
        }
        Map<Long, long[]> best = new HashMap<>();
        for (StockReplica r : layout) {
            if (r.peer().regionId() == 77) {
                continue;
            }
            best.merge(r.peer().regionId(), new long[] {r.peer().lastLogTerm(), r.peer().lastIndex()},
                    (a, c) -> (a[0] > c[0] || (a[0] == c[0] && a[1] >= c[1])) ? a : c);
        }
        assertThat(leaderOf.keySet()).containsExactlyInAnyOrderElementsOf(best.keySet());
        for (StockReplica r : layout) {
            Long leader = leaderOf.get(r.peer().regionId());
            if (leader != null && leader == r.store()) {
                long[] b = best.get(r.peer().regionId());
                assertThat(new long[] {r.peer().lastLogTerm(), r.peer().lastIndex()}).isEqualTo(b);
            }
        }
    }
}
