package io.phybr.adviser.record;

import io.phybr.adviser.files.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A run directory's {@code reports.jsonl} as the recorder's writer thread appends it: chunks of whole lines in
 * arrival order, each remembered with its sink (one store's stream), so that at the end the chunks of discarded
 * streams move to {@code discarded.jsonl}. Used from the writer thread only ({@link #abort} also after a failure,
 * when the writer has stopped).
 */
final class DumpFile {
    private static final String DUMP = RunRecorder.DUMP;
    private static final String DISCARDED = RunRecorder.DISCARDED;

    private final Path dir;
    private final FileChannel channel;
    private long position;
    private final List<long[]> ranges = new ArrayList<>(); // {sink, offset, length}
    private final TreeSet<Integer> discardedSinks = new TreeSet<>();

    DumpFile(Path dir, FileChannel channel) {
        this.dir = dir;
        this.channel = channel;
    }

    /** Appends one chunk of {@code sink}'s lines. */
    void append(int sink, byte[] bytes, int off, int len) throws IOException {
        if (!channel.isOpen()) {
            return; // a straggler after the end of the recording
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, off, len);
        long at = position;
        while (buf.hasRemaining()) {
            position += channel.write(buf);
        }
        ranges.add(new long[] {sink, at, len});
    }

    /** {@code sink}'s stream broke off: its chunks go to discarded.jsonl when the file closes. */
    void discard(int sink) {
        discardedSinks.add(sink);
    }

    /** Closes the file as it is (a failed recording). */
    void abort() throws IOException {
        channel.close();
    }

    /** Forces and closes the file, then moves the discarded streams' chunks out of it. */
    void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        channel.force(false);
        channel.close();
        if (!discardedSinks.isEmpty()) {
            moveDiscarded();
        }
    }

    /** Rewrites the dump without the discarded streams' chunks; those go to discarded.jsonl. */
    private void moveDiscarded() throws IOException {
        Path main = dir.resolve(DUMP);
        Path tmp = dir.resolve(DUMP + ".tmp");
        boolean moved = false;
        try (FileChannel in = FileChannel.open(main, StandardOpenOption.READ);
             FileChannel keep = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING);
             FileChannel gone = FileChannel.open(dir.resolve(DISCARDED), StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long[] r : ranges) { // in file order
                FileChannel to = discardedSinks.contains((int) r[0]) ? gone : keep;
                long done = 0;
                while (done < r[2]) {
                    done += in.transferTo(r[1] + done, r[2] - done, to);
                }
            }
            keep.force(false);
            AtomicFiles.move(tmp, main);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp); // never a stray .tmp beside the recording
            }
        }
    }
}
