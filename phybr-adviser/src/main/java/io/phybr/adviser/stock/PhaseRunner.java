package io.phybr.adviser.stock;

import io.phybr.adviser.text.Texts;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.phybr.adviser.ExitCode;
import io.phybr.adviser.pd.Backoff;
import io.phybr.adviser.pd.PdStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one phase on many stores: at most {@code concurrency} stores at a time (the pool's size),
 * each store's part retried on transient errors with backoff inside the phase deadline, per-store
 * progress logged while it runs. A phase fails as a whole, naming every store that did not finish.
 */
final class PhaseRunner {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    /** One store's part of a phase; throwing a transient error makes it run again from the start. */
    @FunctionalInterface
    interface StoreTask {
        void run(PdStore store, ManagedChannel channel, Deadline deadline, Progress progress) throws Exception;
    }

    /** What a store's part has done so far, for the progress log. */
    static final class Progress {
        final AtomicLong count = new AtomicLong();
        volatile long extra;
        volatile int attempt = 1;
        volatile String state = "waiting";
    }

    private final ExecutorService pool;
    private final ScheduledExecutorService ticker;
    private final Duration progressInterval;
    private final RetryPolicy retry;
    private final Function<PdStore, ManagedChannel> channels;

    PhaseRunner(ExecutorService pool, ScheduledExecutorService ticker, Duration progressInterval, RetryPolicy retry,
                Function<PdStore, ManagedChannel> channels) {
        this.pool = pool;
        this.ticker = ticker;
        this.progressInterval = progressInterval;
        this.retry = retry;
        this.channels = channels;
    }

    void run(String phase, String unit, List<PdStore> stores, Duration timeout, StoreTask task) throws PhaseFailure {
        if (stores.isEmpty()) {
            return;
        }
        Deadline deadline = Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<Long, Progress> progress = new ConcurrentHashMap<>();
        stores.forEach(s -> progress.put(s.id(), new Progress()));
        long t0 = System.nanoTime();
        ScheduledFuture<?> tick = ticker.scheduleAtFixedRate(() -> logProgress(phase, unit, stores, progress),
                progressInterval.toMillis(), progressInterval.toMillis(), TimeUnit.MILLISECONDS);
        Map<Long, Future<String>> futures = new TreeMap<>();
        try {
            for (PdStore s : stores) {
                futures.put(s.id(), pool.submit(() -> runStore(phase, unit, s, deadline, progress.get(s.id()), task)));
            }
            List<String> failures = new ArrayList<>();
            boolean timedOut = false;
            for (PdStore s : stores) {
                String failure;
                try {
                    failure = futures.get(s.id()).get(deadline.timeRemaining(TimeUnit.MILLISECONDS) + 30_000, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    failure = "TIMEOUT:store " + s.id() + " (" + s.address() + ") did not finish within " + Texts.duration(timeout);
                } catch (ExecutionException e) {
                    failure = "store " + s.id() + " (" + s.address() + "): internal error " + e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PhaseFailure(ExitCode.FAILURE, phase + " interrupted");
                }
                if (failure != null) {
                    if (failure.startsWith("TIMEOUT:")) {
                        timedOut = true;
                        failure = failure.substring(8);
                    }
                    failures.add(failure);
                }
            }
            if (!failures.isEmpty()) {
                int done = stores.size() - failures.size();
                throw new PhaseFailure(timedOut && failures.stream().allMatch(f -> f.contains("within")) ? ExitCode.TIMEOUT : ExitCode.FAILURE,
                        phase + " failed on " + failures.size() + " of " + stores.size() + " stores (" + done
                                + " finished): " + String.join("; ", failures) + ".");
            }
            LOG.info("{}: all {} stores done in {}", phase, stores.size(), Texts.elapsed(Duration.ofNanos(System.nanoTime() - t0)));
        } finally {
            tick.cancel(false);
            futures.values().forEach(f -> f.cancel(true));
        }
    }

    /** Runs one store's part with retries; returns null on success or the failure sentence. */
    private String runStore(String phase, String unit, PdStore s, Deadline deadline, Progress p, StoreTask task) {
        long backoff = retry.initialBackoff().toMillis();
        String name = "store " + s.id() + " (" + s.address() + ")";
        for (int attempt = 1; ; attempt++) {
            p.attempt = attempt;
            p.state = "running";
            p.count.set(0);
            String why;
            boolean isTransient;
            ManagedChannel ch = channels.apply(s);
            try {
                task.run(s, ch, deadline, p);
                p.state = "done";
                LOG.info("{}: {} done ({} {}{})", phase, name, p.count.get(), unit, attempt > 1 ? ", attempt " + attempt : "");
                return null;
            } catch (StatusRuntimeException e) {
                Status st = e.getStatus();
                if (st.getCode() == Status.Code.DEADLINE_EXCEEDED || deadline.isExpired()) {
                    p.state = "timed out";
                    return "TIMEOUT:" + name + " did not finish within the " + phase + " timeout (attempt " + attempt
                            + ", " + p.count.get() + " " + unit + " so far)";
                }
                if (st.getCode() == Status.Code.UNIMPLEMENTED) {
                    p.state = "failed";
                    return name + " does not serve recover_data.RecoverData: it is not in recovery mode (was PD marked"
                            + " snapshot-recovering before the TiKV started?)";
                }
                why = st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription());
                isTransient = RetryPolicy.transientCode(st.getCode());
            } catch (StoreError e) {
                why = "the store answered with an error: " + e.getMessage();
                isTransient = true;
            } catch (Exception e) {
                p.state = "failed";
                return name + ": " + e;
            }
            if (!isTransient) {
                p.state = "failed";
                return name + " failed: " + why;
            }
            long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
            if (attempt >= retry.attempts() || left <= backoff) {
                p.state = "failed";
                String reach = why.startsWith("UNAVAILABLE") ? " is unreachable" : " kept failing";
                return name + reach + " after " + attempt + " attempts (last: " + why + ")";
            }
            p.state = "retrying";
            LOG.warn("{}: {} attempt {}/{} failed ({}); retrying in {} ms", phase, name, attempt, retry.attempts(), why, backoff);
            ch.resetConnectBackoff();
            Backoff.pause(backoff);
            if (Thread.currentThread().isInterrupted()) {
                return name + ": interrupted";
            }
            backoff = Math.min(retry.maxBackoff().toMillis(), backoff * 2);
        }
    }

    private static void logProgress(String phase, String unit, List<PdStore> stores, Map<Long, Progress> progress) {
        StringBuilder sb = new StringBuilder();
        int done = 0;
        for (PdStore s : stores) {
            Progress p = progress.get(s.id());
            if ("done".equals(p.state)) {
                done++;
            }
            sb.append("; store ").append(s.id()).append(' ').append(p.state).append(' ').append(p.count.get()).append(' ').append(unit);
            if (p.attempt > 1) {
                sb.append(" (attempt ").append(p.attempt).append(')');
            }
        }
        LOG.info("{}: {}/{} stores done{}", phase, done, stores.size(), sb);
    }
}
