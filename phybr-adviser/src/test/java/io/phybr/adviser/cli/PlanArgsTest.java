package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PlanArgs} reads only what picocli reads the same way, and a command line it reads prints, exits and writes
 * exactly as it does through picocli ({@link PhybrMain#commandLine}).
 */
class PlanArgsTest {
    /** The timings and the peak heap differ from run to run; nothing else may. */
    private static final Pattern VARYING = Pattern.compile("\\d+\\.\\d\\d s|peak heap \\d+ MiB");

    @TempDir
    Path dir;

    record Printed(int code, String out, String err, String plan, String summary) {
    }

    @Test
    void takesThePlainFormsOfEveryOption() {
        PlanCommand c = PlanArgs.parse(new String[] {"plan", "-i", "d.jsonl", "--output", "-", "--policy", "br",
                "--protocol", "seed", "--summary-json", "s.json", "--explain", "0", "--explain", "42", "--no-accept-holes"});
        assertThat(c).isNotNull();
        assertThat(c.input).isEqualTo("d.jsonl");
        assertThat(c.output).isEqualTo("-");
        assertThat(c.policy).isEqualTo("br");
        assertThat(c.protocol).isEqualTo("seed");
        assertThat(c.summaryJson).isEqualTo(Path.of("s.json"));
        assertThat(c.explain).containsExactly(0L, 42L);
        assertThat(c.acceptHoles).isFalse();
        PlanCommand d = PlanArgs.parse(new String[] {"plan", "--accept-holes", "--input", "-", "-o", "p.jsonl"});
        assertThat(d).isNotNull();
        assertThat(d.input).isEqualTo("-");
        assertThat(d.output).isEqualTo("p.jsonl");
        assertThat(d.acceptHoles).isTrue();
        assertThat(d.policy).isNull();
        assertThat(d.explain).isEmpty();
    }

    @Test
    void leavesEverythingElseToPicocli() {
        List<String[]> others = List.of(
                new String[] {"plan", "--help"},
                new String[] {"plan", "-i", "d", "--version"},
                new String[] {"plan", "--input=d"},
                new String[] {"plan", "-id"},
                new String[] {"plan", "-i", "d", "-i", "e"},
                new String[] {"plan", "-i", "d", "--accept-holes", "--no-accept-holes"},
                new String[] {"plan", "-i", "d", "--policy"},
                new String[] {"plan", "-i", "-o"},
                new String[] {"plan", "-i", "@args"},
                new String[] {"plan", "-i", ""},
                new String[] {"plan", "-i", "d", "--explain", "010"},
                new String[] {"plan", "-i", "d", "--explain", "-1"},
                new String[] {"plan", "-i", "d", "--explain", "0x10"},
                new String[] {"plan", "-i", "d", "--explain", "99999999999999999999"},
                new String[] {"plan", "-i", "d", "--log-level", "debug"},
                new String[] {"plan", "-i", "d", "--", "x"},
                new String[] {"plan", "-o", "p"},
                new String[] {"plan", "-i", "d", "extra"},
                new String[] {"--help", "plan", "-i", "d"},
                new String[] {"recover", "-i", "d"});
        for (String[] args : others) {
            assertThat(PlanArgs.parse(args)).as(String.join(" ", args)).isNull();
        }
    }

    @Test
    void printsExitsAndWritesAsPicocliDoes() throws IOException {
        Path in = Files.writeString(dir.resolve("dump.jsonl"), PlanCommandTest.DUMP);
        Path garbage = Files.writeString(dir.resolve("garbage.jsonl"), "{\"store\":1,\"region_id\":2,\"term\":x}\n");
        Path holes = Files.writeString(dir.resolve("holes.jsonl"),
                PlanCommandTest.DUMP.lines().filter(l -> !l.contains("\"region_id\":2,")).reduce("", (a, b) -> a + b + "\n"));
        String plan = dir.resolve("plan.jsonl").toString();
        String summary = dir.resolve("summary.json").toString();
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"plan", "--input", in.toString(), "--output", plan, "--summary-json", summary});
        lines.add(new String[] {"plan", "-i", in.toString(), "--policy", "br", "-o", plan, "--explain", "3",
                "--explain", "42"});
        lines.add(new String[] {"plan", "-i", in.toString(), "--policy", "br", "--protocol", "seed", "-o", "-"});
        lines.add(new String[] {"plan", "-i", in.toString(), "--policy", "random"});
        lines.add(new String[] {"plan", "-i", in.toString(), "--protocol", "nope", "-o", plan});
        lines.add(new String[] {"plan", "-i", garbage.toString(), "-o", plan});
        lines.add(new String[] {"plan", "-i", dir.resolve("nope.jsonl").toString()});
        lines.add(new String[] {"plan", "-i", holes.toString(), "-o", plan});
        lines.add(new String[] {"plan", "-i", holes.toString(), "--accept-holes", "-o", plan});
        lines.add(new String[] {"plan", "-i", in.toString(), "-o", dir.resolve("missing/plan.jsonl").toString()});
        for (String[] args : lines) {
            Printed picocli = viaPicocli(args, Path.of(plan), Path.of(summary));
            Printed fast = viaPlanArgs(args, Path.of(plan), Path.of(summary));
            assertThat(fast).as(String.join(" ", args)).isEqualTo(picocli);
        }
    }

    private Printed viaPicocli(String[] args, Path plan, Path summary) throws IOException {
        CliRun r = CliRun.of(args);
        return printed(r.code(), r.out(), r.err(), plan, summary);
    }

    private Printed viaPlanArgs(String[] args, Path plan, Path summary) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PlanCommand c = PlanArgs.parse(args);
        assertThat(c).as(String.join(" ", args)).isNotNull();
        int code = PhybrMain.runPlan(c, new PrintWriter(out, true), new PrintWriter(err, true));
        return printed(code, out.toString(), err.toString(), plan, summary);
    }

    /** What a run printed and wrote; its files are then removed, so the next run starts from the same directory. */
    private static Printed printed(int code, String out, String err, Path plan, Path summary) throws IOException {
        Printed p = new Printed(code, VARYING.matcher(out).replaceAll("#"), VARYING.matcher(err).replaceAll("#"),
                Files.exists(plan) ? Files.readString(plan) : null, Files.exists(summary) ? Files.readString(summary) : null);
        Files.deleteIfExists(plan);
        Files.deleteIfExists(summary);
        return p;
    }
}
