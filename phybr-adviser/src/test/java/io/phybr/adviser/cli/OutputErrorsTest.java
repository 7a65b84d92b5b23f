package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.ExitCode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output errors fail the command (issue 14 item 5): a full disk or an unwritable path ends with exit
 * 5 (or 2 when caught before any work) and one paragraph — never exit 0 with a truncated plan, never
 * "internal error" — and an older plan at --output never outlives a run that did not replace it.
 */
class OutputErrorsTest {
    private static final String DUMP = """
            {"store":1,"region_id":1,"applied_index":20,"term":6,"version":3,"tombstone":false,"start_key":"","end_key":"62"}
            {"store":2,"region_id":1,"applied_index":20,"term":6,"version":3,"tombstone":false,"start_key":"","end_key":"62"}
            {"store":1,"region_id":2,"applied_index":15,"term":6,"version":3,"tombstone":false,"start_key":"62","end_key":""}
            {"store":2,"region_id":2,"applied_index":16,"term":6,"version":3,"tombstone":false,"start_key":"62","end_key":""}
            """;
    /** Region 2 missing: ["62", "") is a hole, the plan is refused. */
    private static final String HOLE = DUMP.lines().filter(l -> !l.contains("\"region_id\":2,"))
            .reduce("", (a, b) -> a + b + "\n");

    @TempDir
    Path dir;

    private static PlanCommandTest.Run run(String... args) {
        return PlanCommandTest.run(args);
    }

    private Path dump(String text) throws IOException {
        return Files.writeString(dir.resolve("dump.jsonl"), text);
    }

    private List<String> strays() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(Path::toString).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void planToAFullStandardOutputFails() throws Exception {
        // The real process with its stdout on /dev/full: every write fails with ENOSPC, as a full disk does.
        Path in = dump(DUMP);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PhybrMain.class.getName(),
                "plan", "--input", in.toString(), "--output", "-")
                .redirectOutput(new File("/dev/full")).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isEqualTo(ExitCode.FAILURE.code());
        assertThat(err).contains("phybr plan: cannot write the plan to standard output")
                .doesNotContain("internal error").doesNotContain("\tat ");
    }

    @Test
    void aRefusedPlanRemovesTheOlderPlanAtOutput() throws IOException {
        Path out = Files.writeString(dir.resolve("plan.jsonl"), "{\"store\":1,\"region_id\":9,\"term\":1}\n");
        PlanCommandTest.Run r = run("plan", "--input", dump(HOLE).toString(), "--output", out.toString());
        assertThat(r.code()).isEqualTo(ExitCode.REFUSED.code());
        assertThat(out).as("an older plan must not look like this run's").doesNotExist();
        assertThat(r.out()).contains("removed the older plan at " + out);
    }

    @Test
    void theOlderPlanMovedAsideIsDeletedBeforeTheCommandEnds() throws IOException {
        Path in = dump(DUMP);
        Path out = Files.writeString(dir.resolve("plan.jsonl"), "{\"store\":1,\"region_id\":9,\"term\":1}\n");
        PlanCommandTest.Run r = run("plan", "--input", in.toString(), "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("removed the older plan at " + out);
        assertThat(Files.readString(out)).doesNotContain("\"region_id\":9");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("dump.jsonl", "plan.jsonl");
        }
    }

    @Test
    void removingWhileWorkingFreesThePathAtOnceAndTheFileByAwait() throws IOException {
        Path out = Files.writeString(dir.resolve("plan.jsonl"), "old\n");
        OutputFiles.Removal removal = OutputFiles.removeOlderWhileWorking(out);
        assertThat(out).doesNotExist();
        assertThat(removal.message()).isEqualTo(
                "removed the older plan at " + out + "; this run's plan replaces it only once it is complete");
        assertThat(removal.await()).isNull();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).isEmpty();
        }
        OutputFiles.Removal none = OutputFiles.removeOlderWhileWorking(out);
        assertThat(none.message()).isNull();
        assertThat(none.await()).isNull();
    }

    @Test
    void planOutputsWhoseDirectoryIsMissingOrAFileAreRefusedBeforePlanning() throws IOException {
        Path in = dump(DUMP);
        PlanCommandTest.Run missing = run("plan", "--input", in.toString(), "--output", dir.resolve("no/plan.jsonl").toString());
        assertThat(missing.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(missing.err()).contains("--output " + dir.resolve("no/plan.jsonl") + ": the directory")
                .contains("does not exist");
        Path file = Files.writeString(dir.resolve("afile"), "x");
        PlanCommandTest.Run parentIsFile = run("plan", "--input", in.toString(), "--summary-json", file.resolve("s.json").toString());
        assertThat(parentIsFile.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(parentIsFile.err()).contains("--summary-json").contains("is not a directory")
                .doesNotContain("internal error");
        assertThat(strays()).isEmpty();
    }

    @Test
    void planWritesItsFilesWholeAndLeavesNoTemporaryFile() throws IOException {
        Path out = dir.resolve("plan.jsonl");
        Path summary = dir.resolve("summary.json");
        PlanCommandTest.Run r = run("plan", "--input", dump(DUMP).toString(), "--output", out.toString(), "--summary-json",
                summary.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out)).endsWith("}\n");
        assertThat(Files.readString(summary)).startsWith("{").endsWith("}\n");
        assertThat(strays()).isEmpty();
    }

    @Test
    void recoverRefusesAnOutputInAMissingDirectoryBeforeTouchingPd() {
        // Port 1 answers nobody: had PD been contacted, this would be exit 5 naming PD.
        PlanCommandTest.Run r = run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--no-record",
                "--output", dir.resolve("missing/plan.jsonl").toString());
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("--output " + dir.resolve("missing/plan.jsonl") + ": the directory")
                .contains("Nothing was changed on PD or any store").doesNotContain("talking to PD");
        PlanCommandTest.Run summary = run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--no-record",
                "--summary-json", dir.resolve("missing/s.json").toString());
        assertThat(summary.code()).isEqualTo(ExitCode.USAGE.code());
    }

    @Test
    void serveRefusesAPlanOutputWhoseParentIsAFile() throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "x");
        PlanCommandTest.Run r = run("serve", "--stores", "1", "--listen", "127.0.0.1:0", "--no-record",
                "--plan-output", file.resolve("plan.jsonl").toString());
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("--plan-output").contains("is not a directory");
    }
}
