package io.phybr.adviser.dump;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.phybr.adviser.plan.ReplicaTable;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;

/**
 * Streams a dump (SPEC §6) into a {@link ReplicaTable}: one pass, no object per line kept, so a
 * dump of tens of millions of lines costs the table and not a copy of the text.
 */
public final class DumpReader {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final HexFormat HEX = HexFormat.of();

    private DumpReader() {
    }

    /** Reads every line into {@code table}; returns the number of replicas read. */
    public static long read(InputStream in, ReplicaTable table) throws IOException {
        long count = 0;
        try (JsonParser p = JSON.createParser(in)) {
            JsonToken tok;
            long lastLine = 0;
            while ((tok = next(p)) != null) {
                long line = p.currentLocation().getLineNr();
                if (tok != JsonToken.START_OBJECT) {
                    throw new DumpFormatException(line, "expected one JSON object per line, found " + p.getText());
                }
                if (line == lastLine) {
                    throw new DumpFormatException(line, "more than one JSON object on the line");
                }
                try {
                    readOne(p, line, table);
                } catch (DumpFormatException e) {
                    if (e.line() != line) {
                        // The parser only noticed on a later line: the object's own line is the broken one.
                        throw new DumpFormatException(line, "the line ends before its JSON object does (" + e.getMessage() + ")");
                    }
                    throw e;
                }
                if (p.currentLocation().getLineNr() != line) {
                    throw new DumpFormatException(line, "the line ends before its JSON object does; a dump holds one"
                            + " whole object per line");
                }
                lastLine = line;
                count++;
            }
        }
        return count;
    }

    private static JsonToken next(JsonParser p) throws IOException {
        try {
            return p.nextToken();
        } catch (JsonParseException e) {
            throw new DumpFormatException(p.currentLocation().getLineNr(), "not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static void readOne(JsonParser p, long line, ReplicaTable table) throws IOException {
        long store = 0;
        long region = 0;
        boolean hasStore = false;
        boolean hasRegion = false;
        long applied = 0;
        long term = 0;
        long peer = 0;
        long lastLogTerm = 0;
        long lastIndex = 0;
        long commit = 0;
        long version = 0;
        boolean tombstone = false;
        byte[] start = new byte[0];
        byte[] end = new byte[0];
        boolean seedFields = false;
        boolean stockFields = false;
        JsonToken tok;
        while ((tok = next(p)) != JsonToken.END_OBJECT) {
            if (tok == null) {
                throw new DumpFormatException(line, "the line ends inside an object");
            }
            String name = p.currentName();
            JsonToken value = next(p);
            switch (name) {
                case "store" -> { store = number(p, value, line, name); hasStore = true; }
                case "region_id" -> { region = number(p, value, line, name); hasRegion = true; }
                case "applied_index" -> { applied = number(p, value, line, name); seedFields = true; }
                case "term" -> { term = number(p, value, line, name); seedFields = true; }
                case "peer_id" -> { peer = number(p, value, line, name); stockFields = true; }
                case "last_log_term" -> { lastLogTerm = number(p, value, line, name); stockFields = true; }
                case "last_index" -> { lastIndex = number(p, value, line, name); stockFields = true; }
                case "commit_index" -> { commit = number(p, value, line, name); stockFields = true; }
                case "version" -> version = number(p, value, line, name);
                case "tombstone" -> {
                    if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
                        throw new DumpFormatException(line, "tombstone must be true or false, found " + p.getText());
                    }
                    tombstone = value == JsonToken.VALUE_TRUE;
                }
                case "start_key" -> start = key(p, value, line, name);
                case "end_key" -> end = key(p, value, line, name);
                default -> throw new DumpFormatException(line, "unknown field \"" + name + "\"");
            }
        }
        if (!hasStore || !hasRegion) {
            throw new DumpFormatException(line, "a line needs both \"store\" and \"region_id\"");
        }
        if (seedFields && stockFields) {
            throw new DumpFormatException(line, "store " + store + " region " + region
                    + " mixes seed fields (applied_index, term) with stock-TiKV fields (peer_id, last_log_term, last_index, commit_index)");
        }
        if (stockFields) {
            table.addStock(store, region, peer, lastLogTerm, lastIndex, commit, version, tombstone, start, end);
        } else {
            table.addSeed(store, region, applied, term, version, tombstone, start, end);
        }
    }

    private static long number(JsonParser p, JsonToken value, long line, String name) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new DumpFormatException(line, "\"" + name + "\" must be a non-negative integer, found " + p.getText());
        }
        String text = p.getText();
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new DumpFormatException(line, "\"" + name + "\" must be an unsigned 64-bit integer, found " + text);
        }
    }

    private static byte[] key(JsonParser p, JsonToken value, long line, String name) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new DumpFormatException(line, "\"" + name + "\" must be a hex string, found " + p.getText());
        }
        String text = p.getText();
        try {
            return HEX.parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new DumpFormatException(line, "\"" + name + "\" is not lowercase hex: \"" + abbreviate(text) + "\"");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
