package io.phybr.contract.dump;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes region reports in the dump format of SPEC §6: JSON Lines, one replica per line, keys as
 * lowercase hex. Lines are encoded straight into a byte buffer (ASCII, no intermediate strings:
 * the adviser's recorder encodes every collected report on the transport thread) and handed to the
 * stream in chunks of whole lines, so a dump cut short by a crash ends at the last complete line
 * plus at most one partial one.
 */
public final class DumpWriter implements Closeable {
    private static final int CHUNK = 64 * 1024;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Byte b as two lowercase hex digits at [2b, 2b+1]: one lookup per key byte. */
    private static final byte[] HEX_PAIRS = new byte[512];
    /** 0..99 as two decimal digits at [2n, 2n+1]. */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 256; i++) {
            HEX_PAIRS[2 * i] = HEX[i >> 4];
            HEX_PAIRS[2 * i + 1] = HEX[i & 0xf];
        }
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }
    // The line's fixed parts, in the order written; LineScanner reads exactly this shape back.
    static final byte[] STORE = ascii("{\"store\":");
    static final byte[] REGION = ascii(",\"region_id\":");
    static final byte[] APPLIED = ascii(",\"applied_index\":");
    static final byte[] TERM = ascii(",\"term\":");
    static final byte[] PEER = ascii(",\"peer_id\":");
    static final byte[] LAST_LOG_TERM = ascii(",\"last_log_term\":");
    static final byte[] LAST_INDEX = ascii(",\"last_index\":");
    static final byte[] COMMIT = ascii(",\"commit_index\":");
    static final byte[] VERSION = ascii(",\"version\":");
    static final byte[] TOMBSTONE = ascii(",\"tombstone\":");
    static final byte[] TRUE = ascii("true");
    static final byte[] FALSE = ascii("false");
    static final byte[] START = ascii(",\"start_key\":\"");
    static final byte[] END = ascii("\",\"end_key\":\"");
    static final byte[] CLOSE = ascii("\"}\n");
    /** The longest line without its keys: ten 20-digit numbers plus every field name. */
    private static final int FIXED = 512;

    private final OutputStream out;
    private byte[] buf = new byte[CHUNK];
    private int pos;
    private long lines;

    public DumpWriter(OutputStream out) {
        this.out = out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes a seed-protocol report as one line (keys as arrays or as slices; the report may be reused after). */
    public void writeSeed(SeedReport r) throws IOException {
        room(r.startLength() + r.endLength());
        put(STORE).num(r.store()).put(REGION).num(r.regionId()).put(APPLIED).num(r.appliedIndex()).put(TERM)
                .num(r.term());
        tail(r.version(), r.tombstone(), r.startBuffer(), r.startOffset(), r.startLength(), r.endBuffer(),
                r.endOffset(), r.endLength());
    }

    /** Writes a stock-TiKV report as one line (keys as arrays or as slices; the report may be reused after). */
    public void writeStock(StockReport r) throws IOException {
        room(r.startLength() + r.endLength());
        put(STORE).num(r.store()).put(REGION).num(r.regionId()).put(PEER).num(r.peerId()).put(LAST_LOG_TERM)
                .num(r.lastLogTerm()).put(LAST_INDEX).num(r.lastIndex()).put(COMMIT).num(r.commitIndex());
        tail(r.version(), r.tombstone(), r.startBuffer(), r.startOffset(), r.startLength(), r.endBuffer(),
                r.endOffset(), r.endLength());
    }

    /** Makes room for one whole line: drains the chunk first if the line would not fit. */
    private void room(int keyBytes) throws IOException {
        int need = FIXED + 2 * keyBytes;
        if (buf.length - pos < need) {
            drain();
            if (buf.length < need) {
                buf = Arrays.copyOf(buf, need);
            }
        }
    }

    private void tail(long version, boolean tombstone, byte[] start, int startOff, int startLen, byte[] end, int endOff,
                      int endLen) throws IOException {
        put(VERSION).num(version).put(TOMBSTONE).put(tombstone ? TRUE : FALSE).put(START).hex(start, startOff, startLen)
                .put(END).hex(end, endOff, endLen).put(CLOSE);
        lines++;
        if (pos >= CHUNK - FIXED) {
            drain();
        }
    }

    private DumpWriter put(byte[] b) {
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    private DumpWriter num(long v) {
        if (v < 0) {
            return put(ascii(Long.toUnsignedString(v)));
        }
        int digits = digits(v);
        int at = pos + digits;
        byte[] b = buf;
        // Two digits per division, and int arithmetic once the value fits (most ids, indexes and terms do).
        while (v >= Integer.MAX_VALUE) {
            long q = v / 100;
            int r = (int) (v - q * 100) << 1;
            b[--at] = PAIRS[r + 1];
            b[--at] = PAIRS[r];
            v = q;
        }
        int x = (int) v;
        while (x >= 100) {
            int q = x / 100;
            int r = (x - q * 100) << 1;
            b[--at] = PAIRS[r + 1];
            b[--at] = PAIRS[r];
            x = q;
        }
        if (x >= 10) {
            b[--at] = PAIRS[(x << 1) + 1];
            b[--at] = PAIRS[x << 1];
        } else {
            b[--at] = (byte) ('0' + x);
        }
        pos += digits;
        return this;
    }

    /** Decimal digits of a non-negative {@code v} (1 for 0). */
    private static int digits(long v) {
        int d = 1;
        for (long p = 10; d < 19 && v >= p; p *= 10) {
            d++;
        }
        return d;
    }

    private DumpWriter hex(byte[] key, int off, int len) {
        byte[] b = buf;
        int p = pos;
        for (int i = off; i < off + len; i++) {
            int x = (key[i] & 0xff) << 1;
            b[p] = HEX_PAIRS[x];
            b[p + 1] = HEX_PAIRS[x + 1];
            p += 2;
        }
        pos = p;
        return this;
    }

    private void drain() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            pos = 0;
        }
    }

    public long lines() {
        return lines;
    }

    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
        out.close();
    }
}
