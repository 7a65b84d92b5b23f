package io.phybr.bench;

import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.contract.dump.DumpReader;
import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.SeedReport;
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Reading and writing the region dump (SPEC §6) of mock-tikv's capacity layout: {@code read} parses
 * a dump file into the planner's table as {@code phybr plan --input FILE} does ({@code fast} = the
 * byte-level reader on every core, {@code general} = the Jackson parser alone, what every line cost
 * before); {@code write} encodes the table as {@code DumpWriter} does for a recording, and
 * {@code writePlan} its seed-policy plan as {@code phybr plan --output} does (chunks encoded on every core,
 * written in order), both into a byte counter so the disk does not count.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-XX:+UseParallelGC"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class DumpIoBenchmark {
    @Param({"1000000"})
    public int regions;

    @Param({"fast", "general"})
    public String reader;

    private ReplicaTable table;
    private Plan plan;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        table = Layouts.realistic(42, regions, 3, false);
        file = Files.createTempFile("phybr-dump-bench", ".jsonl");
        try (DumpWriter w = new DumpWriter(Files.newOutputStream(file))) {
            write(table, w);
        }
        PlanOutcome outcome = Planner.plan(table, PlanOptions.of(Policy.SEED).withAcceptHoles(true));
        if (!(outcome instanceof Plan p)) {
            throw new IllegalStateException("the layout was refused: " + outcome);
        }
        plan = p;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public ReplicaTable read() throws IOException {
        ReplicaTable t = new ReplicaTable(1 << 16);
        try (InputStream in = new BufferedInputStream(new FileInputStream(file.toFile()), 1 << 16)) {
            long n = "fast".equals(reader) ? DumpReader.read(in, t) : DumpReader.readGeneral(in, t, null);
            if (n != table.size()) {
                throw new IllegalStateException("read " + n + " of " + table.size() + " rows");
            }
        }
        return t;
    }

    @Benchmark
    public long write() throws IOException {
        Counter out = new Counter();
        try (DumpWriter w = new DumpWriter(out)) {
            write(table, w);
        }
        return out.bytes;
    }

    @Benchmark
    public long writePlan() throws IOException {
        Counter out = new Counter();
        plan.writeJsonLines(out);
        return out.bytes;
    }

    private static void write(ReplicaTable t, DumpWriter w) throws IOException {
        SeedReport row = new SeedReport();
        for (int i = 0; i < t.size(); i++) {
            w.writeSeed(row.store(t.store(i)).region(t.regionId(i)).appliedIndex(t.index(i)).term(t.term(i))
                    .version(t.version(i)).tombstone(t.tombstone(i)).keys(t.startKey(i), t.endKey(i)));
        }
    }

    private static final class Counter extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
