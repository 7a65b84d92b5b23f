package io.phybr.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.cli.MockTikvMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
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
            int code = MockTikvMain.run(args);
            return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"agents", "dump", "scenario", "stores"}) {
            Out o = run(c, "--help");
            assertThat(o.code()).isZero();
            assertThat(o.out()).contains("Usage: mock-tikv " + c);
        }
        assertThat(run("--help").out()).contains("agents", "dump", "scenario", "stores", "phybr-rehearsal.jar");
        assertThat(run().err()).contains("a command is required (agents, dump, scenario, stores)");
    }

    @Test
    void badInputIsOneParagraphAndExit2() {
        Out o = run("agents", "--adviser", "127.0.0.1:1", "--scenario", dir.resolve("missing.scn").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).startsWith("mock-tikv: scenario file").doesNotContain("\n").doesNotContain("Exception");
        assertThat(run("agents", "--adviser", "nowhere", "--seed", "1").err()).contains("is not HOST:PORT");
        assertThat(run("dump", "--seed", "1", "--scenario", "x").err()).contains("exactly one of");
        assertThat(run("dump", "--seed", "1", "--regions", "0", "--output", dir.resolve("x").toString()).err())
                .contains("--regions must be at least 1");
    }

    @Test
    void dumpOfAScenarioAndOfTheGeneratorWriteJsonLines() throws Exception {
        Path a = dir.resolve("a.jsonl");
        assertThat(run("dump", "--scenario", "scenarios/lagging-peer-across-split.scn", "--output", a.toString()).code())
                .isZero();
        assertThat(Files.readAllLines(a)).hasSize(5).allMatch(l -> l.contains("\"applied_index\""));
        Path b = dir.resolve("b.jsonl");
        assertThat(run("dump", "--scenario", "scenarios/lagging-peer-across-split.scn", "--protocol", "stock",
                "--output", b.toString()).code()).isZero();
        assertThat(Files.readAllLines(b)).hasSize(5).allMatch(l -> l.contains("\"peer_id\"") && l.contains(
                "\"commit_index\":0"));
        Path c = dir.resolve("c.jsonl");
        assertThat(run("dump", "--seed", "3", "--regions", "1000", "--output", c.toString()).code()).isZero();
        assertThat(Files.readAllLines(c)).hasSizeGreaterThan(2900);
    }
}
