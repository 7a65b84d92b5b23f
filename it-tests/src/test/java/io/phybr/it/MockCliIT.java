package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable mock-tikv and phybr-rehearsal jars as a user runs them. */
class MockCliIT {
    static final Path MOCK = Path.of(System.getProperty("phybr.mock.jar", "../mock-tikv/target/mock-tikv.jar"));
    static final Path REHEARSAL = Path.of(System.getProperty("phybr.rehearsal.jar",
            "../rehearsal/target/phybr-rehearsal.jar"));

    @TempDir
    Path work;

    record Run(int exit, String out) {
    }

    private Run run(Path jar, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Process p = RecoverProcess.isolated(new ProcessBuilder(cmd), work).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void rehearseWithoutArgumentsRunsTheBuiltInScenarioToAPass() throws Exception {
        Run r = run(REHEARSAL);
        assertThat(r.out()).contains("[store 1]", "[store 2]", "[store 3]", "verdict: PASS");
        assertThat(r.exit()).as(r.out()).isZero();
    }

    @Test
    void aScenarioDumpIsPlannedByPhybrPlan() throws Exception {
        Path dump = work.resolve("d.jsonl");
        Run d = run(MOCK, "dump", "--scenario", ScenarioCorpusIT.DIR.resolve("lagging-peer-across-split.scn").toString(),
                "--output", dump.toString());
        assertThat(d.exit()).as(d.out()).isZero();
        assertThat(Files.readAllLines(dump)).hasSize(5).allMatch(l -> l.startsWith("{\"store\":"));
        Run plan = run(AdviserProcess.JAR, "plan", "-i", dump.toString());
        assertThat(plan.exit()).as(plan.out()).isZero();
    }

    @Test
    void aLargeGeneratedLayoutIsPlannable() throws Exception {
        Path dump = work.resolve("big.jsonl");
        Run d = run(MOCK, "dump", "--seed", "5", "--regions", "20000", "--output", dump.toString());
        assertThat(d.exit()).as(d.out()).isZero();
        Run plan = run(AdviserProcess.JAR, "plan", "-i", dump.toString());
        assertThat(plan.exit()).as(plan.out()).isZero();
        assertThat(plan.out()).contains("20000 kept");
    }

    @Test
    void agentsReplayAScenarioAgainstARunningAdviserProcess() throws Exception {
        Path file = ScenarioCorpusIT.DIR.resolve("lagging-peer-across-merge.scn");
        io.phybr.mock.scenario.Scenario s = io.phybr.mock.scenario.ScenarioParser.parse(file);
        try (AdviserProcess adviser = AdviserProcess.start(s, work)) {
            Run r = run(MOCK, "agents", "--adviser", adviser.target(), "--scenario", file.toString());
            assertThat(r.out()).contains("[store 3]").contains("verdict: PASS");
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(adviser.awaitOutcome(java.time.Duration.ofSeconds(30)).exitCode()).isZero();
        }
    }

    @Test
    void aRecordedServeRunReplaysWithTheReadmeRecipe() throws Exception {
        io.phybr.mock.scenario.Scenario s = io.phybr.mock.scenario.ScenarioParser.parse(
                ScenarioCorpusIT.DIR.resolve("lagging-peer-across-merge.scn"));
        String log;
        try (io.phybr.mock.MockCluster cluster = io.phybr.mock.MockCluster.fromScenario(s)) {
            io.phybr.mock.Rehearsal.Result r = io.phybr.mock.Rehearsal.run(cluster, AdviserProcess.launcher(work),
                    java.time.Duration.ofSeconds(60));
            assertThat(r.verdict().pass()).as("%s", r.verdict()).isTrue();
            log = r.adviser().diagnosis();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("replay it with: phybr plan --input (\\S+)")
                .matcher(log);
        assertThat(m.find()).as(log).isTrue();
        Path dump = Path.of(m.group(1));
        assertThat(dump.resolveSibling("plan.jsonl")).exists();
        Run plan = run(AdviserProcess.JAR, "plan", "--input", dump.toString());
        assertThat(plan.exit()).as(plan.out()).isZero();
        assertThat(plan.out()).contains("taken from its manifest.json", "byte-identical to the recorded");
        Run rehearse = run(REHEARSAL, "--dump", dump.toString());
        assertThat(rehearse.exit()).as(rehearse.out()).isZero();
        assertThat(rehearse.out()).contains("plan: byte-identical to the recorded", "checks skipped", "verdict: PASS");
    }

    @Test
    void badInputIsOneParagraphWithoutStackTrace() throws Exception {
        Path bad = work.resolve("bad.scn");
        Files.writeString(bad, "stores 3\nsplit r1 at zz new r2\nexpect recovered\n");
        Run r = run(REHEARSAL, "--scenario", bad.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("line 2").contains("not hex").doesNotContain("\tat ");
    }
}
