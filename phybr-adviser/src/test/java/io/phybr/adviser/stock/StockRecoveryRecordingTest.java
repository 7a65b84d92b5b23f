package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.cli.PhybrMain;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.stock.StockReplica;
import io.phybr.mock.stock.StockLayouts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The adviser's stock recovery records its run (the dump, plan and manifest), and a recording replays through plan. */
class StockRecoveryRecordingTest extends StockRecoveryFixture {
    private static RunRecorder recorder(Path dir, boolean acceptHoles) {
        return RunRecorder.open(dir, new RunInfo("recover", Policy.BR, Protocol.STOCK, acceptHoles,
                List.of("recover", "--pd", "test"), OptionalLong.of(RESOLVED_TS), "TiKV stores listed by PD"));
    }

    /** {@code phybr plan ARGS} in-process; returns the exit code, the output into {@code out}. */
    private static int phybr(StringWriter out, String... args) {
        picocli.CommandLine cl = PhybrMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return cl.execute(args);
    }

    @Test
    void aRecordedRecoveryReplaysByteForByteThroughPlan() throws Exception {
        List<StockReplica> layout = layout(31);
        start(layout);
        // a stream that breaks off after 3 metas: its attempt's lines must not count twice
        cluster.store(3).faults().resetStream(Fault.Rpc.READ_REGION_META, 3, 1);
        Path run = tmp.resolve("run");
        Path planFile = tmp.resolve("plan.jsonl");

        Outcome out = recovery().recorder(recorder(run, false)).planOutput(planFile).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertRecovered(layout);
        assertThat(Files.readAllLines(run.resolve(RunRecorder.DUMP))).hasSize(layout.size())
                .allSatisfy(l -> assertThat(l).contains("\"peer_id\":").contains("\"last_log_term\":"));
        assertThat(Files.readAllLines(run.resolve(RunRecorder.DISCARDED))).hasSize(3);
        assertThat(run.resolve(RunRecorder.PLAN)).hasSameTextualContentAs(planFile);
        assertThat(Files.readString(run.resolve(RunRecorder.SUMMARY))).contains("\"policy\":\"br\"");
        String manifest = Files.readString(run.resolve(RunRecorder.MANIFEST));
        assertThat(manifest).contains("\"command\" : \"recover\"", "\"status\" : \"finished\"",
                "\"policy\" : \"br\"", "\"protocol\" : \"stock\"", "\"exit_code\" : 0",
                "\"replicas\" : " + layout.size(), "\"discarded_replicas\" : 3", "\"resolved_ts\" : \"150\"",
                "\"expected_stores\" : \"TiKV stores listed by PD\"", "recovered 3 stores")
                .doesNotContain("\"diagnosis\"");

        StringWriter replayOut = new StringWriter();
        Path replay = tmp.resolve("replay.jsonl");
        assertThat(phybr(replayOut, "plan", "--input", run.resolve(RunRecorder.DUMP).toString(),
                "--output", replay.toString())).as(replayOut.toString()).isZero();
        assertThat(replayOut.toString()).contains("policy br, protocol stock, no-accept-holes taken from its manifest.json")
                .contains("byte-identical to the recorded");
        assertThat(Files.readString(replay)).isEqualTo(Files.readString(run.resolve(RunRecorder.PLAN)));
    }

    @Test
    void aRefusedRecoveryRecordsItsDiagnosis() throws Exception {
        start(StockLayouts.withHole(StockLayouts.healthy(3, 10, 5), 104));
        Path run = tmp.resolve("run");

        Outcome out = recovery().recorder(recorder(run, false)).build().run();

        assertThat(out.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(run.resolve(RunRecorder.PLAN)).doesNotExist();
        assertThat(Files.readAllLines(run.resolve(RunRecorder.DUMP))).hasSize((int) out.counts().replicas()).isNotEmpty();
        String manifest = Files.readString(run.resolve(RunRecorder.MANIFEST));
        assertThat(manifest).contains("\"status\" : \"finished\"", "\"exit_code\" : 3", "\"outcome\" : \"refused\"",
                "\"plan\" : null", "\"stores\" : [ 1, 2, 3 ]", "\"diagnosis\" : ").contains("hole [");
        StringWriter replayOut = new StringWriter();
        assertThat(phybr(replayOut, "plan", "--input", run.resolve(RunRecorder.DUMP).toString()))
                .isEqualTo(ExitCode.REFUSED.code());
        assertThat(replayOut.toString()).contains("hole [");
    }

    private static Set<Path> runsDirs() throws Exception {
        String env = System.getenv(RunRecorder.RUNS_DIR_ENV);
        Path runs = Path.of(env == null || env.isBlank() ? "phybr-runs" : env);
        if (!Files.isDirectory(runs)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(p -> p.getFileName().toString().contains("-recover")).collect(Collectors.toSet());
        }
    }

    @Test
    void theCommandRecordsADryRunWhereToldAndNothingWithNoRecord() throws Exception {
        start(layout(32));
        Path run = tmp.resolve("dry");
        StringWriter out = new StringWriter();
        assertThat(phybr(out, "recover", "--pd", cluster.pdAddress(), "--dry-run", "--record", run.toString()))
                .as(out.toString()).isZero();
        assertThat(Files.readString(run.resolve(RunRecorder.MANIFEST))).contains("\"exit_code\" : 0", "dry run: collected",
                "\"--dry-run\"", "\"resolved_ts\" : null");
        assertThat(run.resolve(RunRecorder.PLAN)).exists();
        StringWriter replayOut = new StringWriter();
        assertThat(phybr(replayOut, "plan", "--input", run.resolve(RunRecorder.DUMP).toString())).isZero();
        assertThat(replayOut.toString()).contains("byte-identical to the recorded");

        Set<Path> before = runsDirs();
        out = new StringWriter();
        assertThat(phybr(out, "recover", "--pd", cluster.pdAddress(), "--dry-run", "--no-record")).as(out.toString())
                .isZero();
        assertThat(runsDirs()).isEqualTo(before);
        Path other = tmp.resolve("other");
        assertThat(phybr(out, "recover", "--pd", cluster.pdAddress(), "--dry-run", "--no-record", "--record",
                other.toString())).isEqualTo(ExitCode.USAGE.code());
        assertThat(out.toString()).contains("give either --record DIR or --no-record, not both");
        assertThat(other).doesNotExist();
    }
}
