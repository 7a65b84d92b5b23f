package io.phybr.adviser.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.cli.PhybrMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@link FuzzTest} answers its inputs through the library calls the commands make, which is what lets it feed
 * 100,000 of them; this test feeds a spread sample of the very same inputs to the real command line ({@code plan})
 * and requires the same exit code and one paragraph on standard error — so the fuzzer's mapping of errors to exit
 * codes is checked against the CLI's, not assumed.
 */
class CliAgreementTest {
    static final int SAMPLE = 150;

    @TempDir
    Path dir;

    record Run(int code, String err) {
    }

    static Run plan(String... args) {
        CommandLine cl = PhybrMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), err.toString());
    }

    @Test
    void planAnswersFuzzedDumpsAndManifestsAsTheFuzzerSays() throws Exception {
        FuzzRun run = new FuzzRun(FuzzTest.SEED, dir, dir.resolve("findings"), Duration.ofSeconds(10));
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        for (FuzzTarget t : Targets.all()) {
            boolean manifest = t.name().equals("manifest");
            if (!t.name().startsWith("dump-") && !manifest) {
                continue;
            }
            for (int k = 0; k < SAMPLE; k++) {
                int index = k * (t.count() / SAMPLE);
                byte[] in = run.input(t, index);
                Path case_ = Files.createDirectories(dir.resolve(t.name() + "-" + index));
                FuzzTarget.Answer expected = t.run(in, case_);
                Path dump = case_.resolve("reports.jsonl");
                if (manifest) {
                    Files.write(dump, Corpus.utf8(String.join("\n", Corpus.SAMPLE_DUMP) + "\n"));
                    Files.write(case_.resolve("manifest.json"), in);
                } else {
                    Files.write(dump, in);
                }
                Run r = t.name().equals("dump-stock") ? plan("plan", "--input", dump.toString(), "--policy", "br")
                        : plan("plan", "--input", dump.toString());
                checked++;
                String err = r.err().strip();
                boolean oneParagraph = !err.contains("\n") && !err.contains("Exception") && !err.contains("[Source:");
                if (r.code() != expected.code() || (r.code() != 0 && !oneParagraph)) {
                    disagreements.add(t.name() + " input " + index + ": fuzzer says exit " + expected.code() + " ("
                            + expected.message() + "), plan exits " + r.code() + ": " + err);
                }
            }
        }
        System.out.println("fuzz: " + checked + " fuzzed inputs run through the plan command, "
                + disagreements.size() + " disagreements");
        disagreements.stream().limit(10).forEach(System.out::println);
        assertThat(disagreements).isEmpty();
        assertThat(checked).isEqualTo(3 * SAMPLE);
    }
}
