package io.phybr.adviser.dump;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The backup metadata the adviser needs: a small JSON object with at least
 * {@code {"resolved_ts": N}} (other fields are ignored). N is an unsigned 64-bit TSO, given as a
 * number or a decimal string.
 */
public final class BackupMeta {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private BackupMeta() {
    }

    /** The file is readable but is not a backup meta with a valid resolved_ts; the message says why. */
    public static final class Invalid extends IOException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Reads {@code resolved_ts} from the file.
     *
     * @throws Invalid     when the file is not such an object or has no valid resolved_ts
     * @throws IOException when the file cannot be read
     */
    public static long readResolvedTs(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Invalid("expected a JSON object like {\"resolved_ts\": 434172134850871297}");
            }
            Long found = null;
            JsonToken tok;
            while ((tok = p.nextToken()) != JsonToken.END_OBJECT) {
                if (tok == null) {
                    throw new Invalid("the file ends inside the object");
                }
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("resolved_ts".equals(name)) {
                    found = parseTs(p, value);
                } else {
                    p.skipChildren();
                }
            }
            if (found == null) {
                throw new Invalid("there is no \"resolved_ts\" field");
            }
            return found;
        } catch (JsonParseException e) {
            throw new Invalid("not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static long parseTs(JsonParser p, JsonToken value) throws IOException {
        String text;
        if (value == JsonToken.VALUE_NUMBER_INT) {
            text = p.getText();
        } else if (value == JsonToken.VALUE_STRING) {
            text = p.getText().trim();
        } else {
            throw new Invalid("\"resolved_ts\" must be a number");
        }
        try {
            long ts = Long.parseUnsignedLong(text);
            if (ts == 0) {
                throw new NumberFormatException();
            }
            return ts;
        } catch (NumberFormatException e) {
            throw new Invalid("\"resolved_ts\" " + text
                    + " is not a TSO (a positive unsigned 64-bit number)");
        }
    }
}
