package io.phybr.contract.dump;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The result of a chunk that a worker thread read or encoded (the dump reader's parse, the plan writer's encode):
 * the worker's exception rethrown as the caller's own. An {@link Error} passes as it is — OutOfMemoryError above all,
 * which the command turns into its heap diagnosis — a RuntimeException too; anything else becomes an IOException.
 */
public final class ChunkResults {
    private ChunkResults() {
    }

    /** Waits for {@code f}; {@code doing} names the work for an interrupt ("reading the dump"). */
    public static <T> T await(Future<T> f, String doing) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + doing);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error err) {
                throw err;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }
}
