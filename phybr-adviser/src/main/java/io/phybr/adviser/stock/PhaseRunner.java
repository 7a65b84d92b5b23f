package io.phybr.adviser.stock;

import io.phybr.adviser.text.Texts;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.pd.Backoff;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.progress.PhaseProgress;
import java.time.Duration;
import java.time.Instant;
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
import java.util.function.Consumer;
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
    private volatile Consumer<PhaseProgress> listener = p -> { };
    private volatile Consumer<PhaseProgress> live = p -> { };
    static final long LIVE_INTERVAL_MS = 1000;

    PhaseRunner(ExecutorService pool, ScheduledExecutorService ticker, Duration progressInterval, RetryPolicy retry,
                Function<PdStore, ManagedChannel> channels) {
        this.pool = pool;
        this.ticker = ticker;
        this.progressInterval = progressInterval;
        this.retry = retry;
        this.channels = channels;
    }

    /** Runs the phase on every store; fails as a whole, naming every store that did not finish. */
    void run(Phase phase, String unit, List<PdStore> stores, Duration timeout, StoreTask task) throws PhaseFailure {
        Map<Long, StoreResult> results = runAll(phase, unit, stores, timeout, task);
        List<String> failures = new ArrayList<>();
        boolean allTimedOut = true;
        for (PdStore s : stores) {
            StoreResult r = results.get(s.id());
            if (r.failure() != null) {
                allTimedOut &= r.timedOut();
                failures.add(r.failure());
            }
        }
        if (!failures.isEmpty()) {
            throw new PhaseFailure(allTimedOut ? ExitCode.TIMEOUT : ExitCode.FAILURE,
                    StockTexts.phaseFailed(phase, failures.size(), stores.size(), failures));
        }
    }

    /** Runs the phase on every store and returns how each ended (by store id), whatever the others did. */
    Map<Long, StoreResult> runAll(Phase phase, String unit, List<PdStore> stores, Duration timeout, StoreTask task)
            throws PhaseFailure {
        Map<Long, StoreResult> results = new TreeMap<>();
        if (stores.isEmpty()) {
            return results;
        }
        Deadline deadline = Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<Long, Progress> progress = new ConcurrentHashMap<>();
        stores.forEach(s -> progress.put(s.id(), new Progress()));
        long t0 = System.nanoTime();
        PhaseProgress first = snapshot(phase, unit, stores, progress, t0, false);
        listener.accept(first);
        live.accept(first);
        // A tick already running when the phase ends must not overwrite the final snapshot: both take this lock.
        boolean[] ended = {false};
        ScheduledFuture<?> tick = ticker.scheduleAtFixedRate(() -> logProgress(phase, unit, stores, progress, t0, ended),
                progressInterval.toMillis(), progressInterval.toMillis(), TimeUnit.MILLISECONDS);
        // the progress bar and metrics move every second, whatever the log's interval
        long liveEvery = Math.min(LIVE_INTERVAL_MS, progressInterval.toMillis());
        ScheduledFuture<?> liveTick = ticker.scheduleAtFixedRate(() -> {
            synchronized (ended) {
                if (!ended[0]) {
                    live.accept(snapshot(phase, unit, stores, progress, t0, false));
                }
            }
        }, liveEvery, liveEvery, TimeUnit.MILLISECONDS);
        Map<Long, Future<StoreResult>> futures = new TreeMap<>();
        try {
            for (PdStore s : stores) {
                futures.put(s.id(), pool.submit(() -> runStore(phase, unit, s, deadline, progress.get(s.id()), task)));
            }
            for (PdStore s : stores) {
                StoreResult r;
                try {
                    r = futures.get(s.id()).get(deadline.timeRemaining(TimeUnit.MILLISECONDS) + 30_000, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    r = StoreResult.timedOut(StockTexts.storeDidNotFinish(s, timeout));
                } catch (ExecutionException e) {
                    r = StoreResult.failed(StockTexts.storeInternal(s, e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PhaseFailure(ExitCode.FAILURE, phase + " interrupted");
                }
                results.put(s.id(), r);
            }
            synchronized (ended) {
                ended[0] = true;
                PhaseProgress last = snapshot(phase, unit, stores, progress, t0, true);
                listener.accept(last);
                live.accept(last);
            }
            if (results.values().stream().allMatch(r -> r.failure() == null)) {
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                LOG.atInfo().addKeyValue("phase", phase.label()).addKeyValue("stores_done", stores.size())
                        .addKeyValue("stores_total", stores.size()).addKeyValue("duration_ms", took.toMillis())
                        .log("{}: all {} stores done in {}", phase, stores.size(), Texts.elapsed(took));
            }
            return results;
        } finally {
            tick.cancel(false);
            liveTick.cancel(false);
            futures.values().forEach(f -> f.cancel(true));
        }
    }

    /** How one store's part ended: {@code failure} is null on success. */
    record StoreResult(String failure, boolean timedOut) {
        static final StoreResult DONE = new StoreResult(null, false);

        static StoreResult failed(String why) {
            return new StoreResult(why, false);
        }

        static StoreResult timedOut(String why) {
            return new StoreResult(why, true);
        }
    }

    /** Runs one store's part with retries. */
    private StoreResult runStore(Phase phase, String unit, PdStore s, Deadline deadline, Progress p, StoreTask task) {
        long backoff = retry.initialBackoff().toMillis();
        String name = StockTexts.store(s);
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
                LOG.atInfo().addKeyValue("phase", phase.label()).addKeyValue("store", s.id()).addKeyValue("count", p.count.get())
                        .addKeyValue("unit", unit).addKeyValue("attempt", attempt)
                        .log("{}: {} done ({} {}{})", phase, name, p.count.get(), unit, attempt > 1 ? ", attempt " + attempt : "");
                return StoreResult.DONE;
            } catch (StatusRuntimeException e) {
                Status st = e.getStatus();
                if (st.getCode() == Status.Code.DEADLINE_EXCEEDED || deadline.isExpired()) {
                    p.state = "timed out";
                    return StoreResult.timedOut(StockTexts.storeTimedOut(s, phase, attempt, p.count.get(), unit));
                }
                java.util.Optional<String> tls = io.phybr.adviser.tls.TlsFailure.explain(e);
                if (tls.isPresent()) { // the same files fail the same way on every attempt: never retried
                    p.state = "failed";
                    return StoreResult.failed(StockTexts.storeTls(s, tls.get()));
                }
                if (st.getCode() == Status.Code.UNIMPLEMENTED) {
                    p.state = "failed";
                    return StoreResult.failed(StockTexts.notInRecoveryMode(s));
                }
                why = st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription());
                isTransient = RetryPolicy.transientCode(st.getCode());
            } catch (StoreError e) {
                why = "the store answered with an error: " + e.getMessage();
                isTransient = true;
            } catch (StoreFailure e) {
                p.state = e.timedOut() ? "timed out" : "failed";
                return e.timedOut() ? StoreResult.timedOut(e.getMessage()) : StoreResult.failed(e.getMessage());
            } catch (Exception e) {
                p.state = "failed";
                return StoreResult.failed(name + ": " + e);
            }
            if (!isTransient) {
                p.state = "failed";
                return StoreResult.failed(StockTexts.storeFailed(s, why));
            }
            long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
            if (attempt >= retry.attempts() || left <= backoff) {
                p.state = "failed";
                return StoreResult.failed(StockTexts.storeGaveUp(s, attempt, why));
            }
            p.state = "retrying";
            LOG.atWarn().addKeyValue("phase", phase.label()).addKeyValue("store", s.id()).addKeyValue("attempt", attempt)
                    .addKeyValue("backoff_ms", backoff)
                    .log("{}: {} attempt {}/{} failed ({}); retrying in {} ms", phase, name, attempt, retry.attempts(), why, backoff);
            ch.resetConnectBackoff();
            Backoff.pause(backoff);
            if (Thread.currentThread().isInterrupted()) {
                return StoreResult.failed(name + ": interrupted");
            }
            backoff = Math.min(retry.maxBackoff().toMillis(), backoff * 2);
        }
    }

    /** Where a snapshot goes every second (the progress bar, metrics); nowhere by default. */
    void onLiveProgress(Consumer<PhaseProgress> live) {
        this.live = live;
    }

    /** Where each progress snapshot also goes ({@code --progress-file}); nowhere by default. */
    void onProgress(Consumer<PhaseProgress> listener) {
        this.listener = listener;
    }

    private PhaseProgress snapshot(Phase phase, String unit, List<PdStore> stores, Map<Long, Progress> progress, long t0,
                                   boolean finished) {
        List<PhaseProgress.StoreProgress> each = new ArrayList<>();
        int done = 0;
        long count = 0;
        for (PdStore s : stores) {
            Progress p = progress.get(s.id());
            done += "done".equals(p.state) ? 1 : 0;
            count += p.count.get();
            each.add(new PhaseProgress.StoreProgress(s.id(), p.state, p.count.get(), p.attempt));
        }
        return new PhaseProgress(phase.label(), unit, done, stores.size(), count,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), finished, each, Instant.now());
    }

    /** One plain line per tick (what an operator watching a terminal or a log file reads), and the listener. */
    private void logProgress(Phase phase, String unit, List<PdStore> stores, Map<Long, Progress> progress, long t0,
                             boolean[] ended) {
        synchronized (ended) {
            if (!ended[0]) {
                logProgress(phase, unit, stores, progress, t0);
            }
        }
    }

    private void logProgress(Phase phase, String unit, List<PdStore> stores, Map<Long, Progress> progress, long t0) {
        PhaseProgress snap = snapshot(phase, unit, stores, progress, t0, false);
        StringBuilder sb = new StringBuilder();
        for (PhaseProgress.StoreProgress p : snap.stores()) {
            sb.append("; store ").append(p.store()).append(' ').append(p.state()).append(' ').append(p.count()).append(' ').append(unit);
            if (p.attempt() > 1) {
                sb.append(" (attempt ").append(p.attempt()).append(')');
            }
        }
        String eta = snap.etaMillis().isPresent() ? ", about " + Texts.elapsed(Duration.ofMillis(snap.etaMillis().getAsLong())) + " left" : "";
        LOG.atInfo().addKeyValue("phase", phase.label()).addKeyValue("stores_done", snap.storesDone())
                .addKeyValue("stores_total", snap.storesTotal()).addKeyValue("count", snap.count()).addKeyValue("unit", unit)
                .addKeyValue("per_second", Math.round(snap.perSecond())).addKeyValue("elapsed_ms", snap.elapsedMillis())
                .addKeyValue("eta_ms", snap.etaMillis().isPresent() ? snap.etaMillis().getAsLong() : null)
                .log("{}: {}/{} stores done, {} {} ({}/s), {} elapsed{}{}", phase, snap.storesDone(), snap.storesTotal(),
                        snap.count(), unit, Math.round(snap.perSecond()), Texts.elapsed(Duration.ofMillis(snap.elapsedMillis())), eta, sb);
        listener.accept(snap);
    }
}
