package io.phybr.adviser.cli;

import io.phybr.adviser.progress.ProgressFile;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --progress-file FILE}: the long phases' progress as JSON, replaced atomically at every tick. */
final class ProgressOptions {
    @Option(names = "--progress-file", paramLabel = "FILE",
            description = "Keep the current phase's progress here as one JSON object (phase, stores done/total, count,"
                    + " per second, elapsed, estimate), replaced atomically at every --progress-interval, for orchestrators.")
    Path file;

    @Option(names = "--progress-bar", defaultValue = "auto", paramLabel = "auto|always|never",
            description = "A live bar per phase on standard output: auto draws it only on a terminal (elsewhere the"
                    + " log's progress lines carry the same figures). Default: ${DEFAULT-VALUE}.")
    String bar;

    /** The bar to draw on {@code out}, or null; throws IllegalArgumentException naming the flag for a bad mode. */
    io.phybr.adviser.progress.TerminalBar bar(java.io.PrintWriter out) {
        return io.phybr.adviser.progress.TerminalBar.wanted(bar, System.console() != null, System.getenv("TERM"))
                ? new io.phybr.adviser.progress.TerminalBar(out) : null;
    }

    /** The progress file, written once already; null when not asked for. */
    ProgressFile open(String command) throws IOException {
        return file == null ? null : ProgressFile.open(file, command);
    }
}
