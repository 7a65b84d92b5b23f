package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.BuildInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** BR's command-line conventions (issue 15 item 5): TLS flag names, --version, grouped --help, exit 2 on bad flags. */
class BrConventionsTest {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void brsTlsNamesAreAcceptedAndTheOldOnesStayAsAliases() throws Exception {
        Path ca = tmp.resolve("ca.pem");
        Files.writeString(ca, "not a certificate");
        // Both spellings reach the TLS loader (which then refuses the file: exit 6, not a usage error).
        for (String flag : new String[] {"--ca", "--ca-path"}) {
            CliRun r = run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--no-record", flag, ca.toString());
            assertThat(r.code()).as(flag).isEqualTo(6);
            assertThat(r.err()).contains("cannot load the TLS files");
        }
        CliRun r = run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--no-record", "--ca", "ca.pem", "--cert", "c.pem");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--cert and --key go together");
    }

    @Test
    void oneFileUnderBothNamesIsAConflictNamingTheFlag() {
        CliRun r = run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--ca", "a.pem", "--ca-path", "b.pem");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--ca").contains("should be specified only once");
    }

    @Test
    void versionPrintsVersionCommitAndBuildTimeOnEveryCommand() {
        for (String[] args : new String[][] {{"--version"}, {"recover", "--version"}, {"plan", "--version"}, {"serve", "--version"}}) {
            CliRun r = run(args);
            assertThat(r.code()).isZero();
            String[] lines = r.out().strip().split("\\R");
            assertThat(lines).as(String.join(" ", args)).hasSize(3);
            assertThat(lines[0]).matches("phybr \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
            // Built by Maven from a git checkout: the abbreviated commit; from a tarball: "unknown".
            assertThat(lines[1]).matches("commit: ([0-9a-f]{7,}|unknown)");
            assertThat(lines[2]).matches("built: (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ|unknown)");
        }
    }

    @Test
    void whatTheBuildCouldNotFillReadsUnknown() {
        Properties p = new Properties();
        p.setProperty("version", "1.2.3");
        p.setProperty("commit", "${git.commit.id.abbrev}"); // a source tarball: the plugin found no .git
        p.setProperty("build.time", "");
        BuildInfo b = BuildInfo.of(p);
        assertThat(b.lines()).containsExactly("phybr 1.2.3", "commit: unknown", "built: unknown");
        assertThat(BuildInfo.of(new Properties()).version()).isEqualTo("unknown");
    }

    @Test
    void helpGroupsFlagsUnderBrsHeadings() {
        CliRun r = run("recover", "--help");
        assertThat(r.code()).isZero();
        String full = r.out();
        String help = full.substring(full.indexOf("\nConnection:")); // after the synopsis, which names every flag
        int connection = help.indexOf("\nConnection:");
        int tls = help.indexOf("\nTLS:");
        int recovery = help.indexOf("\nRecovery:");
        int timeouts = help.indexOf("\nTimeouts:");
        int output = help.indexOf("\nOutput:");
        int other = help.indexOf("\nOther options:");
        assertThat(connection).isZero();
        assertThat(new int[] {connection, tls, recovery, timeouts, output, other}).isSorted();
        assertThat(help.indexOf("--pd")).isBetween(connection, tls);
        assertThat(help.indexOf("--ca, --ca-path")).isBetween(tls, recovery);
        assertThat(help.indexOf("--cert, --cert-path")).isBetween(tls, recovery);
        assertThat(help.indexOf("--resolved-ts")).isBetween(recovery, timeouts);
        assertThat(help.indexOf("--collect-timeout")).isBetween(timeouts, output);
        assertThat(help.indexOf("--summary-json")).isBetween(output, other);
        assertThat(help.indexOf("--version")).isGreaterThan(other);
        // Every option is listed exactly once.
        assertThat(help.split("--collect-timeout=", -1)).hasSize(2);
    }

    @Test
    void aFlagAddedLaterLandsUnderASensibleHeading() {
        assertThat(HelpSections.headingOf(CommandLine.Model.OptionSpec.builder("--frob-timeout").build())).isEqualTo(HelpSections.TIMEOUTS);
        assertThat(HelpSections.headingOf(CommandLine.Model.OptionSpec.builder("--log-format").build())).isEqualTo(HelpSections.LOGGING);
        assertThat(HelpSections.headingOf(CommandLine.Model.OptionSpec.builder("--progress-file").build())).isEqualTo(HelpSections.OUTPUT);
        assertThat(HelpSections.headingOf(CommandLine.Model.OptionSpec.builder("-x", "--whatever").build())).isEqualTo(HelpSections.OTHER);
    }

    @Test
    void unknownFlagsExitTwoNamingTheFlag() {
        // Otherwise valid command lines, so that the unknown flag is the one error.
        for (String[] args : new String[][] {{"recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--frobnicate"},
            {"plan", "--input", "d.jsonl", "--frobnicate"}, {"serve", "--stores", "3", "--frobnicate"}}) {
            CliRun r = run(args);
            assertThat(r.code()).as(args[0]).isEqualTo(2);
            assertThat(r.err()).as(args[0]).contains("Unknown option: '--frobnicate'");
        }
        CliRun r = run("--frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--frobnicate");
    }

    @Test
    void conflictingFlagsExitTwoNamingBoth() {
        CliRun r = run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--backup-meta", "m.json");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--resolved-ts").contains("--backup-meta").contains("mutually exclusive");
        r = run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--record", tmp.toString(), "--no-record");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--record DIR or --no-record, not both");
    }
}
