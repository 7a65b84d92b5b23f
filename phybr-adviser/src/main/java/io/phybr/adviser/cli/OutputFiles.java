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

    /** What removing an older plan did, and its deletion still under way, if any. */
    record Removal(String message, Thread deleting, Path aside, IOException[] failure) {
        /**
         * Waits until the older plan moved aside is deleted (a command must not exit leaving it behind); a warning
         * naming it if it could not be, else null.
         */
        String await() {
            if (deleting == null) {
                return null;
            }
            boolean interrupted = false;
            while (true) {
                try {
                    deleting.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return failure[0] == null ? null : "warning: could not delete the older plan, moved aside to " + aside
                    + " (" + AtomicFiles.reason(failure[0]) + "); delete it by hand";
        }
    }

    /**
     * {@link #removeOlder}, freeing the file's space on a background thread: the older plan is renamed aside at once
     * (a hidden name in the same directory), so the plan's path is free of it before any work starts exactly as
     * with {@link #removeOlder}, and deleted while the command works; {@link Removal#await} before the command
     * ends. Deleting a plan of a 1M-region dump that is already on disk (210 MB) took the kernel ~100 ms on the main
     * thread before the dump was read. Where the rename fails, the plan is deleted in place as before.
     */
    static Removal removeOlderWhileWorking(Path plan) {
        Path abs = plan.toAbsolutePath();
        if (!Files.isRegularFile(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return new Removal(removeOlder(plan), null, null, null);
        }
        Path aside = abs.resolveSibling("." + abs.getFileName() + "." + Long.toUnsignedString(System.nanoTime(), 36)
                + ".old");
        try {
            Files.move(abs, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            return new Removal(removeOlder(plan), null, null, null);
        }
        IOException[] failure = new IOException[1];
        Thread deleting = new Thread(() -> {
            try {
                Files.deleteIfExists(aside);
            } catch (IOException e) {
                failure[0] = e;
            }
        }, "older-plan-delete");
        deleting.setDaemon(true);
        deleting.start();
        return new Removal("removed the older plan at " + plan + "; this run's plan replaces it only once it is complete",
                deleting, aside, failure);
    }
}
