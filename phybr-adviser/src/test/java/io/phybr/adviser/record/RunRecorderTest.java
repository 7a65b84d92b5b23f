package io.phybr.adviser.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.record.RecordedRun;
import io.phybr.contract.ExitCode;
import io.phybr.contract.dump.DumpFormatException;
import io.phybr.contract.dump.DumpReader;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.plan.ReplicaTable;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecorderTest {
    @TempDir
    Path dir;

    private static final RunInfo INFO = new RunInfo("serve", Policy.SEED, Protocol.SEED, false,
            List.of("serve", "--stores", "3"), OptionalLong.of(42), "3 stores");

    /** Region r of n on the store: [r, r+1) in 4-byte keys, the last one open-ended. */
    private static void report(StoreRecording s, int n) {
        for (int r = 0; r < n; r++) {
            byte[] start = r == 0 ? new byte[0] : key(r);
            byte[] end = r == n - 1 ? new byte[0] : key(r + 1);
            s.seed(new SeedReport().region(r + 1).appliedIndex(10).term(6).version(1).tombstone(false)
                    .keys(start, end));
        }
    }

    private static byte[] key(int r) {
        return new byte[] {(byte) (r >>> 24), (byte) (r >>> 16), (byte) (r >>> 8), (byte) r};
    }

    private static long read(Path dump, List<String> warnings) throws IOException {
        try (InputStream in = Files.newInputStream(dump)) {
            return DumpReader.readRecording(in, new ReplicaTable(), warnings::add);
        }
    }

    @Test
    void reportsReachTheDiskWhileTheyArriveInWholeLines() throws IOException {
        RunRecorder rec = RunRecorder.open(dir, INFO);
        StoreRecording s = rec.store(1);
        report(s, 5000); // ~600 KiB: several chunks before the end
        Path dump = dir.resolve(RunRecorder.DUMP);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(dump) > 256 * 1024);
        // A run killed now leaves whole lines only.
        byte[] soFar = Files.readAllBytes(dump);
        assertThat(soFar[soFar.length - 1]).isEqualTo((byte) '\n');
        assertThat(Files.readString(dir.resolve(RunRecorder.MANIFEST))).contains("\"status\" : \"running\"");
        List<String> warnings = new ArrayList<>();
        long partial = read(dump, warnings);
        assertThat(partial).isPositive().isLessThan(5000);
        assertThat(warnings).isEmpty();

        s.complete();
        rec.finish(ExitCode.OK, "recovery complete", "");
        assertThat(read(dump, warnings)).isEqualTo(5000);
        String manifest = Files.readString(dir.resolve(RunRecorder.MANIFEST));
        assertThat(manifest).contains("\"status\" : \"finished\"", "\"replicas\" : 5000", "\"stores\" : [ 1 ]",
                "\"resolved_ts\" : \"42\"", "\"exit_code\" : 0", "\"verdict\" : \"recovery complete\"");
        rec.finish(ExitCode.FAILURE, "again", ""); // idempotent
        assertThat(Files.readString(dir.resolve(RunRecorder.MANIFEST))).isEqualTo(manifest);
    }

    @Test
    void aRecordingTornMidLineReadsUpToItsLastCompleteLineWithAWarning() throws IOException {
        RunRecorder rec = RunRecorder.open(dir, INFO);
        StoreRecording s = rec.store(7);
        report(s, 100);
        s.complete();
        rec.finish(ExitCode.OK, "ok", "");
        Path dump = dir.resolve(RunRecorder.DUMP);
        byte[] all = Files.readAllBytes(dump);
        Path torn = dir.resolve("torn.jsonl");
        Files.write(torn, java.util.Arrays.copyOf(all, all.length - 20)); // inside line 100's end_key
        List<String> warnings = new ArrayList<>();
        assertThat(read(torn, warnings)).isEqualTo(99);
        assertThat(warnings).singleElement().asString().contains("dump line 100 is incomplete")
                .contains("99 complete lines");
        // Cut inside a string, a number, a field name, right after '{': all torn tails.
        for (int cut : new int[] {1, 2, 7, 30, 60, 100}) {
            int lastLine = new String(all, StandardCharsets.UTF_8).lastIndexOf('\n', all.length - 2) + 1;
            Files.write(torn, java.util.Arrays.copyOf(all, lastLine + cut));
            warnings.clear();
            assertThat(read(torn, warnings)).as("cut at %d", cut).isEqualTo(99);
            assertThat(warnings).hasSize(1);
        }
    }

    @Test
    void tolerantReadingStillRefusesEveryOtherMalformedLine() {
        String good = "{\"store\":1,\"region_id\":2,\"applied_index\":1,\"term\":1,\"version\":1,\"tombstone\":false,"
                + "\"start_key\":\"\",\"end_key\":\"\"}\n";
        List<String> warnings = new ArrayList<>();
        // a torn line that is not the last one
        assertThatThrownBy(() -> DumpReader.readRecording(stream(good + "{\"store\":1,\"reg\n" + good),
                new ReplicaTable(), warnings::add)).isInstanceOf(DumpFormatException.class).hasMessageContaining("line 2");
        // garbage on the last line, newline or not
        assertThatThrownBy(() -> DumpReader.readRecording(stream(good + "xyz"), new ReplicaTable(), warnings::add))
                .isInstanceOf(DumpFormatException.class).hasMessageContaining("line 2");
        // a complete last line without newline that is wrong in another way
        assertThatThrownBy(() -> DumpReader.readRecording(stream(good + "{\"store\":1,\"region_id\":3,\"bogus\":1}"),
                new ReplicaTable(), warnings::add)).hasMessageContaining("unknown field");
        // an incomplete last line that does end with a newline was not torn by a crash
        assertThatThrownBy(() -> DumpReader.readRecording(stream(good + "{\"store\":1,\"region_id\":3\n"),
                new ReplicaTable(), warnings::add)).isInstanceOf(DumpFormatException.class);
        // the strict reader never skips
        assertThatThrownBy(() -> DumpReader.read(stream(good + "{\"store\":1,\"reg"), new ReplicaTable()))
                .isInstanceOf(DumpFormatException.class).hasMessageContaining("line 2");
        assertThat(warnings).isEmpty();
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aDiscardedStreamLeavesTheDumpAndTheReplacementStays() throws IOException {
        RunRecorder rec = RunRecorder.open(dir, INFO);
        StoreRecording one = rec.store(1);
        StoreRecording broken = rec.store(2);
        report(one, 3000);
        report(broken, 1500); // reported partly, then lost
        broken.discard();
        StoreRecording again = rec.store(2);
        report(again, 3000);
        one.complete();
        again.complete();
        rec.finish(ExitCode.OK, "ok", "");
        ReplicaTable t = new ReplicaTable();
        try (InputStream in = Files.newInputStream(dir.resolve(RunRecorder.DUMP))) {
            assertThat(DumpReader.read(in, t)).isEqualTo(6000);
        }
        assertThat(Planner.plan(t, PlanOptions.of(Policy.SEED))).isInstanceOf(Plan.class); // no duplicate region
        assertThat(Files.readAllLines(dir.resolve(RunRecorder.DISCARDED))).hasSize(1500)
                .allMatch(l -> l.startsWith("{\"store\":2,"));
        assertThat(Files.readString(dir.resolve(RunRecorder.MANIFEST))).contains("\"discarded_replicas\" : 1500");
    }

    @Test
    void thePlanAndSummaryAreRecordedAndTheManifestReadsBack() throws IOException {
        RunRecorder rec = RunRecorder.open(dir, new RunInfo("serve", Policy.BR, Protocol.SEED, true, List.of(),
                OptionalLong.empty(), "stores 1, 2"));
        ReplicaTable t = new ReplicaTable();
        for (long store = 1; store <= 2; store++) {
            StoreRecording s = rec.store(store);
            report(s, 10);
            s.complete();
            for (int r = 0; r < 10; r++) {
                t.addSeed(new SeedReport().store(store).region(r + 1).appliedIndex(10).term(6).version(1)
                        .tombstone(false).keys(r == 0 ? null : key(r), r == 9 ? null : key(r + 1)));
            }
        }
        Plan plan = (Plan) Planner.plan(t, new PlanOptions(Policy.BR, Protocol.SEED, true));
        rec.planned(plan);
        rec.finish(ExitCode.OK, "ok", "");
        java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
        plan.writeJsonLines(want);
        assertThat(Files.readString(dir.resolve(RunRecorder.PLAN))).isEqualTo(want.toString(StandardCharsets.UTF_8));
        assertThat(Files.readString(dir.resolve(RunRecorder.SUMMARY))).isEqualTo(plan.summary().toJson() + "\n");
        RecordedRun run = RecordedRun.besideDump(dir.resolve(RunRecorder.DUMP)).orElseThrow();
        assertThat(RecordedOptions.of(run)).isEqualTo(new PlanOptions(Policy.BR, Protocol.SEED, true));
        assertThat(run.stores()).containsExactly(1, 2);
        assertThat(run.plan()).contains(dir.resolve(RunRecorder.PLAN).toAbsolutePath());
        assertThat(run.exitCode()).hasValue(0);
        assertThat(run.status()).isEqualTo("finished");
    }

    @Test
    void aDirectoryThatCannotBeCreatedRecordsNothingAndThrowsNothing() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        RunRecorder rec = RunRecorder.open(file.resolve("run"), INFO);
        assertThat(rec.active()).isFalse();
        StoreRecording s = rec.store(1);
        report(s, 10);
        s.complete();
        rec.finish(ExitCode.OK, "ok", "");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void aWriteErrorMidRunStopsTheRecordingQuietly() throws IOException {
        Path run = dir.resolve("run");
        RunRecorder rec = RunRecorder.open(run, INFO);
        StoreRecording s = rec.store(1);
        report(s, 10);
        s.complete();
        // The run directory vanishes (disk unmounted, operator cleaned up): the plan cannot be written.
        Files.delete(run.resolve(RunRecorder.DUMP));
        Files.delete(run.resolve(RunRecorder.MANIFEST));
        Files.delete(run);
        ReplicaTable t = new ReplicaTable();
        t.addSeed(new SeedReport().store(1).region(1).appliedIndex(10).term(6).version(1).tombstone(false)
                .keys(null, null));
        rec.planned((Plan) Planner.plan(t, PlanOptions.of(Policy.SEED)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !rec.active());
        report(rec.store(2), 10); // ignored
        rec.finish(ExitCode.OK, "ok", "");
        assertThat(run).doesNotExist();
    }

    @Test
    void noneRecordsNothing() {
        RunRecorder rec = RunRecorder.none();
        assertThat(rec.active()).isFalse();
        assertThat(rec.dir()).isNull();
        report(rec.store(1), 3);
        rec.planned(null);
        rec.finish(ExitCode.OK, "ok", "");
        rec.abandon();
    }

    @Test
    void defaultDirectoriesAreNewPerRun() throws IOException {
        Path a = RunRecorder.defaultDir("serve");
        assertThat(a.getFileName().toString()).matches("\\d{8}T\\d{6}Z-serve");
        Files.createDirectories(a);
        try {
            assertThat(RunRecorder.defaultDir("serve")).isNotEqualTo(a);
        } finally {
            Files.delete(a);
        }
    }

    @Test
    void aDirectoryThatHoldsARecordingIsNeverOverwritten() throws IOException {
        RunRecorder first = RunRecorder.open(dir, INFO);
        report(first.store(1), 3);
        first.finish(ExitCode.OK, "first", "");
        RunRecorder second = RunRecorder.open(dir, INFO);
        second.finish(ExitCode.OK, "second", "");
        assertThat(second.dir()).isEqualTo(dir.resolveSibling(dir.getFileName() + "-2"));
        assertThat(Files.readString(dir.resolve(RunRecorder.MANIFEST))).contains("\"verdict\" : \"first\"");
        assertThat(Files.readAllLines(dir.resolve(RunRecorder.DUMP))).hasSize(3);
        java.nio.file.Files.walk(second.dir()).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    @Test
    void runsOpenedAtOnceOnOneDirectoryEachClaimADirectoryOfTheirOwn() throws Exception {
        // Two adviser processes started in the same second get the same defaultDir name; parallel test JVMs do
        // exactly that. Each run must still record into a directory no other run writes.
        Path run = dir.resolve("20261126T120000Z-recover");
        int n = 8;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<RunRecorder>> opened = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                opened.add(pool.submit(() -> {
                    start.await();
                    return RunRecorder.open(run, INFO);
                }));
            }
            java.util.Set<Path> dirs = new java.util.HashSet<>();
            for (java.util.concurrent.Future<RunRecorder> f : opened) {
                RunRecorder rec = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(rec.active()).isTrue();
                dirs.add(rec.dir());
                rec.finish(ExitCode.OK, rec.dir().getFileName().toString(), "");
            }
            assertThat(dirs).hasSize(n);
            for (Path d : dirs) { // each manifest is its own run's, not overwritten by another
                assertThat(Files.readString(d.resolve(RunRecorder.MANIFEST)))
                        .contains("\"verdict\" : \"" + d.getFileName() + "\"");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void planOnACrashedRecordingSaysSoAndReadsWhatIsThere() throws IOException {
        RunRecorder rec = RunRecorder.open(dir, INFO);
        StoreRecording s = rec.store(1);
        report(s, 10);
        s.complete(); // then the process dies: no finish
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(dir.resolve(RunRecorder.DUMP)).size() == 10);
        java.io.StringWriter out = new java.io.StringWriter();
        int code = io.phybr.adviser.cli.PhybrMain.commandLine().setOut(new java.io.PrintWriter(out, true))
                .setErr(new java.io.PrintWriter(out, true)).execute("plan", "--input", dir.resolve(RunRecorder.DUMP).toString());
        assertThat(code).as("%s", out).isZero();
        assertThat(out.toString()).contains("never finished (manifest status 'running')", "read 10 replicas");
        rec.finish(ExitCode.OK, "ok", "");
    }
}
