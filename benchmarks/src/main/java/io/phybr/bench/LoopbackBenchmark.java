package io.phybr.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run settings of the benchmarks that move a layout of {@code regions} regions between 3 stores and the adviser
 * over loopback: one op is one whole collection or recovery, timed once (single shot), in its own 6 GiB JVM. JMH
 * reads these annotations through the subclass (they are {@code @Inherited}); a subclass that wants other warm-up or
 * measurement counts says so on itself.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public abstract class LoopbackBenchmark {
    static final int STORES = 3;
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    @Param({"1000000"})
    public int regions;
}
