package io.phybr.adviser.record;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The recorder's one writer thread: tasks run in the order they were handed over, through a bounded queue, so a slow
 * disk slows the producers down rather than filling the heap. A task that throws is reported to the recorder, which
 * then fails the recording; after that nothing more is taken.
 */
final class RecordWriter {
    @FunctionalInterface
    interface Task {
        void run() throws IOException;
    }

    private static final Task STOP = () -> { };

    private final BlockingQueue<Task> queue;
    private final Thread thread;
    private final BooleanSupplier failed;
    private final Consumer<Throwable> fail;

    RecordWriter(int capacity, BooleanSupplier failed, Consumer<Throwable> fail) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.failed = failed;
        this.fail = fail;
        this.thread = new Thread(this::loop, "phybr-recorder");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean alive() {
        return thread.isAlive();
    }

    /** Hands {@code t} to the thread, waiting while the queue is full; nothing once the recording failed. */
    void submit(Task t) {
        if (failed.getAsBoolean()) {
            return;
        }
        try {
            queue.put(t);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail.accept(new IOException("interrupted while handing a record to the writer"));
        }
    }

    /**
     * Hands {@code t} to the thread, waiting while the queue is full until {@code deadline} (nanoTime) at most:
     * whether it was taken (true also once the recording failed: nothing is taken then).
     */
    boolean submit(Task t, long deadline) throws InterruptedException {
        return failed.getAsBoolean() || queue.offer(t, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * The tasks handed over so far run, then the thread ends; waits for it until {@code deadline} (nanoTime) at most:
     * whether it ended.
     */
    boolean stopAndJoin(long deadline) throws InterruptedException {
        if (!queue.offer(STOP, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return false; // the queue stayed full: the thread is stuck in a write
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        return !thread.isAlive();
    }

    /**
     * Drops the queued tasks and lets the thread end (after a failure: unblocks producers, nobody submits after
     * this; a thread waiting for work ends now instead of at the finish).
     */
    void clear() {
        queue.clear();
        queue.offer(STOP);
    }

    private void loop() {
        while (!failed.getAsBoolean()) {
            Task t;
            try {
                t = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (t == STOP) {
                return;
            }
            try {
                t.run();
            } catch (IOException | RuntimeException e) {
                fail.accept(e);
            }
        }
    }
}
