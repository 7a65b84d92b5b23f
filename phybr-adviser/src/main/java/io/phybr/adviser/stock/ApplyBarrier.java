package io.phybr.adviser.stock;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wait-apply phase as a barrier ResolveKvData may trust: WaitApply on every store, answered by a call that
 * cannot have been a {@code Duplicated} early success (R10), with every store's forced leaders in place (R9).
 * <ul>
 *   <li>a WaitApply that may have reached the store and ended without its answer makes the store unproven; a
 *       retry would answer at once while the first wait is pending, so the store is only called again once PD
 *       shows it restarted (which drops the pending wait), else the phase fails naming it;</li>
 *   <li>PD's start timestamps are polled while waiting: a restarted store gets its plan again (its leaders were
 *       lost and the others' waits hang on them) and its WaitApply is redone; a store restarting more than
 *       {@code maxRestarts} times ends the phase naming it.</li>
 * </ul>
 */
final class ApplyBarrier {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    private final PhaseRunner runner;
    private final ScheduledExecutorService ticker;
    private final Function<PdStore, ManagedChannel> channels;
    private final StoreWatch watch;
    private final PlanSender sender;
    private final Duration restartGrace;
    private final Duration pollInterval;
    private final int maxRestarts;
    /** Stores whose plan a watcher thread is sending again now. */
    private final java.util.Set<Long> resending = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ApplyBarrier(PhaseRunner runner, ScheduledExecutorService ticker, Function<PdStore, ManagedChannel> channels,
                 StoreWatch watch, PlanSender sender, WatchPolicy policy) {
        this.runner = runner;
        this.ticker = ticker;
        this.channels = channels;
        this.watch = watch;
        this.sender = sender;
        this.restartGrace = policy.restartGrace();
        this.pollInterval = policy.watchInterval();
        this.maxRestarts = policy.maxRestarts();
    }

