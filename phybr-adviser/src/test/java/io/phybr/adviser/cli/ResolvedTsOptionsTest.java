package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The one unsigned {@code --resolved-ts} type of serve and recover (issue 10; issue 14 item 4). */
class ResolvedTsOptionsTest {
    @ParameterizedTest
    @CsvSource({
            "1, 1",
            "434172134850871297, 434172134850871297",
            "9223372036854775807, 9223372036854775807",
            // Above 2^63-1: stored as the same 64 bits, read back unsigned.
            "9223372036854775808, -9223372036854775808",
            "18446744073709551615, -1"})
    void theWholeUnsignedRangeParses(String text, long bits) {
        assertThat(ResolvedTsOptions.Tso.parse(text)).isEqualTo(bits);
        assertThat(Long.toUnsignedString(ResolvedTsOptions.Tso.parse(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0 is no resolved ts",
            "-1, cannot be negative",
            "-5, cannot be negative",
            "18446744073709551616, above 18446744073709551615",
            "12abc, not a decimal number",
            "+7, not a decimal number"})
    void nonsenseIsRefusedNamingTheFlag(String text, String why) {
        assertThatThrownBy(() -> ResolvedTsOptions.Tso.parse(text))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'" + text + "' is refused").hasMessageContaining(why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1"})
    void recoverRefusesAResolvedTsThatWouldDeleteEveryKey(String ts) {
        // Issue 14 item 4: `recover --resolved-ts 0` (or -1) deleted every key and exited 0. Refused
        // on the command line now: exit 2, before PD or any store is contacted (port 1 answers nobody).
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", ts)).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--resolved-ts': '" + ts + "' is refused")
                .doesNotContain("prepare failed talking to PD").doesNotContain("Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "x"})
    void serveRefusesTheSame(String ts) {
        StringWriter err = new StringWriter();
        assertThat(run(err, "serve", "--stores", "1", "--listen", "127.0.0.1:0", "--no-record", "--resolved-ts", ts))
                .isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--resolved-ts': '" + ts + "' is refused");
    }

    private static int run(StringWriter err, String... args) {
        CommandLine cl = PhybrMain.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }
}
