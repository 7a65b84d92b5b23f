package io.phybr.adviser.stock;

import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.flashback.FlashbackTexts;
import io.phybr.adviser.flashback.FlashbackTs;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.pd.SchedulingPause;
import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.progress.PhaseProgress;
import io.phybr.adviser.record.RunRecorder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery of stock TiKV (protocol B, kvproto {@code recover_data}) driven end to end, as BR's "restore data" phase
 * does it, with PD handled around it: the {@link Phase}s in order, each a method that returns what the next needs.
 * RecoverRegion runs in bounded rounds ({@link RecoverRounds}), WaitApply is a barrier only once proven
 * ({@link ApplyBarrier}, {@link StoreWatch}), other runs are respected ({@link OtherRuns}). PD's scheduling is
 * restored on every exit path, including {@link #restorePd()} from a shutdown hook.
 */
public final class StockRecovery {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    /** BR's cap on stores handled at once. */
    public static final int MAX_CONCURRENCY = 128;

    private final PdClient pd;
    private final int concurrency;
    private final OptionalLong resolvedTs;
    private final boolean dryRun;
    private final boolean acceptHoles;
    private final Path planOutput;
    private final Timeouts timeouts;
    private final RetryPolicy retry;
    private final PdRetry pdRetry;
    private final Duration progressInterval;
    private final Consumer<PhaseProgress> progressListener;
    private final Consumer<PhaseProgress> liveProgressListener;
    private final RunRecorder recorder;
    private final Duration pdPauseTtl;
    private final ExpectedStores expectedStores;
    private final Duration storeWaitTimeout;
    private final Duration storePoll;

    private final StoreConnections connections;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile SchedulingPause pause;
    private ScheduledExecutorService ticker;
    private volatile Phase phase = Phase.PREPARE;
    // What the run has learnt so far, for the outcome whichever phase it ends in.
    private volatile int storeCount;
    private volatile long replicas;
    private volatile Plan plan;
    private volatile long resolvedKeys;
    private volatile Map<Long, Outcome.Deleted> deleted = Map.of();
    private final WatchPolicy watchPolicy;
    private final boolean force;
    private final Phase killAt;
    private final Path runsRoot;
    private RunState state;
    private volatile StoreWatch watch;
    private final FinishStep finishStep;

    private StockRecovery(Builder b) {
        this.pd = Objects.requireNonNull(b.pd, "pd");
        this.connections = new StoreConnections(Objects.requireNonNull(b.channels, "channels"));
        this.concurrency = Math.max(1, Math.min(MAX_CONCURRENCY, b.concurrency));
        this.resolvedTs = b.resolvedTs;
        this.dryRun = b.dryRun;
        this.acceptHoles = b.acceptHoles;
        this.planOutput = b.planOutput;
        this.timeouts = b.timeouts;
        this.retry = b.retry;
        this.pdRetry = new PdRetry(b.retry.attempts(), b.retry.initialBackoff(), b.retry.maxBackoff());
        this.progressInterval = b.progressInterval;
        this.progressListener = b.progressListener;
        this.liveProgressListener = b.liveProgressListener;
        this.recorder = b.recorder;
        this.pdPauseTtl = b.pdPauseTtl;
        this.expectedStores = b.expectedStores;
        this.storeWaitTimeout = b.storeWaitTimeout;
        this.storePoll = b.storePoll;
        this.watchPolicy = new WatchPolicy(b.roundTimeout, b.restartGrace, b.watchInterval, b.maxRestarts);
        this.force = b.force;
        this.killAt = b.killAt;
        this.runsRoot = b.runsRoot;
        this.finishStep = FinishStep.of(b, concurrency, retry, progressInterval);
        if (!dryRun && resolvedTs.isEmpty()) {
            throw new IllegalArgumentException("a resolved ts is needed unless this is a dry run");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The phase running now (for a shutdown message). */
    public Phase phase() {
        return phase;
    }

    /**
     * Puts PD's scheduling back if this run changed it and has not restored it yet; safe to call from a
     * shutdown hook at any time. Returns null when PD is as before, else what could not be restored.
     */
    public String restorePd() {
        SchedulingPause p = pause;
        return p == null ? null : p.restore();
    }

    /** Runs the phases in order; a recovery runs once. Never throws: every end is an {@link Outcome}. */
    public Outcome run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a StockRecovery runs once; build another");
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, StoreConnections.daemon("phybr-store"));
        ticker = Executors.newScheduledThreadPool(2, StoreConnections.daemon("phybr-progress"));
        PhaseRunner runner = new PhaseRunner(pool, ticker, progressInterval, retry, connections::channel);
        runner.onProgress(progressListener);
        runner.onLiveProgress(liveProgressListener);
        ExitCode code;
        String verdict;
        try {
            verdict = phases(runner);
            code = ExitCode.OK;
        } catch (PhaseFailure f) {
            code = f.code();
            verdict = f.getMessage();
        } catch (PdException e) {
            code = ExitCode.FAILURE;
            verdict = StockTexts.pdFailed(phase, e.getMessage());
        } catch (IOException e) {
            code = ExitCode.FAILURE;
            verdict = StockTexts.planNotWritten(phase, e.getMessage());
        } catch (RuntimeException e) {
            code = ExitCode.INTERNAL;
            verdict = StockTexts.internal(phase, e);
            LOG.debug("internal error", e);
        } finally {
            pool.shutdownNow();
            ticker.shutdownNow();
            connections.close();
        }
        boolean pdRestored = true;
        if (pause != null) {
            String problem = pause.restore();
            if (problem != null) {
                pdRestored = false;
                verdict = verdict + StockTexts.alsoPdNotRestored(problem);
            }
        }
        String asFound = pause == null ? null : pause.leftAsFound();
        if (asFound != null) {
            verdict = verdict + " PD: " + asFound + ".";
        }
        if (code != ExitCode.OK && phase != Phase.PREPARE && pause != null && pdRestored) {
            verdict = verdict + StockTexts.pdRestoredMarkerStays();
        }
        Outcome result = new Outcome(code, verdict, code == ExitCode.OK ? Optional.empty() : Optional.of(verdict),
                Optional.ofNullable(plan), phase.label(), new Outcome.Counts(storeCount, replicas, resolvedKeys, pdRestored, deleted));
        if (!dryRun) {
            saveState(true, code == ExitCode.OK);
        }
        recorder.finish(code, verdict, code == ExitCode.OK ? "" : verdict); // idempotent; never throws
        return result;
    }

    /** The phases in order; returns the verdict of a run that ended well, else throws what stopped it. */
    private String phases(PhaseRunner runner) throws PhaseFailure, PdException, IOException {
        List<RunState.Other> others = RunState.others(recorder.dir(), runsRoot);
        OtherRuns.refuseIfLive(others, pd, pdRetry, dryRun, force);
        List<PdStore> stores = prepare(others);
        ReplicaTable table = collect(runner, stores);
        Plan thePlan = plan(table);
        if (dryRun) {
            enter(Phase.DONE);
            return StockTexts.dryRun(replicas, storeCount, thePlan);
        }
        allocId(stores, table);
        StoreWatch watch = new StoreWatch(pd, pdRetry, stores, connections::forgetConnection);
        this.watch = watch;
        OtherRuns.inheritPending(others, watch, stores);
        PlanSender sender = new PlanSender(new Assignment(thePlan), watch);
        Map<Long, Long> moved = recover(runner, stores, table, watch, sender);
        saveState(false, false, true); // every RecoverRegion answered: none left pending by this run
        if (finishStep.finish() == Finish.FLASHBACK) {
            // BR 7.x: no WaitApply (RecoverRegion answered once every forced leader applied, R3), no ResolveKvData
            finishStep.flashback(thePlan, table, moved, stores, pd, pdRetry,
                    new RestartCheck(watch, sender, connections::channel, timeouts.recover()), connections::channel, ticker,
                    progressListener, this::enter);
            recorder.flashedBack(finishStep.result().prepared(), finishStep.result().flashedBack());
            finish();
            enter(Phase.DONE);
            return FlashbackTexts.recovered(storeCount, thePlan.summary().regionsKept(),
                    thePlan.summary().regionsDropped(), finishStep.result().flashedBack(), finishStep.ts());
        }
        waitApply(runner, stores, watch, sender);
        saveState(false, false, true);
        long keys = resolve(runner, stores);
        finish();
        enter(Phase.DONE);
        return StockTexts.recovered(storeCount, thePlan, keys, resolvedTs.getAsLong());
    }

    private void enter(Phase next) {
        if (next == killAt) {
            throw new Killed(next); // as a SIGKILL between two phases: no cleanup, no PD restore, no recording end
        }
        phase = next;
        if (next.compareTo(Phase.RECOVER) >= 0 && next != Phase.DONE && !dryRun) {
            saveState(false, false);
        }
    }

    /** Persists where this run is, for a dry run or rerun that comes while (or after) it runs. */
    private void saveState(boolean ended, boolean ok) {
        saveState(ended, ok, false);
    }

    private void saveState(boolean ended, boolean ok, boolean phaseDone) {
        StoreWatch w = watch;
        if (w == null) {
            return; // nothing was sent to any store yet
        }
        if (state == null) {
            state = new RunState(recorder.dir());
        }
        if (finishStep.ts() != null && finishStep.finish() == Finish.FLASHBACK) {
            state.flashback(finishStep.ts());
        }
        state.write(phase, phaseDone, ended, ok, w.startTimestamps(), w.unproven());
    }

    /**
     * PD must be marked; returns the TiKV stores (TiFlash and tombstones skipped), by id ({@link TikvStores}); chooses
     * the finish (and takes the flashback's timestamps) before it pauses scheduling, so a refusal there changes nothing.
     */
    private List<PdStore> prepare(List<RunState.Other> others) throws PhaseFailure, PdException {
        enter(Phase.PREPARE);
        boolean marked = pdRetry.run("read the snapshot-recovering marker", pd::snapshotRecoveringMarked);
        if (!marked) {
            throw new PhaseFailure(ExitCode.FAILURE, StockTexts.notMarked(pd.endpoints().get(0).getAuthority()));
        }
        List<PdStore> stores = TikvStores.list(pd, pdRetry, expectedStores, storePoll, storeWaitTimeout);
        storeCount = stores.size();
        refuseBadAddresses(stores);
        chooseFinish(stores, others);
        pauseScheduling();
        return stores;
    }

    /** A store PD lists at an address gRPC cannot dial fails the run here, before PD or any store is touched. */
    private void refuseBadAddresses(List<PdStore> stores) throws PhaseFailure {
        for (PdStore s : stores) {
            String problem = connections.addressProblem(s);
            if (problem != null) {
                throw new PhaseFailure(ExitCode.FAILURE, StockTexts.badAddress(s, problem));
            }
        }
    }

    /** The finish from the stores' versions (or --finish); for a flashback, its timestamps now (PD's TSO, R0 order). */
    private void chooseFinish(List<PdStore> stores, List<RunState.Other> others) throws PhaseFailure {
        finishStep.choose(stores);
        finishStep.refuseResolveAfterPrepared(others);
        recorder.finishedBy(finishStep.finish().label(), finishStep.why());
        if (!dryRun && finishStep.finish() == Finish.FLASHBACK) {
            finishStep.timestamps(resolvedTs.getAsLong(), others, pd);
            FlashbackTs ts = finishStep.ts();
            recorder.flashbackTs(ts.version(), ts.startTs(), ts.commitTs());
        }
    }

    private void pauseScheduling() throws PdException {
        if (!dryRun) {
            SchedulingPause p = new SchedulingPause(pd, pdRetry, pdPauseTtl, recorder.dir());
            pause = p;
            p.pause();
        }
    }

    /** ReadRegionMeta from every store; returns every meta, stores in id order. */
    private ReplicaTable collect(PhaseRunner runner, List<PdStore> stores) throws PhaseFailure {
        enter(Phase.COLLECT);
        ReplicaTable table = CollectAndPlan.collect(runner, stores, timeouts.collect(), recorder);
        replicas = table.size();
        return table;
    }

    /** The BR policy; a refusal fails the run before anything changed on a store. Writes {@code --output}. */
    private Plan plan(ReplicaTable table) throws PhaseFailure, IOException {
        enter(Phase.PLAN);
        Plan p = CollectAndPlan.plan(table, acceptHoles, recorder);
        plan = p; // the outcome names the plan even if writing it fails
        CollectAndPlan.write(p, planOutput);
        return p;
    }

    /** Raises PD's base alloc id to the largest store/region/peer id seen, so new ids never collide. */
    private void allocId(List<PdStore> stores, ReplicaTable table) throws PdException {
        enter(Phase.ALLOC_ID);
        long maxId = CollectAndPlan.maxId(stores, table);
        pdRetry.runVoid("raise the base alloc id", () -> pd.setBaseAllocId(maxId));
        LOG.info("alloc-id: PD base alloc id raised to {}", maxId);
    }

    /**
     * RecoverRegion to every store with commands, in bounded rounds: a region whose forced leader cannot win moves to
     * its next candidate (see {@link RecoverRounds}); a store that aborts or reboots gets its plan again.
     */
    private Map<Long, Long> recover(PhaseRunner runner, List<PdStore> stores, ReplicaTable table, StoreWatch watch,
                                    PlanSender sender) throws PhaseFailure, PdException {
        enter(Phase.RECOVER);
        watch.poll(); // the start timestamps the plan is sent under
        Map<Long, Long> moved = new RecoverRounds(runner, sender, watch, pd, pdRetry, table,
                watchPolicy.roundTimeout().compareTo(timeouts.recover()) < 0 ? watchPolicy.roundTimeout() : timeouts.recover())
                .run(stores, timeouts.recover());
        if (!moved.isEmpty()) {
            LOG.warn("recover: {} regions are led by their next candidate instead of the plan's: {}", moved.size(), moved);
        }
        return moved;
    }

    /** WaitApply on every store, as a barrier ResolveKvData may trust (see {@link ApplyBarrier}). */
    private void waitApply(PhaseRunner runner, List<PdStore> stores, StoreWatch watch, PlanSender sender)
            throws PhaseFailure, PdException {
        enter(Phase.WAIT_APPLY);
        new ApplyBarrier(runner, ticker, connections::channel, watch, sender, watchPolicy)
                .await(stores, timeouts.waitApply());
    }

    /** ResolveKvData on every store; returns the keys deleted over all stores, keeps locks and writes per store. */
    private long resolve(PhaseRunner runner, List<PdStore> stores) throws PhaseFailure {
        enter(Phase.RESOLVE);
        Map<Long, Outcome.Deleted> out = new TreeMap<>();
        try {
            StoreRpc.resolveAll(runner, stores, timeouts.resolve(), resolvedTs.getAsLong(), out);
        } finally {
            deleted = out;
            resolvedKeys = out.values().stream().mapToLong(d -> d.locks() + d.writes()).sum();
        }
        return resolvedKeys;
    }

    /** Puts PD's scheduling back and removes the marker: the TiKVs leave recovery mode on their next start. */
    private void finish() throws PhaseFailure, PdException {
        enter(Phase.FINISH);
        String problem = pause.restore();
        if (problem != null) {
            throw new PhaseFailure(ExitCode.FAILURE, StockTexts.recoveredButPdNotRestored(problem));
        }
        pdRetry.runVoid("remove the snapshot-recovering marker", pd::unmarkSnapshotRecovering);
        LOG.info("finish: snapshot-recovering marker removed");
    }

    /** Thrown by the test-only kill hook; like a SIGKILL it skips every cleanup but the process's sockets. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed(Phase before) {
            super("killed before " + before);
        }
    }

    /** Builds a {@link StockRecovery}; {@code pd}, {@code channels} and (unless dry run) {@code resolvedTs} are needed. */
    public static final class Builder extends StockRecoveryOptions<Builder> {
        Builder() {
        }

        public StockRecovery build() {
            return new StockRecovery(this);
        }
    }
}
