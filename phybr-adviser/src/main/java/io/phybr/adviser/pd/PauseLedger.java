package io.phybr.adviser.pd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run changed on PD and the operator's values before it, persisted as {@code pd-pause.json} in the run's
 * recording directory (temp file + atomic rename, so a kill never leaves a torn ledger). A rerun after a kill reads
 * the unrestored ledgers of earlier runs beside its own directory: the earliest one holds what the operator had
 * before any run paused PD, which a rerun cannot learn from PD itself (a scheduler paused by the killed run looks
 * like one the operator paused).
 */
final class PauseLedger {
    static final String FILE = "pd-pause.json";
    private static final Logger LOG = LoggerFactory.getLogger(PauseLedger.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An earlier run's ledger that was never marked restored. */
    record Previous(Path file, ObjectNode body) {
        ObjectNode operator() {
            return (ObjectNode) body.path("operator");
        }
    }

    private final Path file;

    /** {@code dir} null: nothing is persisted (--no-record). */
    PauseLedger(Path dir) {
        this.file = dir == null ? null : dir.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /** Unrestored ledgers of earlier runs in sibling directories, oldest first (directory names start with UTC time). */
    List<Previous> unrestoredSiblings() {
        List<Previous> out = new ArrayList<>();
        if (file == null || file.getParent() == null || file.getParent().getParent() == null) {
            return out;
        }
        Path root = file.getParent().getParent();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                Path f = d.resolve(FILE);
                if (d.equals(file.getParent()) || !Files.isRegularFile(f)) {
                    continue;
                }
                try {
                    JsonNode n = JSON.readTree(f.toFile());
                    if (n instanceof ObjectNode o && !"restored".equals(o.path("state").asText())
                            && o.path("operator").isObject()) {
                        out.add(new Previous(f, o));
                    }
                } catch (IOException e) {
                    LOG.warn("ignoring unreadable PD pause ledger {}: {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot look for earlier runs' PD pause ledgers in {}: {}", root, e.getMessage());
        }
        out.sort(Comparator.comparing((Previous p) -> p.body().path("started").asText())
                .thenComparing(p -> p.file().toString()));
        return out;
    }

    /** Writes the ledger atomically; a write error is returned (the pause itself still holds by its TTLs). */
    IOException write(ObjectNode body) {
        return file == null ? null : write(file, body);
    }

    static IOException write(Path target, ObjectNode body) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return null;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the rename failed; the stray temp file is named .tmp and never read
            }
            LOG.warn("cannot write the PD pause ledger {}: {}", target, e.getMessage());
            return e;
        }
    }

    /** Marks an earlier run's ledger restored (its pause was put back by this run). */
    static void markRestored(Previous p, String by) {
        ObjectNode b = p.body().deepCopy();
        b.put("state", "restored");
        b.put("restored_by", by);
        write(p.file(), b);
    }
}
