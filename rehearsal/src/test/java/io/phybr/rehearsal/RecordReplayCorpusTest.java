package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.cli.PhybrMain;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.contract.record.RecordedRun;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.mock.cli.MockTikvMain;
import io.phybr.mock.replay.DumpReplay;
import io.phybr.mock.replay.ReplayChecks;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Record and replay over the whole corpus: every scenario that ends in a plan is rehearsed with our
 * adviser recording the run; the recording is then replayed through {@code phybr plan}, through
 * {@code mock-tikv agents --dump} against a fresh adviser, through {@code mock-tikv rehearse --dump}
 * and through a scenario written by {@code mock-tikv scenario --from-dump}. Each must reproduce the
 * recorded plan byte for byte, and the checker must pass.
 */
class RecordReplayCorpusTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    static Stream<Path> corpus() throws java.io.IOException {
        return Corpus.files();
    }

    @AfterEach
    void noLeaks() {
        assertThat(MockCluster.openChannels()).as("channels left open").isZero();
    }

    /** Rehearses {@code s} with our adviser recording into {@code run}; the rehearsal's result. */
    static Rehearsal.Result record(Scenario s, Path run) throws Exception {
        RunRecorder rec = RunRecorder.open(run, new RunInfo("serve", Policy.SEED, Protocol.SEED, false,
                List.of("rehearsal", s.name()), OptionalLong.empty(), "stores " + s.stores()));
        Rehearsal.Result r = null;
        try (MockCluster c = MockCluster.fromScenario(s)) {
            r = Rehearsal.run(c, OurAdviser.inProcess(b -> b.recorder(rec)), TIMEOUT);
            return r;
        } finally {
            ExitCode exit = r == null ? ExitCode.INTERNAL : exitCode(r.adviser().exitCode());
            rec.finish(exit, r == null ? "rehearsal failed" : "rehearsal", r == null ? "" : r.adviser().diagnosis());
        }
    }

    static ExitCode exitCode(int code) {
        return Arrays.stream(ExitCode.values()).filter(e -> e.code() == code).findFirst().orElse(ExitCode.INTERNAL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aRecordedRehearsalReplaysToTheSamePlanEveryWay(Path file, @TempDir Path dir) throws Exception {
        Scenario s = ScenarioParser.parse(file);
        Assumptions.assumeTrue(s.knownIssue() == null, () -> "known issue: " + s.knownIssue());
        Path run = dir.resolve("run");
        Rehearsal.Result original = record(s, run);
        assertThat(original.verdict().pass()).as("%s", original.verdict()).isTrue();
        Path dump = run.resolve(RunRecorder.DUMP);
        Path plan = run.resolve(RunRecorder.PLAN);
        Assumptions.assumeTrue(Files.exists(plan), "the scenario does not end in a plan");
        RecordedRun recorded = RecordedRun.besideDump(dump).orElseThrow();
        assertThat(recorded.exitCode()).hasValue(original.adviser().exitCode());

        // 1. phybr plan --input reports.jsonl: byte for byte
        Path replayed = dir.resolve("replayed.jsonl");
        StringWriter out = new StringWriter();
        assertThat(PhybrMain.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
                .execute("plan", "--input", dump.toString(), "--output", replayed.toString())).as("%s", out).isZero();
        assertThat(Files.mismatch(replayed, plan)).as("plan replay differs: %s", out).isEqualTo(-1L);
        assertThat(out.toString()).contains("byte-identical to the recorded");

        // 2. mock-tikv agents --dump against a fresh adviser, itself recording
        Path again = dir.resolve("agents-run");
        RunRecorder rec = RunRecorder.open(again, new RunInfo("serve", Policy.SEED, Protocol.SEED, false, List.of(),
                OptionalLong.empty(), "replay"));
        SeedAdviser adviser = SeedAdviser.builder().listen("127.0.0.1:0").storeIds(recorded.stores())
                .collectTimeout(TIMEOUT).closeTimeout(TIMEOUT).recorder(rec).build().start();
        try {
            assertThat(MockTikvMain.run("agents", "--dump", dump.toString(), "--adviser",
                    "127.0.0.1:" + adviser.port(), "--timeout", "30")).isEqualTo(MockTikvMain.PASS);
            Outcome o = adviser.awaitOutcome(TIMEOUT).orElseThrow();
            rec.finish(o.exitCode(), o.verdict(), o.diagnosis().orElse(""));
            assertThat(o.exitCode()).isEqualTo(ExitCode.OK);
        } finally {
            adviser.close();
            rec.close();
        }
        assertThat(Files.mismatch(again.resolve(RunRecorder.PLAN), plan)).isEqualTo(-1L);
        assertThat(Files.readAllLines(again.resolve(RunRecorder.DUMP))).as("the replayed reports, recorded again")
                .containsExactlyInAnyOrderElementsOf(Files.readAllLines(dump));

        // 3. mock-tikv rehearse --dump: our adviser in-process; PASS includes the plan comparison
        assertThat(RehearsalMain.run("--dump", dump.toString(), "--in-process")).isEqualTo(MockTikvMain.PASS);

        // 4. mock-tikv scenario --from-dump: parses back, rehearses to the same plan
        Path scn = dir.resolve("from-dump.scn");
        assertThat(MockTikvMain.run("scenario", "--from-dump", dump.toString(), "--output", scn.toString())).isZero();
        Scenario written = ScenarioParser.parse(scn);
        assertThat(written.render()).isEqualTo(Files.readString(scn));
        assertThat(DumpReplay.layoutOnly(written)).isTrue();
        try (MockCluster c = MockCluster.fromScenario(written)) {
            Rehearsal.Result r = Rehearsal.run(c, OurAdviser.inProcess(), TIMEOUT);
            assertThat(r.verdict().pass()).as("%s", r.verdict()).isTrue();
            assertThat(ReplayChecks.planLines(c.agentReports())).isEqualTo(Files.readString(plan));
        }
    }

    @Test
    void aRecordingTornMidLineReplaysUpToItsLastCompleteLineWithAWarning(@TempDir Path dir) throws Exception {
        Scenario s = ScenarioParser.parse(Corpus.DIR.resolve("lagging-peer-across-split.scn"));
        Path run = dir.resolve("run");
        assertThat(record(s, run).verdict().pass()).isTrue();
        Path dump = run.resolve(RunRecorder.DUMP);
        List<String> lines = Files.readAllLines(dump);
        String last = lines.get(lines.size() - 1);
        Files.writeString(dump, String.join("\n", lines.subList(0, lines.size() - 1)) + "\n"
                + last.substring(0, last.length() / 2));

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PhybrMain.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("plan", "--input", dump.toString());
        assertThat(code).isIn(ExitCode.OK.code(), ExitCode.REFUSED.code());
        assertThat(err.toString()).contains("warning: dump line " + lines.size() + " is incomplete")
                .contains((lines.size() - 1) + " complete lines");
        assertThat(out.toString()).contains("read " + (lines.size() - 1) + " replicas");
        if (code == 0) {
            assertThat(out.toString()).contains("the dump was cut short, so the plan is not compared");
        }

        List<String> warnings = new ArrayList<>();
        DumpReplay replay = DumpReplay.load(dump, warnings::add);
        assertThat(warnings).singleElement().asString().contains("dump line " + lines.size());
        assertThat(replay.torn()).isTrue();
        assertThat(replay.scenario().steps()).hasSize(lines.size() - 1);
        assertThat(RehearsalMain.run("--dump", dump.toString(), "--in-process")).isEqualTo(MockTikvMain.PASS);
    }

    @Test
    void aDumpWithoutManifestReplaysWithTheSeedPolicyAndSaysWhichChecksItSkipped(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("bare.jsonl");
        assertThat(MockTikvMain.run("dump", "--scenario", Corpus.DIR.resolve("split-chain.scn").toString(),
                "--output", dump.toString())).isZero();
        DumpReplay replay = DumpReplay.load(dump, w -> { });
        assertThat(replay.run()).isEmpty();
        assertThat(replay.recordedPlan()).isEmpty();
        try (MockCluster c = MockCluster.fromScenario(replay.scenario())) {
            Rehearsal.Result r = Rehearsal.run(c, OurAdviser.inProcess(RehearsalMain.asRecorded(replay)), TIMEOUT);
            StringWriter out = new StringWriter();
            Rehearsal.Result judged = ReplayChecks.judge(replay, c, r, new PrintWriter(out, true));
            assertThat(judged.verdict().pass()).as("%s", judged.verdict()).isTrue();
            assertThat(out.toString()).contains("checks skipped (the dump carries no history)")
                    .contains("committed writes readable");
        }
    }

    @Test
    void oddDumpsReplayAsFaultsOrAreRefusedByName(@TempDir Path dir) throws Exception {
        String line = "{\"store\":1,\"region_id\":1,\"applied_index\":6,\"term\":5,\"version\":1,"
                + "\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n";
        Path twice = Files.writeString(dir.resolve("twice.jsonl"), line + line);
        DumpReplay replay = DumpReplay.load(twice, w -> { });
        assertThat(replay.scenario().render()).contains("fault store 1 duplicate region 1", "expect refused");
        assertThat(RehearsalMain.run("--dump", twice.toString(), "--in-process")).isEqualTo(MockTikvMain.PASS);

        Path differing = Files.writeString(dir.resolve("differing.jsonl"), line + line.replace("\"term\":5", "\"term\":6"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> DumpReplay.load(differing, w -> { })))
                .hasMessageContaining("two different reports of region 1 from store 1");

        Path stock = dir.resolve("stock.jsonl");
        assertThat(MockTikvMain.run("dump", "--scenario", Corpus.DIR.resolve("split-chain.scn").toString(),
                "--protocol", "stock", "--output", stock.toString())).isZero();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> DumpReplay.load(stock, w -> { })))
                .hasMessageContaining("stock-TiKV reports").hasMessageContaining("stores --dump");
        assertThat(MockTikvMain.run("agents", "--dump", stock.toString(), "--adviser", "127.0.0.1:1"))
                .isEqualTo(MockTikvMain.USAGE);
    }
}
