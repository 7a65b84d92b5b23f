package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockLayouts;
import io.phybr.mock.stock.StockReplica;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stock cluster the crash and network-fault ITs recover: a healthy layout with one stale overlapping region
 * (77, which must be dropped) and 30 keys per store around the resolved ts, one of them a lock; and the checker's
 * view of its outcome, as StockRecoverIT judges the same layouts.
 */
final class StockFixture {
    static final long RESOLVED_TS = 150;
    static final long STALE = 77;

    final List<StockReplica> layout;
    final MockStockCluster cluster;

    private StockFixture(List<StockReplica> layout, MockStockCluster cluster) {
        this.layout = layout;
        this.cluster = cluster;
    }

    static StockFixture start(int regions, long seed) throws Exception {
        List<StockReplica> layout = StockLayouts.withStaleOverlap(StockLayouts.healthy(3, regions, seed), STALE);
        MockStockCluster cluster = MockStockCluster.start(layout);
        for (MockStockStore s : cluster.stores()) {
            for (int i = 0; i < 30; i++) {
                ((InMemoryStoreBackend) s.backend()).addKv(new InMemoryStoreBackend.Kv(("key" + i).getBytes(),
                        120 + i * 2, i == 3));
            }
        }
        return new StockFixture(layout, cluster);
    }

    /** Every kept region led exactly once, every store applied, nothing newer than the resolved ts, no lock. */
    void assertRecovered() {
        assertLedOnceAndApplied();
        for (MockStockStore s : cluster.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            assertThat(b.kvs()).allSatisfy(k -> assertThat(k.commitTs() <= RESOLVED_TS && !k.lock()).isTrue());
        }
    }

    /**
     * Every kept region led exactly once and every store applied: what either finish leaves (a flashback rewrites the
     * newer keys at its own ts instead of deleting them; StockCheck judges the data of both).
     */
    void assertLedOnceAndApplied() {
        Set<Long> expected = new TreeSet<>();
        layout.forEach(r -> expected.add(r.peer().regionId()));
        expected.remove(STALE);
        List<Long> led = new ArrayList<>();
        for (MockStockStore s : cluster.stores()) {
            InMemoryStoreBackend b = (InMemoryStoreBackend) s.backend();
            led.addAll(b.leaders());
            assertThat(b.allApplied()).as("store %d applied", s.storeId()).isTrue();
        }
        assertThat(led).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }
}
