package io.phybr.adviser.record;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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

    /** The tasks handed over so far run, then the thread ends; waits for it at most {@code max}: whether it ended. */
    boolean stopAndJoin(Duration max) throws InterruptedException {
        submit(STOP);
        thread.join(max.toMillis());
        return !thread.isAlive();
    }

    /** Drops the queued tasks (after a failure: unblocks producers; nobody submits after this). */
    void clear() {
        queue.clear();
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
