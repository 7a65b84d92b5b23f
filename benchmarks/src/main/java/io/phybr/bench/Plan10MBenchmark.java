package io.phybr.bench;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Planning time over 10M regions in {@code -Xmx6g} (issue 16's row: ≤ 8 s), both policies, on mock-tikv's capacity
 * layout — the same state and measured method as {@link PlanBenchmark} ({@link PlanTrial}), in its own fork flags.
 */
@State(Scope.Benchmark)
// The parallel collector splits its heap at fixed maxima: by default the young generation may take a third
// (MaxNewSize 2 GiB of 6), so long-lived arrays get at most 4 GiB. The 10M BR table alone is ~3.6 GiB (30.2M rows
// of 73 B of columns plus ~54 B of keys each), so its first plan ran out of the OLD generation with the heap at
// 4.5 of 6 GiB (GC log in RESULTS.md) while the CLI, under G1, plans it in the same -Xmx6g. A young generation of
// at most 1 GiB leaves the old one 5 GiB: room for the table and the plan's large arrays.
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-XX:+UseParallelGC", "-XX:MaxNewSize=1g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class Plan10MBenchmark extends PlanTrial {
    @Param({"10000000"})
    public int regions;

    @Param({"seed", "br"})
    public String policy;

    @Param({"realistic"})
    public String layout;

    @Override
    protected Params params() {
        return new Params(regions, policy, layout);
    }
}
