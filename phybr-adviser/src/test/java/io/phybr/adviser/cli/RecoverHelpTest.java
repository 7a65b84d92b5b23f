package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code recover --help} tells an operator before a dry run interrupts a live recovery (issue 12 item 9). */
class RecoverHelpTest {
    @Test
    void helpSaysWhatADryRunDoesToALiveRecoveryAndHowToForceIt() {
        StringWriter out = new StringWriter();
        CommandLine cl = PhybrMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));

        assertThat(cl.execute("recover", "--help")).isZero();

        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).contains("--dry-run").contains("aborts a RecoverRegion in flight")
                .contains("refuses while a recovery looks live").contains("--force")
                .contains("--recover-round-timeout");
    }
}
