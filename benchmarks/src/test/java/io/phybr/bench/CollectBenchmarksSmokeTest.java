package io.phybr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The collection benchmarks' harnesses work (a smoke test, not a measurement: 500 regions, two ops each): every
 * sender/receiver pair of both protocols delivers every meta, and the seed pair with the adviser also finishes the
 * recovery in its tear-down. JMH runs them at 1M regions (benchmarks/RESULTS.md).
 */
class CollectBenchmarksSmokeTest {
    private static final int REGIONS = 500;

    @ParameterizedTest(name = "seed {0} -> {1}, record {2}")
    @CsvSource({"mock,adviser,off", "bytes,adviser,off", "mock,sink,off", "bytes,sink,off", "wire,adviser,off",
            "wire,sink,off", "wire,adviser,on"})
    void seedCollectionDeliversEveryMeta(String sender, String receiver, String record) throws Exception {
        SeedCollectBenchmark b = new SeedCollectBenchmark();
        b.regions = REGIONS;
        b.sender = sender;
        b.receiver = receiver;
        b.record = record;
        b.layout();
        try {
            for (int op = 0; op < 2; op++) {
                b.start();
                long metas;
                try {
                    metas = b.collect();
                } finally {
                    b.finish();
                }
                assertThat(metas).isEqualTo(Layouts.realistic(7, REGIONS, 3, false).size());
            }
        } finally {
            b.stopLoop();
        }
    }

    @ParameterizedTest(name = "stock {0} -> {1}, record {2}")
    @CsvSource({"mock,adviser,off", "bytes,adviser,off", "mock,sink,off", "bytes,sink,off", "wire,adviser,off",
            "wire,sink,off", "wire,adviser,on"})
    void stockCollectionDeliversEveryMeta(String sender, String receiver, String record) throws Exception {
        StockCollectionBenchmark b = new StockCollectionBenchmark();
        b.regions = REGIONS;
        b.sender = sender;
        b.receiver = receiver;
        b.record = record;
        b.start();
        try {
            for (int op = 0; op < 2; op++) {
                assertThat(b.collect()).isEqualTo(Layouts.realistic(7, REGIONS, 3, true).size());
                b.deleteRecording();
            }
        } finally {
            b.stop();
        }
    }
}
