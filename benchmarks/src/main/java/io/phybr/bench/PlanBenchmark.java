package io.phybr.bench;

import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.ReplicaTable;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Planning time over a collected layout (3 replicas per region, 5% stale regions), both policies.
 * The table is built once per trial; only {@code Planner.plan} is measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class PlanBenchmark {
    @Param({"100000", "1000000"})
    public int regions;

    @Param({"seed", "br"})
    public String policy;

    /** "realistic" = 5% stale replicas of mixed kinds; "overlaps" = 20% stale overlapping regions. */
    @Param({"realistic"})
    public String layout;

    private ReplicaTable table;
    private PlanOptions options;

    @Setup(Level.Trial)
    public void setUp() {
        boolean overlaps = "overlaps".equals(layout);
        Policy p = Policy.parse(policy);
        table = SyntheticLayout.build(42, regions, overlaps ? 0.20 : 0.05, p == Policy.BR, overlaps);
        options = PlanOptions.of(p);
        PlanOutcome check = Planner.plan(table, options);
        if (!(check instanceof io.phybr.adviser.plan.Plan)) {
            throw new IllegalStateException("benchmark layout was refused: " + check);
        }
    }

    @Benchmark
    public PlanOutcome plan() {
        return Planner.plan(table, options);
    }
}
