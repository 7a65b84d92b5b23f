package io.phybr.adviser.cli;

import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --record DIR | --no-record}, shared by the commands that talk to stores ({@code serve}, {@code recover}). */
final class RecordOptions {
    @Option(names = "--record", paramLabel = "DIR",
            description = "Record the run here: every region report (reports.jsonl), the plan, its summary and a"
                    + " manifest; 'phybr plan --input DIR/reports.jsonl' replays it. Default: a new directory"
                    + " <UTC time>-<command> under $" + RunRecorder.RUNS_DIR_ENV + " (default ./phybr-runs). A failing"
                    + " recording only logs a warning; it never fails the recovery.")
    Path recordDir;

    @Option(names = "--no-record", description = "Do not record the run.")
    boolean noRecord;

    /** The one-paragraph usage error when both were given, else null. */
    String conflict(String command) {
        return noRecord && recordDir != null
                ? "phybr " + command + ": give either --record DIR or --no-record, not both. See phybr " + command + " --help."
                : null;
    }

    /** Opens the recorder the options ask for (call after the command line is known to be valid). */
    RunRecorder open(String command, RunInfo info) {
        return noRecord ? RunRecorder.none()
                : RunRecorder.open(recordDir != null ? recordDir : RunRecorder.defaultDir(command), info);
    }
}
