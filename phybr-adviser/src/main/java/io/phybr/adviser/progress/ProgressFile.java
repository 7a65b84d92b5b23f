package io.phybr.adviser.progress;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.adviser.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --progress-file FILE}: the latest {@link PhaseProgress} as one JSON object, for orchestrators (TiDB
 * Operator reads BR's the same way). Each update is written to a temp file beside it and renamed into place,
 * so a reader never sees half an object. {@link #open} writes a first object, so that an unwritable path fails
 * the command before anything changes on PD or a store; a write failing later only logs a warning (once): a
 * progress file never fails a recovery.
 */
public final class ProgressFile implements Consumer<PhaseProgress> {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private volatile boolean warned;

    private ProgressFile(Path file) {
        this.file = file;
    }

    /** Writes the "starting" object; throws if the file cannot be written. */
    public static ProgressFile open(Path file, String command) throws IOException {
        ProgressFile f = new ProgressFile(file);
        f.write(new PhaseProgress("starting " + command, "", 0, 0, 0, 0, false, List.of(), Instant.now()));
        return f;
    }

    @Override
    public synchronized void accept(PhaseProgress p) {
        // Progress is reported from phase workers that a deadline or a newer call may have interrupted. A file
        // channel written by an interrupted thread closes itself (ClosedByInterruptException, no message: the
        // warning used to read "(null)"), so the update is written with the flag cleared and the flag put back.
        boolean interrupted = Thread.interrupted();
        try {
            write(p);
        } catch (IOException e) {
            if (!warned) {
                warned = true;
                LOG.warn("cannot update the progress file {} ({}); the recovery goes on without it", file,
                        AtomicFiles.reason(e));
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void write(PhaseProgress p) throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(p.toJson()) + "\n");
    }
}
