package io.phybr.adviser.stock;

import io.phybr.adviser.files.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code recover-state.json} in a run's recording directory: which process runs the recovery, the phase it is in,
 * the stores' start timestamps when it began sending plans, and, once it ended, which stores' applies it left
 * unproven. Written with a temp file and an atomic rename at each phase from {@code recover} on, so that:
 * <ul>
 *   <li>a dry run or a second recover finds a live recovery (its process still alive) and does not interrupt it
 *       silently — a ReadRegionMeta aborts a RecoverRegion in flight (R6);</li>
 *   <li>a rerun after a kill knows that the killed run's RecoverRegion or WaitApply may still be pending on stores
 *       that have not restarted since, and does not take their early answers as a barrier (R10).</li>
 * </ul>
 * A state file that cannot be written is logged; the recovery goes on (it is what the recording policy does).
 */
final class RunState {
    static final String FILE = "recover-state.json";
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Another run's state, as read from its directory. */
    record Other(Path dir, long pid, String host, boolean ended, boolean ok, String phase, boolean phaseDone, Map<Long, Long> startTs,
                 Map<Long, String> unproven, java.util.Optional<io.phybr.adviser.flashback.FlashbackTs> flashback) {
        /** Its process runs on this host right now. */
        boolean alive() {
            return !ended && host.equals(hostName()) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        /** It may still be running: alive here, or not ended on another host. */
        boolean maybeLive() {
            return alive() || (!ended && !host.equals(hostName()));
        }

        String describe() {
            return "the recover run in " + dir + " (pid " + pid + (host.equals(hostName()) ? "" : " on " + host) + ")";
        }
    }

    private final Path file;
    private volatile io.phybr.adviser.flashback.FlashbackTs flashback;

    /**
     * The flashback timestamps this run uses, written with every state from now on, before any region is prepared: a
     * rerun after a kill takes the same ones (as TiDB keeps its flashback job's start and commit ts), so regions the
     * killed run prepared or flashed back answer the rerun at once.
     */
    void flashback(io.phybr.adviser.flashback.FlashbackTs ts) {
        this.flashback = ts;
    }

    /** {@code runDir} null: nothing is persisted ({@code --no-record}). */
    RunState(Path runDir) {
        this.file = runDir == null ? null : runDir.resolve(FILE);
    }

    void write(Phase phase, boolean phaseDone, boolean ended, boolean ok, Map<Long, Long> startTs, Map<Long, String> unproven) {
        if (file == null) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("pid", ProcessHandle.current().pid());
        o.put("host", hostName());
        o.put("phase", phase.label());
        o.put("phase_done", phaseDone);
        o.put("ended", ended);
        o.put("ok", ok);
        ObjectNode ts = o.putObject("start_timestamps");
        new TreeMap<>(startTs).forEach((id, t) -> ts.put(Long.toString(id), t));
        ObjectNode un = o.putObject("unproven");
        new TreeMap<>(unproven).forEach((id, why) -> un.put(Long.toString(id), why));
        io.phybr.adviser.flashback.FlashbackTs fb = flashback;
        if (fb != null) {
            ObjectNode f = o.putObject("flashback");
            f.put("version", Long.toUnsignedString(fb.version()));
            f.put("start_ts", Long.toUnsignedString(fb.startTs()));
            f.put("commit_ts", Long.toUnsignedString(fb.commitTs()));
        }
        try {
            AtomicFiles.writeString(file, o.toString() + "\n");
        } catch (IOException e) {
            LOG.warn("cannot write {} ({}); a rerun will not know what this run left pending", file, e.toString());
        }
    }

    /**
     * The state files of the other runs beside {@code runDir} (or in {@code root} when this run records nothing),
     * newest first, stopping at the newest that ended well: what came before it no longer matters.
     */
    static List<Other> others(Path runDir, Path root) {
        Path base = runDir != null && runDir.getParent() != null ? runDir.getParent() : root;
        List<Other> out = new ArrayList<>();
        if (base == null || !Files.isDirectory(base)) {
            return out;
        }
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(base)) {
            for (Path d : ds) {
                if (!d.equals(runDir) && Files.isRegularFile(d.resolve(FILE))) {
                    dirs.add(d);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {} for other recover runs ({})", base, e.toString());
            return out;
        }
        dirs.sort(Comparator.comparing((Path d) -> d.getFileName().toString()).reversed()); // names start with UTC time
        for (Path d : dirs) {
            Other o = read(d);
            if (o == null) {
                continue;
            }
            if (o.ended() && o.ok()) {
                break;
            }
            out.add(o);
        }
        return out;
    }

    private static Other read(Path dir) {
        try {
            JsonNode n = JSON.readTree(Files.readString(dir.resolve(FILE)));
            Map<Long, Long> ts = new TreeMap<>();
            n.path("start_timestamps").fields().forEachRemaining(e -> ts.put(Long.parseLong(e.getKey()), e.getValue().asLong()));
            Map<Long, String> un = new TreeMap<>();
            n.path("unproven").fields().forEachRemaining(e -> un.put(Long.parseLong(e.getKey()), e.getValue().asText()));
            java.util.Optional<io.phybr.adviser.flashback.FlashbackTs> fb = java.util.Optional.empty();
            JsonNode f = n.path("flashback");
            if (f.isObject()) {
                fb = java.util.Optional.of(new io.phybr.adviser.flashback.FlashbackTs(
                        Long.parseUnsignedLong(f.path("version").asText()), Long.parseUnsignedLong(f.path("start_ts").asText()),
                        Long.parseUnsignedLong(f.path("commit_ts").asText())));
            }
            return new Other(dir, n.path("pid").asLong(), n.path("host").asText(""), n.path("ended").asBoolean(),
                    n.path("ok").asBoolean(), n.path("phase").asText(""), n.path("phase_done").asBoolean(), ts, un, fb);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read {} ({}); ignored", dir.resolve(FILE), e.toString());
            return null;
        }
    }

    private static volatile String host;

    static String hostName() {
        String h = host;
        if (h == null) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = "localhost";
            }
            host = h;
        }
        return h;
    }
}
