package io.phybr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * PlanDigest, the tool that shows a benchmark change leaves what is planned unchanged: its exits are the project's
 * exit codes with one line naming the bad argument, and its digest is the plan's (stable for the same trial, different
 * for another policy).
 */
class PlanDigestTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        out.reset();
        err.reset();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            return PlanDigest.run(o, e, args);
        }
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badArgumentsAreUsageErrorsNamingThem() throws Exception {
        assertThat(run("0", "realistic", "br")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err()).startsWith("usage: PlanDigest").contains("given: 0 realistic br").doesNotContain("\tat ");
        assertThat(run("1000", "realistic")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err()).contains("given: 1000 realistic");
        // A misspelt layout used to digest the realistic one under another name.
        assertThat(run("1000", "overlap", "br")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err()).contains("unknown layout 'overlap'").doesNotContain("\tat ");
        assertThat(run("1000", "realistic", "raft")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err()).contains("unknown policy 'raft'");
        assertThat(out.size()).isZero();
    }

    @Test
    void digestsThePlanOfTheTrial() throws Exception {
        assertThat(run("2000", "realistic", "br")).isEqualTo(ExitCode.OK.code());
        String br = out.toString(StandardCharsets.UTF_8);
        assertThat(br).matches("2000 realistic br: \\d+ commands, \\d+ regions, sha256 [0-9a-f]{64}\\R");
        assertThat(run("2000", "realistic", "br")).isEqualTo(ExitCode.OK.code());
        assertThat(out.toString(StandardCharsets.UTF_8)).as("the same trial digests the same").isEqualTo(br);
        assertThat(run("2000", "realistic", "seed")).isEqualTo(ExitCode.OK.code());
        assertThat(out.toString(StandardCharsets.UTF_8).replaceAll(".*sha256 ", ""))
                .as("another policy plans (and digests) differently").isNotEqualTo(br.replaceAll(".*sha256 ", ""));
    }
}
