package io.phybr.bench;

import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.ReplicaTable;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Planning time over a collected layout, both policies: {@code realistic} is mock-tikv's capacity
 * layout (3 replicas on 3 stores, ~5% of regions with a replica that missed a split, lagging
 * followers, merged-away tombstones); {@code overlaps} is the overlap-heavy worst case (20% of
 * regions with a distinct, stale, overlapping region still alive on one store). The table is built
 * once per trial; only {@code Planner.plan} is measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
// The parallel collector splits its heap at fixed maxima: by default the young generation may take a third
// (MaxNewSize 2 GiB of 6), so long-lived arrays get at most 4 GiB. The 10M BR table alone is ~3.6 GiB (30.2M rows
// of 73 B of columns plus ~54 B of keys each), so its first plan ran out of the OLD generation with the heap at
// 4.5 of 6 GiB (GC log in RESULTS.md) while the CLI, under G1, plans it in the same -Xmx6g. A young generation of
// at most 1 GiB leaves the old one 5 GiB: room for the table and the plan's large arrays.
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-XX:+UseParallelGC", "-XX:MaxNewSize=1g"})
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class PlanBenchmark {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @Param({"100000", "1000000"})
    public int regions;

    @Param({"seed", "br"})
    public String policy;

    @Param({"realistic", "overlaps"})
    public String layout;

    private ReplicaTable table;
    private PlanOptions options;

    @Setup(Level.Trial)
    public void setUp() {
        Policy p = Policy.parse(policy);
        table = "overlaps".equals(layout)
                ? SyntheticLayout.build(42, regions, 0.20, p == Policy.BR, true)
                : Layouts.realistic(42, regions, 3, p == Policy.BR);
        options = PlanOptions.of(p);
        PlanOutcome check = Planner.plan(table, options);
        if (!(check instanceof io.phybr.adviser.plan.Plan)) {
            throw new IllegalStateException("benchmark layout was refused: " + check);
        }
    }

    private long cpu0;
    private long wall0;
    private int ops;

    /** CPU time per plan is printed beside JMH's wall time: on a shared machine it moves far less with load. */
    @Setup(Level.Iteration)
    public void startCpu() {
        cpu0 = OS.getProcessCpuTime();
        wall0 = System.nanoTime();
        ops = 0;
    }

    @TearDown(Level.Iteration)
    public void printCpu() {
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e6 / Math.max(1, ops);
        double wall = (System.nanoTime() - wall0) / 1e6 / Math.max(1, ops);
        System.out.printf(Locale.ROOT, "%n[cpu] %.0f ms/op of process CPU (wall %.0f ms/op, %d ops); load %.1f%n",
                cpu, wall, ops, OS.getSystemLoadAverage());
    }

    @Benchmark
    public PlanOutcome plan() {
        ops++;
        return Planner.plan(table, options);
    }
}
