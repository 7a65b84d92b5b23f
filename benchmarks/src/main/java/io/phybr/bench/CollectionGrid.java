package io.phybr.bench;

import org.openjdk.jmh.annotations.Param;

/**
 * The 2×2 (3×2) of the collection benchmarks, {@link SeedCollectBenchmark} and {@link StockCollectionBenchmark}: which
 * end limits the rate. {@code sender} = {@code mock} (mock-tikv's own sender), {@code bytes} (pre-serialized messages:
 * grpc-java's per-message send cost only) or {@code wire} (pre-built HTTP/2 frames: next to no sender cost);
 * {@code receiver} = {@code adviser} (the adviser's real receiving path) or {@code sink} (one that only counts).
 */
public abstract class CollectionGrid extends LoopbackBenchmark {
    @Param({"mock", "bytes", "wire"})
    public String sender;
    @Param({"adviser", "sink"})
    public String receiver;
    /** {@code on}: the adviser records every meta as {@code serve} and {@code recover} do by default (on disk). */
    @Param({"off"})
    public String record = "off";
}
