package io.phybr.adviser.cli;

import io.phybr.adviser.files.AtomicFiles;
import io.phybr.adviser.report.ReportPage;
import io.phybr.adviser.report.RunReport;
import io.phybr.contract.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code phybr report RUN_DIR}: one self-contained HTML page from a recording. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes one self-contained HTML page (no network needed to view it) from a run's recording: the"
                + " verdict and diagnosis, the key space as a strip (kept, dropped, gone, holes; the leaders of each"
                + " store), leaders per store, the run's time span, and the planner's explanation of a region on click.",
                ""},
        footer = {"", "Exit codes: 0 written; 6 not a readable run directory; 5 the page could not be written;"
                + " 2 bad command line."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "A recording: phybr-runs/<time>-serve or -recover (--record DIR).")
    Path dir;

    @Option(names = "--output", paramLabel = "FILE", description = "Where to write the page. Default: RUN_DIR/report.html.")
    Path output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Path target = output != null ? output : dir.resolve("report.html");
        String unwritable = OutputFiles.check("--output", target);
        if (!Files.isDirectory(dir)) {
            err.println("phybr report: " + dir + " is not a directory; give a run directory (phybr-runs/<run>).");
            return ExitCode.BAD_INPUT.code();
        }
        if (unwritable != null) {
            err.println("phybr report: " + unwritable + ". See phybr report --help.");
            return ExitCode.USAGE.code();
        }
        RunReport report;
        try {
            report = RunReport.read(dir);
        } catch (IOException | RuntimeException e) {
            err.println("phybr report: cannot read the run in " + dir + ": " + e.getMessage() + ". Nothing was written.");
            return ExitCode.BAD_INPUT.code();
        }
        try {
            AtomicFiles.writeString(target, ReportPage.render(report));
        } catch (IOException e) {
            err.println("phybr report: cannot write " + target + ": " + e.getMessage() + ". Nothing was written.");
            return ExitCode.FAILURE.code();
        }
        spec.commandLine().getOut().println("phybr report: wrote " + target + " (" + report.regions().size()
                + " regions)");
        return ExitCode.OK.code();
    }
}
