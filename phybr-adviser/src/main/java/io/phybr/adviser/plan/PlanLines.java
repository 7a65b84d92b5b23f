package io.phybr.adviser.plan;

import io.phybr.contract.dump.ChunkResults;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Encodes a {@link Plan} as JSON Lines (SPEC §6) straight into bytes: one line per command, sorted by store then
 * region, in large buffers handed to the stream whole, encoded on every core for a large plan. The same bytes as building each line in a
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

    /**
     * Commands per chunk when the plan is encoded on every core (about 0.8 MiB of lines); tests make it tiny so
     * that chunks end at every store and buffer boundary.
     */
    static volatile int chunkCommands = 10_000;
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    private byte[] buf;
    private int at;

    private PlanLines(int capacity) {
        buf = new byte[capacity];
    }

    /**
     * Writes every command of {@code plan} to {@code out} and flushes it. A plan of several chunks is encoded on
     * every core, chunk by chunk, while the caller writes the chunks already encoded in order: the bytes are the
     * same as one thread writes.
     */
    static void write(Plan plan, OutputStream out) throws IOException {
        int chunk = Math.max(1, chunkCommands);
        int n = plan.commandCount();
        long[] stores = plan.stores();
        int[] from = new int[stores.length + 1];
        for (int s = 0; s < stores.length; s++) {
            from[s] = plan.commandsFrom(stores[s]);
        }
        from[stores.length] = n;
        if (n <= chunk || THREADS == 1) {
            PlanLines one = new PlanLines(BUFFER);
            one.encode(plan, stores, from, 0, n, out);
            out.write(one.buf, 0, one.at);
            out.flush();
            return;
        }
        ExecutorService encoders = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "plan-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            ArrayDeque<Future<PlanLines>> ahead = new ArrayDeque<>();
            ArrayDeque<PlanLines> free = new ArrayDeque<>();
            int next = 0;
            while (next < n || !ahead.isEmpty()) {
                // Keep every encoder busy, a few chunks ahead of the one being written; reuse written buffers.
                while (next < n && ahead.size() < 2 * THREADS) {
                    int k0 = next;
                    int k1 = (int) Math.min(n, (long) k0 + chunk);
                    PlanLines lines = free.isEmpty() ? new PlanLines(chunk * LONGEST_LINE) : free.poll();
                    ahead.add(encoders.submit(() -> {
                        lines.at = 0;
                        lines.encode(plan, stores, from, k0, k1, null);
                        return lines;
                    }));
                    next = k1;
                }
                PlanLines done = ChunkResults.await(ahead.poll(), "writing the plan");
                out.write(done.buf, 0, done.at);
                free.add(done);
            }
            out.flush();
        } finally {
            encoders.shutdownNow();
        }
    }

    /**
     * Encodes commands {@code [k0, k1)} into {@link #buf}; with an {@code out}, the buffer is written out
     * whenever it is nearly full (one thread), else it must hold every line ({@code (k1 - k0) * LONGEST_LINE}).
     */
    private void encode(Plan plan, long[] stores, int[] from, int k0, int k1, OutputStream out) throws IOException {
        if (k0 >= k1) {
            return;
        }
        boolean seed = plan.options().protocol() == Protocol.SEED;
        int s = 0; // the store of command k0: from[s] <= k0 < from[s + 1]
        while (k0 >= from[s + 1]) {
            s++;
        }
        // Store by store: the loop over one store's commands has no store test, whose rare exit (a chunk starting
        // or ending in another store) compiled as a trap and cost a third compile of the whole loop.
        for (int k = k0; k < k1; s++) {
            int to = Math.min(k1, from[s + 1]);
            encode(plan, seed, stores[s], k, to, out);
            k = to;
        }
    }

    /** Encodes commands {@code [k0, k1)}, all of store {@code store}. */
    private void encode(Plan plan, boolean seed, long store, int k0, int k1, OutputStream out) throws IOException {
        for (int k = k0; k < k1; k++) {
            if (out != null && buf.length - at < LONGEST_LINE) {
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
