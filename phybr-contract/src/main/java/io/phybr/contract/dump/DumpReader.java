package io.phybr.contract.dump;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Streams a dump (SPEC §6) into a {@link ReplicaSink} (the adviser's planner table). The input is read
 * in large blocks cut at line boundaries, and the blocks are parsed from bytes on every core
 * ({@link LineScanner}) while the next ones are read; rows reach the sink in file order, block by
 * block, so only a few blocks are ever held and standard input streams. A line the fast path cannot
 * take is judged by the general JSON parser ({@link JsonDumpParser}): alone if it is a whole line of
 * plain ASCII, else by handing it the rest of the input from that line on, so a malformed line gets
 * exactly the diagnosis the general parser gives.
 */
public final class DumpReader {
    /** 4 MiB less a little, so that a block with its array header fills two G1 regions of 2 MiB, not three. */
    private static final int BLOCK = (4 << 20) - 64;
    /**
     * A line this many blocks long (64 MiB) is no dump line: rather than buffer it, the general parser streams
     * it and says what it is.
     */
    private static final int LONGEST_LINE_BLOCKS = 16;
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** Blocks read ahead of the one being handed to the sink: enough to keep every worker busy. */
    private static final int AHEAD = 2 * THREADS + 1;

    private DumpReader() {
    }

    /** Reads every line into {@code table}; returns the number of replicas read. */
    public static long read(InputStream in, ReplicaSink table) throws IOException {
        return new Pipeline(in, table, null, BLOCK).run();
    }

    /**
     * {@link #read} (or, with a {@code tornWarning}, {@link #readRecording}) of an input of about
     * {@code inputBytes} bytes (a file's size): {@code table} is told how many rows to expect once the first
     * block shows how long its lines are.
     */
    public static long read(InputStream in, long inputBytes, ReplicaSink table, Consumer<String> tornWarning)
            throws IOException {
        Pipeline p = new Pipeline(in, table, tornWarning, BLOCK);
        p.inputBytes = inputBytes;
        return p.run();
    }

    /**
     * Reads a recording ({@code reports.jsonl} of a recorded run), which a crash or a full disk may
     * have cut short: a last line that ends without a newline in the middle of its JSON object is
     * skipped, and {@code warning} is told which line and why. Every other malformed line is still a
     * {@link DumpFormatException}.
     */
    public static long readRecording(InputStream in, ReplicaSink table, Consumer<String> warning) throws IOException {
        return new Pipeline(in, table, Objects.requireNonNull(warning, "warning"), BLOCK).run();
    }

    /** {@link #read} or, with {@code tornWarning}, {@link #readRecording}, in blocks of {@code block} bytes (tests). */
    static long read(InputStream in, ReplicaSink table, Consumer<String> tornWarning, int block) throws IOException {
        return new Pipeline(in, table, tornWarning, block).run();
    }

    /** Reads with the general parser only (what every line would get without the fast path); for tests and benchmarks. */
    public static long readGeneral(InputStream in, ReplicaSink table, Consumer<String> tornWarning) throws IOException {
        return JsonDumpParser.readFrom(in, 1, 0, table, tornWarning);
    }

    /** A block of whole lines as read, and the parse of it under way. */
    private record Pending(byte[] bytes, int length, Future<LineScanner.Result> parse) {
    }

    private static final class Pipeline {
        private final InputStream in;
        private final ReplicaSink sink;
        private final Consumer<String> tornWarning;
        private final ArrayDeque<Pending> ahead = new ArrayDeque<>();
        /**
         * Blocks and batches the sink is done with, reused: a new 4 MiB block per block read is a humongous
         * allocation for G1 (its regions are 1 MiB under -Xmx2g), and each one started a concurrent marking cycle.
         */
        private final ArrayDeque<byte[]> freeBlocks = new ArrayDeque<>();
        private final ArrayDeque<ReplicaBatch> freeBatches = new ArrayDeque<>();
        /** Bytes read after the last newline of the last block: the start of the next block's first line. */
        private byte[] carry = new byte[0];
        private int carryLength;
        private boolean eof;
        private long line = 1;
        private long count;
        /** The length of the block {@link #nextBlock} returned last. */
        private int blockLength;

        private final int block;
        /** The input's size if known (else 0), to tell the sink how many rows to expect. */
        private long inputBytes;

        Pipeline(InputStream in, ReplicaSink sink, Consumer<String> tornWarning, int block) {
            this.block = block;
            this.in = in;
            this.sink = sink;
            this.tornWarning = tornWarning;
        }

        long run() throws IOException {
            ExecutorService workers = Executors.newFixedThreadPool(THREADS, r -> {
                Thread t = new Thread(r, "dump-reader");
                t.setDaemon(true);
                return t;
            });
            try {
                while (true) {
                    byte[] next = eof ? null : nextBlock();
                    if (next == null && carryLength > 0 && !eof) {
                        return handOver(null);
                    }
                    if (next != null) {
                        int length = blockLength;
                        ReplicaBatch batch = freeBatches.isEmpty() ? new ReplicaBatch(length / 160, length / 4)
                                : freeBatches.poll();
                        ahead.add(new Pending(next, length, workers.submit(() -> LineScanner.scan(next, length, batch))));
                    }
                    while (!ahead.isEmpty() && (next == null || ahead.size() > AHEAD || ahead.peek().parse().isDone())) {
                        Pending p = ahead.poll();
                        LineScanner.Result r = ChunkResults.await(p.parse(), "reading the dump");
                        if (count == 0 && inputBytes > p.length() && r.rows.size() > 0) {
                            double bytesPerRow = (double) p.length() / r.rows.size();
                            sink.expect((long) ((inputBytes - p.length()) / bytesPerRow * 1.02) + r.rows.size() + 16);
                        }
                        sink.addAll(r.rows);
                        count += r.rows.size();
                        if (r.stoppedAt >= 0) {
                            line += r.lines;
                            return handOver(new ByteArrayInputStream(p.bytes(), r.stoppedAt, p.length() - r.stoppedAt));
                        }
                        line += r.lines;
                        if (p.bytes().length == block) {
                            freeBlocks.add(p.bytes());
                        }
                        r.rows.clear();
                        freeBatches.add(r.rows);
                    }
                    if (next == null) {
                        return count;
                    }
                }
            } finally {
                workers.shutdownNow();
            }
        }

        /**
         * The next block of whole lines (its last line without a newline only at the end of the input), or null at
         * the end of the input, or null with {@link #carry} holding a line of {@link #LONGEST_LINE_BLOCKS} blocks.
         */
        private byte[] nextBlock() throws IOException {
            byte[] b = carryLength * 2 <= block && !freeBlocks.isEmpty() ? freeBlocks.poll()
                    : new byte[Math.max(block, carryLength * 2)];
            System.arraycopy(carry, 0, b, 0, carryLength);
            int n = carryLength;
            int scanned = carryLength;
            while (true) {
                int r = in.read(b, n, b.length - n);
                if (r < 0) {
                    eof = true;
                    carryLength = 0;
                    blockLength = n;
                    return n == 0 ? null : b;
                }
                n += r;
                if (n < b.length) {
                    continue;
                }
                int nl = lastNewline(b, scanned, n);
                if (nl >= 0) {
                    carryLength = n - nl - 1;
                    carry = java.util.Arrays.copyOfRange(b, nl + 1, n);
                    blockLength = nl + 1;
                    return b;
                }
                scanned = n;
                if (n >= (long) block * LONGEST_LINE_BLOCKS) {
                    carry = b;
                    carryLength = n;
                    return null;
                }
                b = java.util.Arrays.copyOf(b, n * 2);
            }
        }

        private static int lastNewline(byte[] b, int from, int to) {
            for (int i = to - 1; i >= from; i--) {
                if (b[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        /**
         * The general parser reads the rest of the input from line {@link #line} on: {@code stopped} (where the fast
         * path stopped in its block, if it did), then every block read ahead, the carry and the stream.
         */
        private long handOver(InputStream stopped) throws IOException {
            List<InputStream> rest = new ArrayList<>();
            if (stopped != null) {
                rest.add(stopped);
            }
            for (Pending p : ahead) {
                rest.add(new ByteArrayInputStream(p.bytes(), 0, p.length()));
            }
            ahead.clear();
            if (carryLength > 0) {
                rest.add(new ByteArrayInputStream(carry, 0, carryLength));
            }
            rest.add(in);
            return JsonDumpParser.readFrom(new SequenceInputStream(Collections.enumeration(rest)), line, count, sink,
                    tornWarning);
        }

    }
}
