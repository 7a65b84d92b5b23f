package io.phybr.adviser.flashback;

import io.grpc.Deadline;
import io.phybr.adviser.progress.PhaseProgress;
import io.phybr.adviser.text.Texts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Stage} over every span, {@code concurrency} spans at a time (BR's range task runner runs the
 * flashback with its concurrency), with progress by region count every {@code progressInterval} to the log and the
 * progress listener. Ends when every span is done, or throws {@link StageFailed} naming every region that stuck.
 */
final class StageRunner {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    /** The stage did not finish; the message is the operator's paragraph. */
    static final class StageFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean timedOut;

        StageFailed(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }
    }

    /** What a finished stage did. */
    record Result(int spans, long pieces, long retries) {}

    private final PdRoutes pd;
    private final RegionCalls calls;
    private final RegionWalk.Policy policy;
    private final UnaryOperator<byte[]> requestKey;
    private final ScheduledExecutorService ticker;
    private final Duration progressInterval;
    private final Consumer<PhaseProgress> listener;
    private final Runnable leaderless;

    StageRunner(PdRoutes pd, RegionCalls calls, RegionWalk.Policy policy, UnaryOperator<byte[]> requestKey,
                ScheduledExecutorService ticker, Duration progressInterval, Consumer<PhaseProgress> listener,
                Runnable leaderless) {
        this.leaderless = leaderless;
        this.pd = pd;
        this.calls = calls;
        this.policy = policy;
        this.requestKey = requestKey;
        this.ticker = ticker;
        this.progressInterval = progressInterval;
        this.listener = listener;
    }

    Result run(Stage stage, List<Span> spans, FlashbackTs ts, Duration timeout, int concurrency)
            throws StageFailed, RegionWalk.Unimplemented {
        Deadline deadline = Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Counts counts = new Counts(stage, spans.size());
        RegionWalk walk = new RegionWalk(pd, calls, policy, stage, ts, deadline, requestKey, counts);
        List<RegionWalk.Stuck> stuck = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<RegionWalk.Unimplemented> unimplemented = new AtomicReference<>();
        AtomicInteger next = new AtomicInteger();
        int threads = Math.max(1, Math.min(concurrency, spans.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemon("phybr-" + stage.label()));
        long t0 = System.nanoTime();
        listener.accept(counts.snapshot(t0, false));
        ScheduledFuture<?> tick = ticker.scheduleAtFixedRate(() -> counts.log(t0), progressInterval.toMillis(),
                progressInterval.toMillis(), TimeUnit.MILLISECONDS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                workers.add(pool.submit(() -> {
                    for (int i; unimplemented.get() == null && (i = next.getAndIncrement()) < spans.size(); ) {
                        try {
                            walk.walk(spans.get(i)).ifPresentOrElse(stuck::add, counts.spansDone::incrementAndGet);
                        } catch (RegionWalk.Unimplemented e) {
                            unimplemented.compareAndSet(null, e);
                        }
                    }
                }));
            }
            for (Future<?> f : workers) {
                try {
                    f.get(deadline.timeRemaining(TimeUnit.MILLISECONDS) + 30_000, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new StageFailed(FlashbackTexts.stageHung(stage, counts.spansDone.get(), spans.size(), timeout), true);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err; // as the recovery's own thread would: an Error is not the stage's to handle
                    }
                    throw new IllegalStateException("a " + stage + " worker failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StageFailed(stage + " interrupted after " + counts.spansDone.get() + " of " + spans.size()
                            + " regions " + stage.done(), false);
                }
            }
        } finally {
            tick.cancel(false);
            pool.shutdownNow();
        }
        counts.end(t0);
        if (unimplemented.get() != null) {
            throw unimplemented.get();
        }
        if (!stuck.isEmpty()) {
            List<RegionWalk.Stuck> sorted = new ArrayList<>(stuck);
            sorted.sort(Comparator.comparingLong(s -> s.span().regionId()));
            boolean allTimedOut = sorted.stream().allMatch(RegionWalk.Stuck::timedOut);
            throw new StageFailed(FlashbackTexts.stuck(stage, sorted, spans.size(), counts.spansDone.get(), ts, timeout,
                    policy.attempts()), allTimedOut);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.atInfo().addKeyValue("phase", stage.label()).addKeyValue("count", counts.pieces.get()).addKeyValue("unit", "regions")
                .addKeyValue("duration_ms", took.toMillis())
                .log("{}: all {} regions {} in {} ({} calls retried{})", stage, counts.pieces.get(), stage.done(),
                        Texts.elapsed(took), counts.retries.get(), "");
        return new Result(spans.size(), counts.pieces.get(), counts.retries.get());
    }

    /** Progress of the stage: spans done of total, pieces (regions) done, per leader store. */
    private final class Counts implements RegionWalk.Listener {
        final Stage stage;
        final int total;
        final AtomicInteger spansDone = new AtomicInteger();
        final AtomicLong pieces = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final Map<Long, AtomicLong> perStore = new ConcurrentHashMap<>();
        private boolean ended;

        Counts(Stage stage, int total) {
            this.stage = stage;
            this.total = total;
        }

        @Override
        public void done(Span span, RegionRoute route) {
            pieces.incrementAndGet();
            perStore.computeIfAbsent(route.leaderStore(), s -> new AtomicLong()).incrementAndGet();
        }

        @Override
        public void leaderless(RegionRoute route) {
            leaderless.run();
        }

        @Override
        public void retried(Span span, RegionRoute route, String why) {
            retries.incrementAndGet();
            LOG.atDebug().addKeyValue("phase", stage.label()).log("{}: {}; retrying", stage, why);
        }

        PhaseProgress snapshot(long t0, boolean finished) {
            List<PhaseProgress.StoreProgress> stores = new ArrayList<>();
            new TreeMap<>(perStore).forEach((id, n) -> stores.add(new PhaseProgress.StoreProgress(id, "leader", n.get(), 1)));
            return new PhaseProgress(stage.label(), "regions", spansDone.get(), total, pieces.get(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), finished, stores, Instant.now());
        }

        /** The final snapshot; a tick still running cannot overwrite it (both hold this lock). */
        synchronized void end(long t0) {
            ended = true;
            listener.accept(snapshot(t0, true));
        }

        synchronized void log(long t0) {
            if (ended) {
                return;
            }
            PhaseProgress p = snapshot(t0, false);
            String eta = p.etaMillis().isPresent() ? ", about " + Texts.elapsed(Duration.ofMillis(p.etaMillis().getAsLong())) + " left" : "";
            LOG.atInfo().addKeyValue("phase", stage.label()).addKeyValue("stores_done", p.storesDone())
                    .addKeyValue("stores_total", p.storesTotal()).addKeyValue("count", p.count()).addKeyValue("unit", "regions")
                    .addKeyValue("per_second", Math.round(p.perSecond())).addKeyValue("elapsed_ms", p.elapsedMillis())
                    .log("{}: {}/{} planned regions {} ({} regions, {}/s), {} calls retried, {} elapsed{}", stage,
                            p.storesDone(), p.storesTotal(), stage.done(), p.count(), Math.round(p.perSecond()),
                            retries.get(), Texts.elapsed(Duration.ofMillis(p.elapsedMillis())), eta);
            listener.accept(p);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
