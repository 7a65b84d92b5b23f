package io.phybr.contract.dump;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import io.phybr.contract.text.Printable;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * The general dump parser: Jackson's streaming parser over the whole grammar of JSON, every
 * malformed line diagnosed. {@link DumpReader} runs it only where its byte-level fast path
 * ({@link LineScanner}) rejects a line, from that line on, so every diagnosis stays this parser's.
 * Line numbers are offset by {@code lineBase}: started at a line boundary whose previous lines were
 * all complete one-line objects, Jackson is in the same state as if it had read them.
 */
final class JsonDumpParser {
    /** Duplicate keys are refused (Jackson would keep the last one silently: two different replicas in one line). */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final HexFormat HEX = HexFormat.of();

    /** Added to Jackson's line numbers: the file line of Jackson's line 1, minus one. */
    private final long lineBase;
    /** The reports handed to the sink for every line (the sink copies them): no object per line. */
    private final SeedReport seed = new SeedReport();
    private final StockReport stock = new StockReport();

    private JsonDumpParser(long lineBase) {
        this.lineBase = lineBase;
    }

    /** A bare '\n' fed before a continuation: with it Jackson detects UTF-8 whatever the line's first bytes. */
    private static final byte[] UTF8_LEAD = {'\n', '\n'};

    /**
     * Reads {@code rest}, which starts at file line {@code firstLine} just after a newline (or is the
     * whole input when {@code firstLine} is 1), into {@code table}; {@code countBefore} rows were read
     * before it. Returns the total row count.
     */
    static long readFrom(InputStream rest, long firstLine, long countBefore, ReplicaSink table,
                         Consumer<String> tolerateTornTail) throws IOException {
        TailTracker in = new TailTracker(rest);
        if (firstLine == 1) {
            return new JsonDumpParser(0).read(in, in, 0, table, tolerateTornTail, 0);
        }
        InputStream led = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(UTF8_LEAD), in);
        return new JsonDumpParser(firstLine - 1 - UTF8_LEAD.length)
                .read(led, in, countBefore, table, tolerateTornTail, firstLine - 1);
    }

    /**
     * Parses one line ({@code buf[off, off+len)}, its newline included) alone into {@code table};
     * false, with nothing added, if the general parser rejects it alone. The caller only asks this of a
     * printable-ASCII line, so that alone and in the stream it decodes the same.
     */
    static boolean tryLine(byte[] buf, int off, int len, ReplicaBatch table) {
        int mark = table.size();
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            new JsonDumpParser(0).objects(p, table, 0);
            return true;
        } catch (IOException | RuntimeException e) {
            table.truncate(mark);
            return false;
        }
    }

    private long read(InputStream stream, TailTracker in, long countBefore, ReplicaSink table,
                      Consumer<String> tolerateTornTail, long lineBefore) throws IOException {
        long count = countBefore;
        try (JsonParser p = JSON.createParser(stream)) {
            count += objects(p, table, lineBefore);
        } catch (Counted e) {
            count += e.count;
            DumpFormatException cause = e.error;
            if (tolerateTornTail == null || !in.tornLastLine(cause, lineBefore)) {
                throw cause;
            }
            tolerateTornTail.accept("dump line " + cause.line() + " is incomplete: the file ends in the middle of it,"
                    + " without a newline (the recording was cut short, e.g. by a crash or a full disk). It was"
                    + " skipped; the " + count + " complete line" + (count == 1 ? "" : "s") + " before it were read.");
        }
        return count;
    }

    /** A format error after {@code count} rows were read (the torn-tail warning counts them). */
    private static final class Counted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient DumpFormatException error;
        final long count;

        Counted(DumpFormatException cause, long count) {
            super(null, null, false, false);
            this.error = cause;
            this.count = count;
        }
    }

    /** Every object of the stream, one per line; returns how many. */
    private long objects(JsonParser p, ReplicaSink table, long lineBefore) throws IOException {
        long count = 0;
        try {
            JsonToken tok;
            long lastLine = lineBefore;
            while ((tok = next(p)) != null) {
                long line = line(p);
                if (tok != JsonToken.START_OBJECT) {
                    throw new DumpFormatException(line, "expected one JSON object per line, found " + found(p, tok));
                }
                if (line == lastLine) {
                    throw new DumpFormatException(line, "more than one JSON object on the line");
                }
                try {
                    readOne(p, line, table);
                } catch (JsonEOFException e) { // from a lazily parsed value (a string cut short)
                    throw new DumpFormatException(line(p), "the file ends inside a JSON"
                            + " object (" + Printable.jsonProblem(e.getOriginalMessage()) + ")", true);
                } catch (JsonParseException e) { // from a lazily parsed value: a bad character inside a string
                    throw new DumpFormatException(line, "not valid JSON (" + Printable.jsonProblem(e.getOriginalMessage())
                            + ")");
                } catch (DumpFormatException e) {
                    if (e.line() != line) {
                        // The parser only noticed on a later line: the object's own line is the broken one.
                        throw new DumpFormatException(line, "the line ends before its JSON object does (" + e.getMessage() + ")");
                    }
                    throw e;
                }
                if (line(p) != line) {
                    throw new DumpFormatException(line, "the line ends before its JSON object does; a dump holds one"
                            + " whole object per line");
                }
                lastLine = line;
                count++;
            }
        } catch (DumpFormatException e) {
            throw new Counted(e, count);
        }
        return count;
    }

    private long line(JsonParser p) {
        return lineBase + p.currentLocation().getLineNr();
    }

    /** Counts newlines and remembers the last byte, to tell a torn last line from any other error. */
    private static final class TailTracker extends FilterInputStream {
        private long newlines;
        private int last = -1;
        private boolean eof;

        TailTracker(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                eof = true;
            } else {
                see((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                eof = true;
            }
            for (int i = 0; i < n; i++) {
                see(b[off + i]);
            }
            return n;
        }

        private void see(byte b) {
            if (b == '\n') {
                newlines++;
            }
            last = b;
        }

        /** The input ended inside the JSON of its last line, and that line has no newline. */
        boolean tornLastLine(DumpFormatException e, long lineBefore) {
            return e.endOfInput() && eof && last != '\n' && e.line() == lineBefore + newlines + 1;
        }
    }

    private JsonToken next(JsonParser p) throws IOException {
        try {
            return p.nextToken();
        } catch (JsonEOFException e) {
            throw new DumpFormatException(line(p), "the file ends inside a JSON object ("
                    + Printable.jsonProblem(e.getOriginalMessage()) + ")", true);
        } catch (JsonParseException e) {
            throw new DumpFormatException(line(p), "not valid JSON ("
                    + Printable.jsonProblem(e.getOriginalMessage()) + ")");
        }
    }

    private void readOne(JsonParser p, long line, ReplicaSink table) throws IOException {
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
        int seen = 0;
        JsonToken tok;
        while ((tok = next(p)) != JsonToken.END_OBJECT) {
            if (tok == null) {
                throw new DumpFormatException(line, "the line ends inside an object");
            }
            String name = p.currentName();
            JsonToken value = next(p);
            seen |= bit(name);
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
                        throw new DumpFormatException(line, "tombstone must be true or false, found "
                                + Printable.escape(p.getText(), 40));
                    }
                    tombstone = value == JsonToken.VALUE_TRUE;
                }
                case "start_key" -> start = key(p, value, line, name);
                case "end_key" -> end = key(p, value, line, name);
                default -> throw new DumpFormatException(line, "unknown field \"" + Printable.escape(name, 40) + "\"");
            }
        }
        if (!hasStore || !hasRegion) {
            throw new DumpFormatException(line, "a line needs both \"store\" and \"region_id\"");
        }
        if (seedFields && stockFields) {
            throw new DumpFormatException(line, "store " + store + " region " + region
                    + " mixes seed fields (applied_index, term) with stock-TiKV fields (peer_id, last_log_term, last_index, commit_index)");
        }
        if (line(p) != line) {
            throw new DumpFormatException(line, "the line ends before its JSON object does; a dump holds one whole"
                    + " object per line");
        }
        // A line without its range, version or log position would be planned as a whole-key-space region at
        // version 0 (the defaults): refuse it instead, naming what is missing.
        int needed = REQUIRED | (stockFields ? STOCK_REQUIRED : seedFields ? SEED_REQUIRED : 0);
        if ((seen & needed) != needed || !seedFields && !stockFields) {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < FIELDS.size(); i++) {
                if ((needed & (1 << i)) != 0 && (seen & (1 << i)) == 0) {
                    missing.add(FIELDS.get(i));
                }
            }
            if (!seedFields && !stockFields) {
                missing.add("applied_index and term (seed) or peer_id, last_log_term and last_index (stock TiKV)");
            }
            throw new DumpFormatException(line, "store " + store + " region " + region + " lacks "
                    + String.join(", ", missing) + "; every line carries its whole report (SPEC §6)");
        }
        if (stockFields) {
            table.addStock(stock.store(store).region(region).peerId(peer).lastLogTerm(lastLogTerm).lastIndex(lastIndex)
                    .commitIndex(commit).version(version).tombstone(tombstone).keys(start, end));
        } else {
            table.addSeed(seed.store(store).region(region).appliedIndex(applied).term(term).version(version)
                    .tombstone(tombstone).keys(start, end));
        }
    }

    private static final List<String> FIELDS = List.of("store", "region_id", "version", "start_key", "end_key",
            "applied_index", "term", "peer_id", "last_log_term", "last_index", "commit_index", "tombstone");
    private static final int REQUIRED = 0b11111;
    private static final int SEED_REQUIRED = 0b1100000;
    private static final int STOCK_REQUIRED = 0b1110000000;

    private static int bit(String field) {
        int i = FIELDS.indexOf(field);
        return i < 0 ? 0 : 1 << i;
    }

    /**
     * The token where an object belongs, for the message. Jackson reads a string's text lazily, so a string the
     * file cuts short fails only here (found by fuzzing: a dump ending in a lone quote was an internal error).
     */
    private static String found(JsonParser p, JsonToken tok) {
        try {
            return Printable.escape(p.getText(), 40);
        } catch (IOException e) {
            return tok == JsonToken.VALUE_STRING ? "a string that never ends (" + Printable.jsonProblem(
                    e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                            : e.getMessage()) + ")" : String.valueOf(tok);
        }
    }

    private static long number(JsonParser p, JsonToken value, long line, String name) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new DumpFormatException(line, "\"" + name + "\" must be a non-negative integer, found "
                    + Printable.escape(p.getText(), 40));
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
            throw new DumpFormatException(line, "\"" + name + "\" must be a hex string, found "
                    + Printable.escape(p.getText(), 40));
        }
        String text = p.getText();
        try {
            return HEX.parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new DumpFormatException(line, "\"" + name + "\" is not lowercase hex: \"" + abbreviate(text) + "\"");
        }
    }

    private static String abbreviate(String s) {
        return Printable.escape(s, 40);
    }
}
