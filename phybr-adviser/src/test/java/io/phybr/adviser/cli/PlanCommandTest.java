package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {
    /** Regions 1 ["", "62") and 2 ["62", ""), store 3 lagging on region 1; region 3 is stale and dropped. */
    static final String DUMP = """
            {"store":1,"region_id":1,"applied_index":20,"term":6,"version":3,"tombstone":false,"start_key":"","end_key":"62"}
            {"store":2,"region_id":1,"applied_index":20,"term":6,"version":3,"tombstone":false,"start_key":"","end_key":"62"}
            {"store":3,"region_id":1,"applied_index":12,"term":5,"version":2,"tombstone":false,"start_key":"","end_key":"64"}
            {"store":1,"region_id":2,"applied_index":15,"term":6,"version":3,"tombstone":false,"start_key":"62","end_key":""}
            {"store":2,"region_id":2,"applied_index":16,"term":6,"version":3,"tombstone":false,"start_key":"62","end_key":""}
            {"store":3,"region_id":3,"applied_index":4,"term":2,"version":1,"tombstone":false,"start_key":"60","end_key":"70"}
            """;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    /** Runs a command line in-process, capturing what it prints. */
    static Run run(String... args) {
        CommandLine cl = PhybrMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void plansASampleDumpPrintsTheSummaryAndWritesJsonLines() throws IOException {
        Path in = write("dump.jsonl", DUMP);
        Path out = dir.resolve("plan.jsonl");
        Path summary = dir.resolve("summary.json");
        Run r = run("plan", "--input", in.toString(), "--output", out.toString(), "--summary-json", summary.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK.code());
        assertThat(r.out()).contains("3 regions seen, 2 kept, 1 dropped, 0 gone")
                .contains("leaders per store: 1=1 2=1 3=0")
                .contains("wrote 6 commands to " + out);
        assertThat(Files.readAllLines(out)).containsExactly(
                "{\"store\":1,\"region_id\":1,\"term\":6,\"silence\":false,\"tombstone\":false}",
                "{\"store\":1,\"region_id\":2,\"term\":6,\"silence\":true,\"tombstone\":false}",
                "{\"store\":2,\"region_id\":1,\"term\":6,\"silence\":true,\"tombstone\":false}",
                "{\"store\":2,\"region_id\":2,\"term\":6,\"silence\":false,\"tombstone\":false}",
                "{\"store\":3,\"region_id\":1,\"term\":6,\"silence\":true,\"tombstone\":false}",
                "{\"store\":3,\"region_id\":3,\"term\":0,\"silence\":false,\"tombstone\":true}");
        assertThat(Files.readString(summary)).startsWith("{\"policy\":\"seed\"").contains("\"regions_kept\":2");
    }

    @Test
    void brPolicyWritesStockCommands() throws IOException {
        Path in = write("dump.jsonl", DUMP);
        Path out = dir.resolve("plan.jsonl");
        Run r = run("plan", "-i", in.toString(), "--policy", "br", "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).contains("{\"store\":3,\"region_id\":3,\"as_leader\":false,\"tombstone\":true}");
        assertThat(lines.stream().filter(l -> l.contains("\"as_leader\":true"))).hasSize(2);
    }

    @Test
    void explainPrintsTheDecisionForOneRegion() throws IOException {
        Path in = write("dump.jsonl", DUMP);
        Run r = run("plan", "--input", in.toString(), "--explain", "3", "--explain", "42");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("region 3: 1 replica(s), policy seed")
                .contains("fate: dropped")
                .contains("region 42: not in the dump")
                .contains("(6 commands; --output FILE or --output - writes them)");
    }

    @Test
    void outputDashWritesThePlanToStandardOutputAndTheSummaryToStandardError() throws IOException {
        Path in = write("dump.jsonl", DUMP);
        Run r = run("plan", "--input", in.toString(), "--output", "-");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                {"store":1,"region_id":1,"term":6,"silence":false,"tombstone":false}
                {"store":1,"region_id":2,"term":6,"silence":true,"tombstone":false}
                {"store":2,"region_id":1,"term":6,"silence":true,"tombstone":false}
                {"store":2,"region_id":2,"term":6,"silence":false,"tombstone":false}
                {"store":3,"region_id":1,"term":6,"silence":true,"tombstone":false}
                {"store":3,"region_id":3,"term":0,"silence":false,"tombstone":true}
                """);
        assertThat(r.err()).contains("2 kept, 1 dropped");
    }

    @Test
    void garbageDumpExitsSixWithOneParagraphAndNoStackTrace() throws IOException {
        Path in = write("dump.jsonl", DUMP.lines().findFirst().orElseThrow() + "\n{\"store\":1,\"region_id\":2,\"term\":x}\n");
        Run r = run("plan", "--input", in.toString());
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT.code()).isEqualTo(6);
        assertThat(r.err().strip()).startsWith("phybr plan: cannot read " + in + ": dump line 2: not valid JSON")
                .doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingDumpExitsSix() {
        Run r = run("plan", "--input", dir.resolve("nope.jsonl").toString());
        assertThat(r.code()).isEqualTo(6);
        assertThat(r.err()).contains("does not exist").doesNotContain("Exception");
    }

    @Test
    void refusedPlanExitsThreeWithTheDiagnosis() throws IOException {
        Path in = write("dump.jsonl", DUMP.lines().filter(l -> !l.contains("\"region_id\":2,")).reduce("", (a, b) -> a + b + "\n"));
        Path out = dir.resolve("plan.jsonl");
        Run r = run("plan", "--input", in.toString(), "--output", out.toString());
        assertThat(r.code()).isEqualTo(ExitCode.REFUSED.code()).isEqualTo(3);
        String diagnosis = r.err().strip();
        assertThat(diagnosis).startsWith("phybr plan: Refusing to plan:")
                .contains("hole [\"62\", \"\") was covered only by store 3 region 3 (version 1, displaced by region 1)")
                .doesNotContain("\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void acceptHolesPlansAnyway() throws IOException {
        Path in = write("dump.jsonl", DUMP.lines().filter(l -> !l.contains("\"region_id\":2,")).reduce("", (a, b) -> a + b + "\n"));
        Run r = run("plan", "--input", in.toString(), "--accept-holes");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 hole(s) ACCEPTED");
    }

    @Test
    void malformedReportExitsThreeNamingStoreAndRegion() throws IOException {
        Path in = write("dump.jsonl", "{\"store\":4,\"region_id\":9,\"applied_index\":5,\"term\":2,\"version\":1,"
                + "\"start_key\":\"80\",\"end_key\":\"40\"}\n");
        Run r = run("plan", "--input", in.toString());
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("store 4 region 9: start_key 80 is not below end_key 40");
    }

    @Test
    void unknownPolicyIsAUsageError() throws IOException {
        Path in = write("dump.jsonl", DUMP);
        Run r = run("plan", "--input", in.toString(), "--policy", "random");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("unknown policy 'random'");
    }

    @Test
    void inputDashReadsStandardInput() {
        java.io.InputStream saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(DUMP.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Run r = run("plan", "--input", "-", "--output", "-", "--policy", "br");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out().lines()).hasSize(3).contains("{\"store\":3,\"region_id\":3,\"as_leader\":false,\"tombstone\":true}");
            assertThat(r.err()).contains("read 6 replicas");
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void garbageOnStandardInputNamesStandardInput() {
        java.io.InputStream saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("{\"store\":1,\"region_id\":2,\"colour\":1}\n".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)));
            Run r = run("plan", "--input", "-");
            assertThat(r.code()).isEqualTo(6);
            assertThat(r.err()).startsWith("phybr plan: cannot read standard input: dump line 1: unknown field \"colour\"");
        } finally {
            System.setIn(saved);
        }
    }
}
