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
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The planning benchmarks' one state and measured method, shared by {@link PlanBenchmark} (up to 1M regions) and
 * {@link Plan10MBenchmark} (10M): they differ only in their fork's heap flags, which JMH fixes per class and cannot
 * vary per {@code @Param}. Each subclass declares the parameters (JMH reads {@code @Param} on its own fields) and
 * hands them here through {@link #params()}. The table is built once per trial; only {@code Planner.plan} is
 * measured, and the process CPU per plan is printed beside JMH's wall time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public abstract class PlanTrial {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ReplicaTable table;
    private PlanOptions options;
    private long cpu0;
    private long wall0;
    private int ops;

    /**
     * The trial's parameters: how many regions, {@code seed} or {@code br}, and {@code realistic} (mock-tikv's
     * capacity layout) or {@code overlaps} (the overlap-heavy worst case).
     */
    public record Params(int regions, String policy, String layout) {
    }

    /** This trial's parameters, read from the subclass's {@code @Param} fields when JMH sets the trial up. */
    protected abstract Params params();

    @Setup(Level.Trial)
    public void setUp() {
        Params trial = params();
        Policy p = Policy.parse(trial.policy());
        table = switch (trial.layout()) {
            case "overlaps" -> SyntheticLayout.build(42, trial.regions(), 0.20, p == Policy.BR, true);
            case "realistic" -> Layouts.realistic(42, trial.regions(), 3, p == Policy.BR);
            // A misspelt -p layout=… must not measure (or digest) the realistic layout under another name.
            default -> throw new IllegalArgumentException("unknown layout '" + trial.layout()
                    + "' (expected realistic or overlaps)");
        };
        options = PlanOptions.of(p);
        PlanOutcome check = Planner.plan(table, options);
        if (!(check instanceof io.phybr.adviser.plan.Plan)) {
            throw new IllegalStateException("benchmark layout was refused: " + check);
        }
    }

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
