package io.phybr.adviser.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process {@code phybr} command line: its exit code and what it printed on each stream. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        CommandLine cl = PhybrMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
