package io.phybr.adviser.cli;

import io.phybr.adviser.log.LogSetup;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --log-file/--log-level/--log-format}, mixed into every command by {@link PhybrMain}. */
final class LogOptions {
    static final String MIXIN = "logging";

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "Append the log here instead of writing it to stderr (the command's verdict still goes to stdout/stderr).")
    Path file;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "error, warn, info, debug or trace. Default: ${DEFAULT-VALUE}.")
    String level;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one line per event: date, time and zone, level, message, key=value pairs) or json"
                    + " (one JSON object per line). Default: ${DEFAULT-VALUE}.")
    String format;

    /** True if nothing differs from logback.xml's configuration (so none is replaced). */
    boolean defaults() {
        return file == null && "info".equalsIgnoreCase(level) && "text".equalsIgnoreCase(format);
    }

    /** Null if level and format are known, else the usage error naming the flag. */
    String error() {
        if (!level.matches("(?i)error|warn|info|debug|trace")) {
            return "--log-level " + level + ": expected error, warn, info, debug or trace";
        }
        return format.matches("(?i)text|json") ? null : "--log-format " + format + ": expected text or json";
    }

    LogSetup.Format logFormat() {
        return LogSetup.Format.valueOf(format.toUpperCase(java.util.Locale.ROOT));
    }
}
