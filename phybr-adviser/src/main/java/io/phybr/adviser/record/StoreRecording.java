package io.phybr.adviser.record;

import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.ReplicaReport;
import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.dump.StockReport;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The recording of one store's report stream (see {@link RunRecorder#store}). The collection thread only copies each
 * report's fields into a {@link MetaBatch}; full batches go to the recorder's writer thread, which encodes them as
 * dump lines with this stream's own {@link DumpWriter} and appends its chunks of whole lines to the dump — the same
 * lines, chunked the same way, as when the collection thread encoded them itself. The hand-off waits while the
 * writer's bounded queue is full (back-pressure: a slow disk slows collection, the heap does not fill). Safe to call
 * from the stream's callback thread while the recorder finishes on another; never throws.
 */
public final class StoreRecording {
    static final StoreRecording NONE = new StoreRecording(null, -1, 0);

    private final RunRecorder recorder;
    private final int id;
    private final long store;
    /** Used on the writer thread only. */
    private final DumpWriter writer;
    /** Guards the batch and {@code ended}; a lock, not a monitor, so the finish can give up waiting for it. */
    private final ReentrantLock lock = new ReentrantLock();
    private MetaBatch batch;
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
     * recording's; its keys may be arrays or slices of a received message (copied here).
     */
    public void seed(SeedReport r) {
        record(r);
    }

    /**
     * Records a stock-TiKV report ({@code recover_data.RegionMeta}) of this store: {@code r}'s store becomes this
     * recording's; its keys may be arrays (null is empty) or slices of a received message (copied here).
     */
    public void stock(StockReport r) {
        record(r);
    }

    /** One report of either protocol, copied into the open batch of its protocol. */
    private void record(ReplicaReport<?> r) {
        if (recorder == null) {
            return;
        }
        lock.lock();
        try {
            if (ended || !recorder.accepting()) {
                return;
            }
            r.store(store);
            if (r instanceof StockReport stock) {
                batchOf(true).stock(stock);
            } else {
                batchOf(false).seed((SeedReport) r);
            }
            recorded();
        } catch (RuntimeException e) {
            recorder.fail(e);
        } finally {
            lock.unlock();
        }
    }

    /** The open batch, for a report of this protocol (a batch of the other one is handed off first). */
    private MetaBatch batchOf(boolean stock) {
        if (batch != null && batch.isStock() != stock) {
            handOff();
        }
        if (batch == null) {
            batch = stock ? MetaBatch.stock() : MetaBatch.seed();
        }
        return batch;
    }

    private void recorded() {
        lines++;
        if (batch.full()) {
            handOff();
        }
    }

    /** Gives the batch to the writer thread (waiting while its queue is full) to encode and append. */
    private void handOff() {
        MetaBatch b = batch;
        batch = null;
        if (b != null && b.size() > 0) {
            recorder.submit(() -> b.writeTo(writer, store));
        }
    }

    /** The store's report is whole: its lines go to disk now. */
    public void complete() {
        if (recorder == null) {
            return;
        }
        lock.lock();
        try {
            if (ended) {
                return;
            }
            flush();
            ended = true;
        } finally {
            lock.unlock();
        }
        recorder.completed(store);
    }

    /**
     * The stream broke off and the collector threw its reports away (the store will report again on
     * a new stream, recorded by a new {@link RunRecorder#store} call): its lines are moved to
     * {@code discarded.jsonl} when the recording finishes.
     */
    public void discard() {
        if (recorder == null) {
            return;
        }
        lock.lock();
        try {
            if (discarded) {
                return;
            }
            flush();
            ended = true;
            discarded = true;
            recorder.discarded(id, store, lines);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The recording ends: what this stream has not handed over yet goes to the writer. Waits for the stream's lock
     * until {@code deadline} (nanoTime) at most — a collection thread may hold it while the writer's queue is full
     * behind a hung write; false if it gave up.
     */
    boolean flushForFinish(long deadline) throws InterruptedException {
        if (!lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            if (!ended) {
                flush();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void flush() {
        if (recorder.failedOrNone()) {
            return;
        }
        handOff();
        recorder.submit(writer::flush);
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

    /** DumpWriter writes whole lines per write call; the writer thread appends each to the dump as one chunk. */
    private final class Chunks extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) {
                recorder.append(id, b, off, len);
            }
        }
    }
}
