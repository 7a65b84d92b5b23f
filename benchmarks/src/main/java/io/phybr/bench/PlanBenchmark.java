package io.phybr.bench;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Planning time over a collected layout of up to 1M regions, both policies: {@code realistic} is mock-tikv's capacity
 * layout (3 replicas on 3 stores, ~5% of regions with a replica that missed a split, lagging followers, merged-away
 * tombstones); {@code overlaps} is the overlap-heavy worst case (20% of regions with a distinct, stale, overlapping
 * region still alive on one store). State and measured method: {@link PlanTrial}. 10M regions: {@link Plan10MBenchmark}.
 */
@State(Scope.Benchmark)
// The parallel collector's default split (young generation up to a third of the heap): at 1M the table (~0.4 GiB)
// fits the old generation many times over, and a larger young generation means fewer young collections per plan —
// the 10M fork's MaxNewSize=1g cost BR at 1M ~100 ms/op (RESULTS.md, session 9 quiet). Hence two classes.
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class PlanBenchmark extends PlanTrial {
    @Param({"100000", "1000000"})
    public int regions;

    @Param({"seed", "br"})
    public String policy;

    @Param({"realistic", "overlaps"})
    public String layout;

    @Override
    protected Params params() {
        return new Params(regions, policy, layout);
    }
}
