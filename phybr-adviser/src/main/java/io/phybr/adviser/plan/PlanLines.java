package io.phybr.adviser.plan;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a {@link Plan} as JSON Lines (SPEC §6) straight into bytes: one line per command, sorted by store then
 * region, in large buffers handed to the stream whole. The same bytes as building each line in a
 * {@code StringBuilder} and encoding it (which the 1M-region plan paid three copies per line for), without an
 * object per line.
 */
final class PlanLines {
    /** 1 MiB: large writes go past any buffered stream straight to the file. */
    private static final int BUFFER = 1 << 20;
    /** Longer than any line: "{"store":" + 20 + ","region_id":" + 20 + ","term":" + 20 + ... + "}\n" < 160. */
    private static final int LONGEST_LINE = 192;
    private static final byte[] STORE = ascii("{\"store\":");
    private static final byte[] REGION = ascii(",\"region_id\":");
    private static final byte[] TERM = ascii(",\"term\":");
    private static final byte[] SILENCE = ascii(",\"silence\":");
    private static final byte[] AS_LEADER = ascii(",\"as_leader\":");
    private static final byte[] TOMBSTONE = ascii(",\"tombstone\":");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] CLOSE = ascii("}\n");
    /** "00" to "99": two digits per lookup. */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private final byte[] buf = new byte[BUFFER];
    private int at;

    private PlanLines() {
    }

    /** Writes every command of {@code plan} to {@code out} and flushes it. */
    static void write(Plan plan, OutputStream out) throws IOException {
        new PlanLines().writeAll(plan, out);
    }

    private void writeAll(Plan plan, OutputStream out) throws IOException {
        boolean seed = plan.options().protocol() == Protocol.SEED;
        for (long store : plan.stores()) {
            int to = plan.commandsTo(store);
            for (int k = plan.commandsFrom(store); k < to; k++) {
                if (BUFFER - at < LONGEST_LINE) {
                    out.write(buf, 0, at);
                    at = 0;
                }
                put(STORE);
                number(store);
                put(REGION);
                number(plan.commandRegion(k));
                if (seed) {
                    put(TERM);
                    number(plan.commandTerm(k));
                    put(SILENCE);
                    put(plan.commandSilence(k) ? TRUE : FALSE);
                } else {
                    put(AS_LEADER);
                    put(plan.commandAsLeader(k) ? TRUE : FALSE);
                }
                put(TOMBSTONE);
                put(plan.commandTombstone(k) ? TRUE : FALSE);
                put(CLOSE);
            }
        }
        out.write(buf, 0, at);
        at = 0;
        out.flush();
    }

    private void put(byte[] literal) {
        System.arraycopy(literal, 0, buf, at, literal.length);
        at += literal.length;
    }

    /** As {@link Long#toString(long)} writes it (a negative id, read as unsigned above 2^63, keeps its sign). */
    private void number(long v) {
        if (v < 0) {
            put(ascii(Long.toString(v)));
            return;
        }
        int digits = digits(v);
        int p = at + digits;
        at = p;
        while (v >= 100) {
            int r = (int) (v % 100);
            v /= 100;
            buf[--p] = PAIRS[2 * r + 1];
            buf[--p] = PAIRS[2 * r];
        }
        if (v >= 10) {
            buf[--p] = PAIRS[2 * (int) v + 1];
            buf[--p] = PAIRS[2 * (int) v];
        } else {
            buf[--p] = (byte) ('0' + v);
        }
    }

    private static int digits(long v) {
        long x = 10;
        for (int d = 1; d < 19; d++) {
            if (v < x) {
                return d;
            }
            x *= 10;
        }
        return 19;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
