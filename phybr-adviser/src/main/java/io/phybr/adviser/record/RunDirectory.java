package io.phybr.adviser.record;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Where a run is recorded: the default per-run directory's name, and claiming a directory for one run alone. */
final class RunDirectory {
    private static final DateTimeFormatter DIR_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private RunDirectory() {
    }

    /**
     * The directory a run got and its dump file, open for writing; or, when the claim failed, the directory it was
     * trying and the error (no dump).
     */
    record Claim(Path dir, FileChannel dump, Exception error) {
    }

    /**
     * Claims {@code dir}, or the first of {@code dir-2}, {@code dir-3}, ... that holds no recording, by creating its
     * dump file exclusively: two runs started in the same second ({@link #defaultDir} names have one-second
     * resolution; tests run adviser processes in parallel JVMs) never share a directory, and no run ever writes into
     * another's recording.
     */
    static Claim claim(Path dir) {
        Path free = dir;
        try {
            for (int i = 2; ; i++) {
                if (!Files.exists(free.resolve(RunRecorder.MANIFEST))) {
                    Files.createDirectories(free);
                    try {
                        return new Claim(free, FileChannel.open(free.resolve(RunRecorder.DUMP),
                                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), null);
                    } catch (FileAlreadyExistsException taken) {
                        // another run holds it (or left its dump): try the next name
                    }
                }
                free = dir.resolveSibling(dir.getFileName() + "-" + i);
            }
        } catch (IOException | RuntimeException e) {
            return new Claim(free, null, e);
        }
    }

    /**
     * A new per-run directory name under {@code $PHYBR_RUNS_DIR} (default {@code ./phybr-runs}):
     * {@code <UTC time>-<command>}, with {@code -2}, {@code -3}, ... appended if that exists already.
     */
    static Path defaultDir(String command) {
        String root = System.getenv(RunRecorder.RUNS_DIR_ENV);
        Path base = Path.of(root == null || root.isBlank() ? "phybr-runs" : root);
        String name = DIR_TIME.format(Instant.now()) + "-" + command;
        Path p = base.resolve(name);
        for (int i = 2; Files.exists(p); i++) {
            p = base.resolve(name + "-" + i);
        }
        return p;
    }
}
