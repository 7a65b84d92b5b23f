package io.phybr.contract.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.phybr.contract.text.Printable;
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

    /**
     * Built on first use: {@code plan} looks for a manifest beside every dump, and on the usual path (none there)
     * loading Jackson's parser classes would be start-up time for nothing.
     */
    private static final class Json {
        static final JsonFactory FACTORY = JsonFactory.builder()
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    }

    /**
     * One manifest value, checked for its type and range: a value of the wrong shape (an array where a word
     * belongs, a negative store id) is an {@link IOException} naming the file and the field, never a crash or a
     * silently different replay.
     */
    private record Field(Path manifest, String name, JsonToken token, JsonParser p) {
        private IOException wrong(String expected) throws IOException {
            if (token == null) {
                return new IOException(manifest + " ends inside its JSON object");
            }
            String found = switch (token) {
                case START_ARRAY -> "an array";
                case START_OBJECT -> "an object";
                case VALUE_STRING -> "\"" + Printable.escape(p.getText(), 40) + "\"";
                default -> Printable.escape(p.getText(), 40);
            };
            return new IOException(manifest + ": \"" + Printable.escape(name, 40) + "\" must be " + expected + ", not "
                    + found);
        }

        String text() throws IOException {
            if (token != JsonToken.VALUE_STRING) {
                throw wrong("a string");
            }
            return p.getText();
        }

        String optionalText() throws IOException {
            return token == JsonToken.VALUE_NULL ? null : text();
        }

        boolean bool() throws IOException {
            if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                throw wrong("true or false");
            }
            return token == JsonToken.VALUE_TRUE;
        }

        OptionalInt exitCode() throws IOException {
            if (token == JsonToken.VALUE_NULL) {
                return OptionalInt.empty();
            }
            if (token != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                    || p.getIntValue() < 0 || p.getIntValue() > 255) {
                throw wrong("an exit code from 0 to 255 or null");
            }
            return OptionalInt.of(p.getIntValue());
        }

        List<Long> storeIds() throws IOException {
            if (token != JsonToken.START_ARRAY) {
                throw wrong("an array of store ids");
            }
            List<Long> out = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new IOException(manifest + " ends inside its \"" + name + "\" array");
                }
                long id;
                try {
                    id = t == JsonToken.VALUE_NUMBER_INT ? Long.parseUnsignedLong(p.getText()) : 0;
                } catch (NumberFormatException e) {
                    id = 0;
                }
                if (id == 0) {
                    throw new Field(manifest, name, t, p).wrong("an array of store ids (positive 64-bit integers)");
                }
                out.add(id);
            }
            return out;
        }
    }

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
        try (InputStream in = Files.newInputStream(manifest)) {
            return read(manifest, in);
        }
    }

    /** {@link #read(Path)} of the manifest's bytes, already open; {@code manifest} names it and locates its plan. */
    public static RecordedRun read(Path manifest, InputStream in) throws IOException {
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
        try (JsonParser p = Json.FACTORY.createParser(in)) {
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
                Field f = new Field(manifest, name, v, p);
                switch (name) {
                    case "format" -> format = f.text();
                    case "command" -> command = f.text();
                    case "policy" -> policy = f.text();
                    case "protocol" -> protocol = f.text();
                    case "accept_holes" -> acceptHoles = f.bool();
                    case "plan" -> plan = f.optionalText();
                    case "exit_code" -> exit = f.exitCode();
                    case "verdict" -> verdict = Optional.ofNullable(f.optionalText()).orElse("");
                    case "diagnosis" -> diagnosis = Optional.ofNullable(f.optionalText()).orElse("");
                    case "status" -> status = f.text();
                    case "stores" -> stores.addAll(f.storeIds());
                    default -> p.skipChildren();
                }
            }
        } catch (JsonParseException e) {
            throw new IOException(manifest + " is not valid JSON (" + Printable.jsonProblem(e.getOriginalMessage()) + ")");
        }
        if (!FORMAT.equals(format)) {
            throw new IOException(manifest + " is not a phybr run manifest (format " + Printable.escape(format, 80) + ", expected "
                    + FORMAT + ")");
        }
        Path dir = manifest.toAbsolutePath().getParent();
        Optional<Path> planFile;
        try {
            planFile = plan == null ? Optional.empty() : Optional.of(dir.resolve(plan)).filter(Files::isRegularFile);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IOException(manifest + ": \"plan\" is not a file name: \"" + Printable.escape(plan, 80) + "\"");
        }
        return new RecordedRun(dir, command, Optional.ofNullable(policy), Optional.ofNullable(protocol), acceptHoles,
                stores.stream().mapToLong(Long::longValue).sorted().toArray(), planFile, exit, verdict, diagnosis,
                status);
    }
}
