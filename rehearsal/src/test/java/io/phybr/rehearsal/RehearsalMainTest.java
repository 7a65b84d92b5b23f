package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.MockCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar phybr-rehearsal.jar} as a user runs it, in-process. */
class RehearsalMainTest {
    @TempDir
    Path dir;

    record Out(int code, String out, String err) {
    }

    private static Out run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = RehearsalMain.run(args);
            return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void hasHelp() {
        Out o = run("--help");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("Usage: phybr-rehearsal", "--scenario", "--seed", "--dump", "--timeout=SECONDS");
    }

    @Test
    void badInputIsOneParagraphAndExit2() {
        Out o = run("--scenario", dir.resolve("missing.scn").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).startsWith("phybr-rehearsal: scenario file").doesNotContain("\n")
                .doesNotContain("Exception");
    }

    @Test
    void rehearseARandomSeedInProcessAndSaveItsScenario() throws Exception {
        Path saved = dir.resolve("seed.scn");
        Out o = run("--seed", "77", "--in-process", "--timeout", "60", "--save", saved.toString());
        assertThat(o.out()).contains("[store 1]").contains("verdict: PASS");
        assertThat(o.code()).isZero();
        assertThat(Files.readString(saved)).contains("random history, seed 77").contains("expect recovered");
        assertThat(MockCluster.openChannels()).isZero();
    }
}
