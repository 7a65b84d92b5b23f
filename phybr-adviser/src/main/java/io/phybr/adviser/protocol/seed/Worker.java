package io.phybr.adviser.protocol.seed;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The session's one daemon thread: its timers and the planner run here, never on a gRPC thread. */
final class Worker {
    private final ScheduledExecutorService executor;

    Worker(String name) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    ScheduledFuture<?> schedule(Runnable task, Duration after) {
        return executor.schedule(task, after.toNanos(), TimeUnit.NANOSECONDS);
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    /** Stops the thread (interrupting a running task) and waits for it, at most five seconds. */
    void stop() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean terminated() {
        return executor.isTerminated();
    }
}
