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

    /** The progress file, written once already; null when not asked for. */
    ProgressFile open(String command) throws IOException {
        return file == null ? null : ProgressFile.open(file, command);
    }
}