    /** Returns once every store's apply is proven; throws the diagnosis otherwise. */
    void await(List<PdStore> stores, Duration timeout) throws PhaseFailure, PdException {
        Deadline deadline = Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<PdStore> todo = stores;
        // one thread per store being sent its plan again at most (see pollQuietly): a RecoverRegion that waits for
        // its forced leaders to apply must not hold up another restarted store's plan
        ExecutorService resender = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "phybr-resend-plan");
            t.setDaemon(true);
            return t;
        });
        try {
            awaitAll(stores, todo, deadline, timeout, resender);
        } finally {
            resender.shutdownNow();
        }
    }

    private void awaitAll(List<PdStore> stores, List<PdStore> first, Deadline deadline, Duration timeout,
                          ExecutorService resender) throws PhaseFailure, PdException {
        List<PdStore> todo = first;
        while (!todo.isEmpty()) {
            watch.poll(); // restarts since the plan was sent: each store's task sends its plan again first
            ScheduledFuture<?> poller = ticker.scheduleWithFixedDelay(() -> pollQuietly(deadline, resender),
                    pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
            Map<Long, PhaseRunner.StoreResult> results;
            try {
                results = runner.runAll(Phase.WAIT_APPLY, "calls", todo,
                        Duration.ofMillis(Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS))),
                        (s, ch, d, p) -> waitOne(s, ch, d, p));
            } finally {
                poller.cancel(false);
            }
            List<String> failures = new ArrayList<>();
            List<PdStore> waiting = new ArrayList<>();
            boolean allTimedOut = true;
            for (PdStore s : todo) {
                PhaseRunner.StoreResult r = results.get(s.id());
                if (r.failure() != null) {
                    failures.add(r.failure());
                    allTimedOut &= r.timedOut();
                    if (r.timedOut()) {
                        waiting.add(s);
                    }
                }
            }
            if (!failures.isEmpty()) {
                if (allTimedOut) {
                    throw new PhaseFailure(ExitCode.TIMEOUT, StockTexts.waitApplyTimedOut(waiting, stores.size(), timeout,
                            watch.needingPlan().stream().map(watch::store).toList()));
                }
                String text = StockTexts.phaseFailed(Phase.WAIT_APPLY, failures.size(), todo.size(), failures);
                throw new PhaseFailure(ExitCode.FAILURE, watch.unproven().isEmpty() ? text
                        : text + " " + StockTexts.notProvenWayOut());
            }
            // A store that restarted after its WaitApply answered lost its leaders: it is redone (its plan first).
            watch.poll();
            todo = new ArrayList<>();
            for (PdStore s : stores) {
                if (watch.needsWait(s.id()) || watch.needsPlan(s.id())) {
                    checkRestarts(s);
                    todo.add(s);
                }
            }
            if (!todo.isEmpty()) {
                LOG.warn("wait-apply: stores {} restarted while waiting; their plans are sent again and their WaitApply redone",
                        todo.stream().map(PdStore::id).toList());
            }
        }
        Map<Long, String> unproven = watch.unproven();
        if (!unproven.isEmpty()) {
            throw new PhaseFailure(ExitCode.FAILURE, StockTexts.applyNotProven(unproven, watch));
        }
    }

    /**
     * Reads PD's start timestamps; every store that restarted and has not had its plan since is sent it again at once,
     * so that the waits on the other stores, which hang on its lost leaders (R9), can finish; its own WaitApply is
     * redone after the round. A send that fails is tried again at the next check, whatever the store's own task does:
     * TiKV shows its new start timestamp in PD before its port serves, and the store's own task may have ended its
     * round before the restart — a send tried once would leave the other stores' waits hanging until the timeout.
     */
    private void pollQuietly(Deadline deadline, ExecutorService resender) {
        try {
            for (PdStore s : watch.poll()) {
                LOG.warn("wait-apply: {} restarted (PD start timestamp {}); its forced leaders are gone (R9), its plan is"
                        + " sent again", StockTexts.store(s), s.startTimestamp());
            }
        } catch (PdException e) {
            LOG.warn("wait-apply: cannot read PD's store list to watch for restarts: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("wait-apply: restart watch failed: {}", e.toString());
        }
        for (long id : watch.needingPlan()) {
            if (!resending.add(id)) {
                continue; // still being sent
            }
            try {
                resender.execute(() -> {
                    PdStore s = watch.store(id);
                    try {
                        sender.resendIfRestarted(s, channels.apply(s), deadline, new PhaseRunner.Progress());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        LOG.warn("wait-apply: sending {} its plan again failed ({}); tried again at the next check",
                                StockTexts.store(s), e.toString());
                    } finally {
                        resending.remove(id);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                resending.remove(id); // the phase is ending
            }
        }
    }

    private void checkRestarts(PdStore s) throws PhaseFailure {
        if (watch.restarts(s.id()) > maxRestarts) {
            throw new PhaseFailure(ExitCode.FAILURE, StockTexts.keepsRestarting(s, watch.restarts(s.id())));
        }
    }

    /** One store: its plan again if it restarted, then one WaitApply that cannot be a Duplicated early answer. */
    private void waitOne(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p) throws Exception {
        for (;;) {
            if (watch.restarts(s.id()) > maxRestarts) {
                throw StoreFailure.failed(StockTexts.keepsRestarting(s, watch.restarts(s.id())));
            }
            if (watch.needsPlan(s.id())) {
                p.state = "sending its plan again";
                sender.resendIfRestarted(s, ch, deadline, p);
            }
            String why = watch.unproven(s.id());
            if (why != null) {
                p.state = "unproven, watching PD for a restart";
                awaitRestart(s, why, deadline);
                continue;
            }
            p.state = "waiting for apply";
            try {
                StoreRpc.waitApply(s, ch, deadline);
                if (watch.needsPlan(s.id()) || watch.unproven(s.id()) != null) {
                    continue; // it restarted meanwhile, or was interrupted elsewhere: this answer proves nothing
                }
                watch.applied(s.id());
                p.count.incrementAndGet();
                return;
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (!StoreRpc.mayHaveReached(e)) {
                    throw e; // never reached the store: an ordinary retry is still a barrier
                }
                // Also at the deadline: the wait stays pending on the store, which matters to a rerun.
                watch.interrupted(s.id(), StockTexts.waitApplyInterrupted(code));
                if (code == Status.Code.DEADLINE_EXCEEDED || deadline.isExpired()) {
                    throw e;
                }
            }
        }
    }

    /** Watches PD until the store restarts (its pending waits are gone) or the grace runs out. */
    private void awaitRestart(PdStore s, String why, Deadline deadline) throws Exception {
        long grace = watch.timestampsKnown() ? restartGrace.toNanos() : 0; // no timestamps: a restart cannot be seen
        long until = System.nanoTime() + Math.min(grace, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        while (System.nanoTime() < until) {
            watch.poll();
            if (watch.unproven(s.id()) == null) {
                return;
            }
            io.phybr.adviser.pd.Backoff.pause(Math.min(pollInterval.toMillis(),
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
        }
        watch.poll();
        if (watch.unproven(s.id()) != null) {
            throw StoreFailure.failed(StockTexts.storeApplyNotProven(s, why, watch.timestampsKnown()));
        }
    }
}
