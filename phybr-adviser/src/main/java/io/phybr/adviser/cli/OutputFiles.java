package io.phybr.adviser.cli;

import io.phybr.adviser.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a command will write, checked before it does any work (a missing directory is refused
 * before PD is paused or a store contacted), and the rule for an older plan at the plan's path: it
 * is removed when the command starts, and the new plan is renamed into place only once complete —
 * so a plan file at that path is always a whole plan of the latest run that made one, never an
 * older one beside a run that refused, failed or crashed.
 */
final class OutputFiles {
    private OutputFiles() {
    }

    /** Null when every given file can be written; else one clause naming the flag, file and reason. */
    static String check(Object... flagsAndPaths) {
        for (int i = 0; i + 1 < flagsAndPaths.length; i += 2) {
            Object path = flagsAndPaths[i + 1];
            if (path == null) {
                continue;
            }
            Path p = path instanceof Path q ? q : Path.of(path.toString());
            String why = AtomicFiles.unwritable(p);
            if (why != null) {
                return flagsAndPaths[i] + " " + p + ": " + why;
            }
        }
        return null;
    }

    /** Removes an older plan at {@code plan}; says what it did (null when there was none). */
    static String removeOlder(Path plan) {
        try {
            return Files.deleteIfExists(plan) ? "removed the older plan at " + plan + "; this run's plan replaces it"
                    + " only once it is complete" : null;
        } catch (IOException e) {
            return "warning: could not remove the older plan at " + plan + " (" + AtomicFiles.reason(e) + "); it is"
                    + " NOT this run's plan unless this run says it wrote one";
        }
    }
}
