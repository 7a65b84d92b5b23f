package io.phybr.contract.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A recorded run as its {@code manifest.json} describes it (the adviser's {@code RunRecorder} writes
 * it): what a replay needs to plan the recorded reports the way the run did, and what the run ended
 * with. Policy and protocol are kept as the words the manifest holds; the adviser turns them into
 * its planning options (and refuses words it does not know), the mock passes them on.
 *
 * @param dir         the run directory
 * @param command     the command that ran
 * @param policy      the run's planning policy word ("seed", "br"), if the manifest names one
 * @param protocol    the run's protocol word ("seed", "stock"), if the manifest names one
 * @param acceptHoles whether the run accepted holes
 * @param stores      the stores that took part (also those that reported no region), ascending
 * @param plan        the recorded plan file, if the run got that far
 * @param exitCode    the run's exit code, if it ended
 * @param verdict     the run's verdict line, or "" when it did not end
 * @param diagnosis   the diagnosis of a refused or failed run, or ""
 * @param status      "running" (the run never finished: crashed or still going), "finished" or "failed"
 */
public record RecordedRun(Path dir, String command, Optional<String> policy, Optional<String> protocol,
                          boolean acceptHoles, long[] stores, Optional<Path> plan, OptionalInt exitCode,
                          String verdict, String diagnosis, String status) {
    /** The files of a run directory. */
    public static final String DUMP = "reports.jsonl";
    public static final String PLAN = "plan.jsonl";
    public static final String MANIFEST = "manifest.json";
    /** The manifest's {@code format}: a reader refuses any other. */
    public static final String FORMAT = "phybr-run/1";

    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** The manifest.json next to {@code dump}, if there is one; a manifest that is there but unreadable is an error. */
    public static Optional<RecordedRun> besideDump(Path dump) throws IOException {
        Path abs = dump.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isRegularFile(dir.resolve(MANIFEST))) {
            return Optional.empty();
        }
        return Optional.of(read(dir.resolve(MANIFEST)));
    }

    /** The manifest file this run was read from. */
    public Path manifest() {
        return dir.resolve(MANIFEST);
    }

    /** Reads a manifest; {@link IOException} with a message naming the file and the problem. */
    public static RecordedRun read(Path manifest) throws IOException {
        String command = "";
        String policy = null;
        String protocol = null;
        boolean acceptHoles = false;
        List<Long> stores = new ArrayList<>();
        String plan = null;
        OptionalInt exit = OptionalInt.empty();
        String verdict = "";
        String diagnosis = "";
        String status = "";
        String format = null;
        try (InputStream in = Files.newInputStream(manifest); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(manifest + " is not a phybr run manifest (not a JSON object)");
            }
            JsonToken tok;
            while ((tok = p.nextToken()) != JsonToken.END_OBJECT) {
                if (tok == null) {
                    throw new IOException(manifest + " ends inside its JSON object");
                }
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "format" -> format = p.getValueAsString();
                    case "command" -> command = p.getValueAsString("");
                    case "policy" -> policy = p.getValueAsString();
                    case "protocol" -> protocol = p.getValueAsString();
                    case "accept_holes" -> acceptHoles = v == JsonToken.VALUE_TRUE;
                    case "plan" -> plan = v == JsonToken.VALUE_NULL ? null : p.getValueAsString();
                    case "exit_code" -> exit = v == JsonToken.VALUE_NUMBER_INT ? OptionalInt.of(p.getIntValue())
                            : OptionalInt.empty();
                    case "verdict" -> verdict = v == JsonToken.VALUE_NULL ? "" : p.getValueAsString("");
                    case "diagnosis" -> diagnosis = v == JsonToken.VALUE_NULL ? "" : p.getValueAsString("");
                    case "status" -> status = p.getValueAsString("");
                    case "stores" -> {
                        if (v == JsonToken.START_ARRAY) {
                            while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                                stores.add(p.getLongValue());
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (JsonParseException e) {
            throw new IOException(manifest + " is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (!FORMAT.equals(format)) {
            throw new IOException(manifest + " is not a phybr run manifest (format " + format + ", expected "
                    + FORMAT + ")");
        }
        Path dir = manifest.toAbsolutePath().getParent();
        Optional<Path> planFile = plan == null ? Optional.empty()
                : Optional.of(dir.resolve(plan)).filter(Files::isRegularFile);
        return new RecordedRun(dir, command, Optional.ofNullable(policy), Optional.ofNullable(protocol), acceptHoles,
                stores.stream().mapToLong(Long::longValue).sorted().toArray(), planFile, exit, verdict, diagnosis,
                status);
    }
}
