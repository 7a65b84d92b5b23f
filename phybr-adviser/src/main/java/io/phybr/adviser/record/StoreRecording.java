package io.phybr.adviser.record;

import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.SeedReport;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The recording of one store's report stream (see {@link RunRecorder#store}): lines are encoded into
 * this stream's own buffer and handed to the recorder's writer in chunks of whole lines. Safe to call
 * from the stream's callback thread while the recorder finishes on another; never throws.
 */
public final class StoreRecording {
    static final StoreRecording NONE = new StoreRecording(null, -1, 0);

    private final RunRecorder recorder;
    private final int id;
    private final long store;
    private final DumpWriter writer;
    private volatile long lines;
    private volatile boolean discarded;
    private boolean ended;

    StoreRecording(RunRecorder recorder, int id, long store) {
        this.recorder = recorder;
        this.id = id;
        this.store = store;
        this.writer = recorder == null ? null : new DumpWriter(new Chunks());
    }

    /** A recording that records nothing. */
    public static StoreRecording none() {
        return NONE;
    }

    /**
     * Records a seed-protocol report ({@code phybr.RegionMeta}) of this store: {@code r}'s store becomes this
     * recording's; its keys may be arrays or slices of a received message.
     */
    public synchronized void seed(SeedReport r) {
        if (ended || recorder == null || !recorder.accepting()) {
            return;
        }
        try {
            writer.writeSeed(r.store(store));
            lines++;
        } catch (IOException | RuntimeException e) {
            recorder.fail(e);
        }
    }

    /** {@link #stock(long, long, long, long, long, long, boolean, byte[], byte[])} with the keys as slices of a received message. */
    public synchronized void stock(long regionId, long peerId, long lastLogTerm, long lastIndex, long commitIndex,
                                   long version, boolean tombstone, byte[] keys, int startOff, int startLen, int endOff,
                                   int endLen) {
        if (ended || recorder == null || !recorder.accepting()) {
            return;
        }
        try {
            writer.writeStock(store, regionId, peerId, lastLogTerm, lastIndex, commitIndex, version, tombstone, keys,
                    startOff, startLen, endOff, endLen);
            lines++;
        } catch (IOException | RuntimeException e) {
            recorder.fail(e);
        }
    }

    /** Records a stock-TiKV report ({@code recover_data.RegionMeta}) of this store. */
    public synchronized void stock(long regionId, long peerId, long lastLogTerm, long lastIndex, long commitIndex,
                                   long version, boolean tombstone, byte[] start, byte[] end) {
        if (ended || recorder == null || !recorder.accepting()) {
            return;
        }
        try {
            writer.writeStock(store, regionId, peerId, lastLogTerm, lastIndex, commitIndex, version, tombstone, start,
                    end);
            lines++;
        } catch (IOException | RuntimeException e) {
            recorder.fail(e);
        }
    }

    /** The store's report is whole: its lines go to disk now. */
    public synchronized void complete() {
        if (ended || recorder == null) {
            return;
        }
        flush();
        ended = true;
        recorder.completed(store);
    }

    /**
     * The stream broke off and the collector threw its reports away (the store will report again on
     * a new stream, recorded by a new {@link RunRecorder#store} call): its lines are moved to
     * {@code discarded.jsonl} when the recording finishes.
     */
    public synchronized void discard() {
        if (recorder == null || discarded) {
            return;
        }
        flush();
        ended = true;
        discarded = true;
        recorder.discarded(id, store, lines);
    }

    synchronized void flushForFinish() {
        if (!ended) {
            flush();
        }
    }

    private void flush() {
        if (recorder.failedOrNone()) {
            return;
        }
        try {
            writer.flush();
        } catch (IOException | RuntimeException e) {
            recorder.fail(e);
        }
    }

    public long store() {
        return store;
    }

    /** Replicas recorded on this stream. */
    public long lines() {
        return lines;
    }

    boolean isDiscarded() {
        return discarded;
    }

    /** DumpWriter writes whole lines per write call; each becomes one chunk for the writer thread. */
    private final class Chunks extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > 0) {
                recorder.chunk(id, Arrays.copyOfRange(b, off, off + len));
            }
        }
    }
}
