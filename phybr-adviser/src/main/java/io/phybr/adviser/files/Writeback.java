package io.phybr.adviser.files;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * Starts the disk writes of a large file while it is still being written: every {@code step} bytes, a background
 * thread forces what was written so far to disk ({@code fdatasync}), so the force that makes the whole file durable
 * before {@link AtomicFiles} renames it into place waits for the last step only. Without it a 1M-region plan
 * (210 MB) sat in the page cache until that one force, which took 80 ms at the very end of the command.
 *
 * <p>One force at a time; a step reached while one is in flight waits for the next write after it ends. A failed
 * background force fails the write (the next write or {@link #finish} throws it): after a failed {@code fsync},
 * Linux may report the next one as a success although the data never reached the disk.
 */
final class Writeback extends FilterOutputStream {
    /** Forces the file's data written so far to disk. */
    @FunctionalInterface
    interface Force {
        void force() throws IOException;
    }

    /** 32 MiB: a handful of forces for a plan of hundreds of MB, none for the small files the tools write. */
    static final long STEP = 32L << 20;

    private final Force force;
    private final long step;
    private long sinceForce;
    private Thread inFlight;
    private volatile IOException failure;

    Writeback(OutputStream out, Force force, long step) {
        super(out);
        this.force = force;
        this.step = step;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        wrote(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        wrote(len);
    }

    private void wrote(int n) throws IOException {
        throwFailure();
        sinceForce += n;
        if (sinceForce >= step && (inFlight == null || !inFlight.isAlive())) {
            sinceForce = 0;
            inFlight = new Thread(() -> {
                try {
                    force.force();
                } catch (IOException e) {
                    failure = e;
                }
            }, "writeback");
            inFlight.setDaemon(true);
            inFlight.start();
        }
    }

    /** Waits for the force in flight; throws the failure of any background force. */
    void finish() throws IOException {
        await();
        throwFailure();
    }

    /** Waits for the force in flight (before the file is closed or deleted), whatever it did. */
    void await() throws InterruptedIOException {
        Thread t = inFlight;
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the file was forced to disk");
        }
    }

    private void throwFailure() throws IOException {
        IOException e = failure;
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        flush(); // the channel is AtomicFiles's to close, after the last force
    }
}
