package io.phybr.contract.dump;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The fast path of {@link DumpReader}: parses a block of whole lines straight from bytes, accepting
 * only the exact shape {@link DumpWriter} writes (fields in its order, no spaces, numbers without
 * sign or leading zero and at most 19 digits, keys in lowercase hex). A line of any other shape goes,
 * alone, to the general parser ({@link JsonDumpParser#tryLine}) if it is plain printable ASCII; the
 * first line that parser refuses, or that is not plain ASCII, ends the block: {@link DumpReader} then
 * hands the rest of the input to the general parser, which names what is wrong exactly as it always
 * has. So the fast path never accepts a line the general parser would refuse, nor reads it differently.
 */
final class LineScanner {
    // The shape DumpWriter writes, literal by literal.
    private static final byte[] STORE = DumpWriter.STORE;
    private static final byte[] REGION = DumpWriter.REGION;
    private static final byte[] APPLIED = DumpWriter.APPLIED;
    private static final byte[] TERM = DumpWriter.TERM;
    private static final byte[] PEER = DumpWriter.PEER;
    private static final byte[] LAST_LOG_TERM = DumpWriter.LAST_LOG_TERM;
    private static final byte[] LAST_INDEX = DumpWriter.LAST_INDEX;
    private static final byte[] COMMIT = DumpWriter.COMMIT;
    private static final byte[] VERSION = DumpWriter.VERSION;
    private static final byte[] TOMBSTONE = DumpWriter.TOMBSTONE;
    private static final byte[] TRUE = DumpWriter.TRUE;
    private static final byte[] FALSE = DumpWriter.FALSE;
    private static final byte[] START = DumpWriter.START;
    private static final byte[] END = DumpWriter.END;
    /** Jackson refuses strings over 20,000,000 chars (StreamReadConstraints): longer keys go the general way. */
    private static final int MAX_HEX = 1 << 20;

    private final byte[] buf;
    private int pos;
    private int end;
    private long value;

    /** What one block came to: its rows, its complete lines, and where (if anywhere) the fast path gave up. */
    static final class Result {
        final ReplicaBatch rows;
        /** Newlines in the block up to {@link #stoppedAt} (all of them if it is -1). */
        final long lines;
        /** Offset in the block of the first line neither path took, or -1. */
        final int stoppedAt;

        Result(ReplicaBatch rows, long lines, int stoppedAt) {
            this.rows = rows;
            this.lines = lines;
            this.stoppedAt = stoppedAt;
        }
    }

    private LineScanner(byte[] buf) {
        this.buf = buf;
    }

    /**
     * Parses {@code buf[0, len)}: whole lines, the last one without its newline only at the end of the input.
     * {@code rows} is empty and is filled (a pooled batch, reused block after block).
     */
    static Result scan(byte[] buf, int len, ReplicaBatch rows) {
        LineScanner s = new LineScanner(buf);
        s.end = len;
        long lines = 0;
        int at = 0;
        while (at < len) {
            // One pass: the fast path reads the line up to its newline (the block's end bounds it); only a line it
            // rejects is searched for its end, for the general parser.
            int nl = buf[at] == '\n' ? at : s.line(at, rows);
            if (nl < 0) {
                nl = indexOf(buf, at, len, (byte) '\n');
                // A whole line of plain ASCII may still be one JSON object in another shape (spaces, another field
                // order, escapes): the general parser judges it alone. Anything else is left to it in the stream.
                if (nl < 0 || !plainAscii(buf, at, nl) || !JsonDumpParser.tryLine(buf, at, nl + 1 - at, rows)) {
                    return new Result(rows, lines, at);
                }
            }
            if (nl >= len) {
                break;
            }
            lines++;
            at = nl + 1;
        }
        return new Result(rows, lines, -1);
    }

    /** {@link #scan} into a new batch (tests). */
    static Result scan(byte[] buf, int len) {
        return scan(buf, len, new ReplicaBatch(len / 160, len / 4));
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean plainAscii(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * One line from {@code from} in the writer's exact shape, added to {@code rows}: returns the offset of its
     * newline ({@link #end} if the input ends there), or -1 if it is not in that shape (nothing added). No field
     * can take a newline, so reading up to the block's end finds the same line as reading up to its newline.
     */
    private int line(int from, ReplicaBatch rows) {
        pos = from;
        if (!lit(STORE) || !num()) {
            return -1;
        }
        long store = value;
        if (!lit(REGION) || !num()) {
            return -1;
        }
        long region = value;
        boolean stock;
        long peer = 0;
        long index;
        long term;
        long commit = 0;
        if (pos + 2 < end && buf[pos + 2] == 'p') { // ,"peer_id": — a stock-TiKV line
            if (!lit(PEER) || !num()) {
                return -1;
            }
            peer = value;
            if (!lit(LAST_LOG_TERM) || !num()) {
                return -1;
            }
            term = value;
            if (!lit(LAST_INDEX) || !num()) {
                return -1;
            }
            index = value;
            if (!lit(COMMIT) || !num()) {
                return -1;
            }
            commit = value;
            stock = true;
        } else {
            if (!lit(APPLIED) || !num()) {
                return -1;
            }
            index = value;
            if (!lit(TERM) || !num()) {
                return -1;
            }
            term = value;
            stock = false;
        }
        if (!lit(VERSION) || !num()) {
            return -1;
        }
        long version = value;
        if (!lit(TOMBSTONE)) {
            return -1;
        }
        boolean tombstone;
        if (lit(TRUE)) {
            tombstone = true;
        } else if (lit(FALSE)) {
            tombstone = false;
        } else {
            return -1;
        }
        if (!lit(START)) {
            return -1;
        }
        // The keys are decoded straight into the batch as they are checked; a bad one takes the row back.
        int i = rows.row(store, region, peer, index, term, commit, version, stock, tombstone);
        int p = rows.putHexKey(i, buf, pos, end, true, MAX_HEX);
        if (p < 0) {
            rows.truncate(i);
            return -1;
        }
        pos = p;
        if (!lit(END)) {
            rows.truncate(i);
            return -1;
        }
        p = rows.putHexKey(i, buf, pos, end, false, MAX_HEX);
        // The writer's closing "}\n: the line ends with its newline there, or the input does.
        if (p < 0 || end - p < 2 || buf[p] != DumpWriter.CLOSE[0] || buf[p + 1] != DumpWriter.CLOSE[1]
                || (end - p > 2 && buf[p + 2] != '\n')) {
            rows.truncate(i);
            return -1;
        }
        return p + 2;
    }

    private boolean lit(byte[] expected) {
        int n = expected.length;
        if (end - pos < n) {
            return false;
        }
        if (!same(buf, pos, expected)) {
            return false;
        }
        pos += n;
        return true;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Whether {@code b[p, p + e.length)} holds {@code e}; the caller has checked the length. A field name (4 to 17
     * bytes) is two or three overlapping word compares, not a loop: a line has a dozen of them, inlined into
     * {@link #line}, and as loops they were most of what C2 compiled for the reader's hottest method.
     */
    private static boolean same(byte[] b, int p, byte[] e) {
        int n = e.length;
        if (n >= 8 && n <= 24) {
            return (long) LONGS.get(b, p) == (long) LONGS.get(e, 0)
                    && (long) LONGS.get(b, p + n - 8) == (long) LONGS.get(e, n - 8)
                    && (n <= 16 || (long) LONGS.get(b, p + 8) == (long) LONGS.get(e, 8));
        }
        if (n >= 4 && n < 8) {
            return (int) INTS.get(b, p) == (int) INTS.get(e, 0) && (int) INTS.get(b, p + n - 4) == (int) INTS.get(e, n - 4);
        }
        for (int k = 0; k < n; k++) {
            if (b[p + k] != e[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A JSON integer Jackson reads as VALUE_NUMBER_INT and {@code Long.parseUnsignedLong} takes: no sign, no
     * leading zero, 1–19 digits (every 19-digit number fits in 64 unsigned bits; 20 digits go the general way).
     */
    private boolean num() {
        int p = pos;
        int start = p;
        long v = 0;
        while (p < end) {
            int d = buf[p] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            v = v * 10 + d;
            p++;
        }
        int digits = p - start;
        if (digits == 0 || digits > 19 || (digits > 1 && buf[start] == '0')) {
            return false;
        }
        value = v;
        pos = p;
        return true;
    }
}
