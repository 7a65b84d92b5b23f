package io.phybr.bench;

import io.phybr.contract.dump.StockReport;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.adviser.stock.StoreChannels;
import io.phybr.adviser.stock.Timeouts;
import io.phybr.mock.gen.LayoutGenerator;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.LocalPeer;
import io.phybr.mock.stock.MockStockCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Protocol B collection over loopback: {@code phybr recover --dry-run} against 3 mock stock-TiKV
 * stores and a mock PD — prepare (PD marker, stores, scheduling held off), ReadRegionMeta from
 * every store concurrently, BR-policy plan, PD restored. One op = one dry run over
 * {@code regions} regions (3 replicas each); {@code 3 * regions} over the time is the rate.
 */
public class StockCollectBenchmark extends LoopbackBenchmark {
    private MockStockCluster cluster;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        List<InMemoryStoreBackend> backends = new ArrayList<>();
        for (long s = 1; s <= 3; s++) {
            backends.add(new InMemoryStoreBackend(s));
        }
        new LayoutGenerator(7, regions, 3, 3, 0.05).generate((StockReport r) -> backends.get((int) r.store() - 1)
                .addPeer(LocalPeer.of(r.regionId()).peers(r.peerId()).lastLogTerm(r.lastLogTerm())
                        .lastIndex(r.lastIndex()).commitIndex(r.commitIndex()).version(r.version())
                        .range(r.startKey(), r.endKey()).build(), r.lastIndex()));
        cluster = MockStockCluster.builder(backends).start();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cluster.close();
    }

    @Benchmark
    public Outcome collectAndPlan() {
        Outcome out = StockRecovery.builder()
                .pd(new PdClient(List.of(cluster.pdAddress()), null, Duration.ofSeconds(30)))
                .channels(StoreChannels.netty(null))
                .resolvedTs(1)
                .dryRun(true)
                .timeouts(new Timeouts(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5),
                        Duration.ofMinutes(5)))
                .progressInterval(Duration.ofSeconds(5))
                .build()
                .run();
        if (!out.ok()) {
            throw new IllegalStateException("dry run failed: " + out.verdict());
        }
        return out;
    }
}
