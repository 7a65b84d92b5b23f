package io.phybr.adviser.stock;

import io.phybr.adviser.text.Texts;
import io.grpc.ManagedChannel;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.pd.SchedulingPause;
import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.pd.StoreWait;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.record.StoreRecording;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery of stock TiKV (protocol B, kvproto {@code recover_data}) driven end to end, as BR's
 * "restore data" phase does it, with PD handled around it:
 *
 * <ol>
 *   <li><b>prepare</b>: PD must be marked snapshot-recovering; list TiKV stores (TiFlash skipped);
 *       hold off scheduling (limits to 0, balancing schedulers removed), remembering the originals;</li>
 *   <li><b>collect</b>: ReadRegionMeta from every store, at most {@code concurrency} at a time;</li>
 *   <li><b>plan</b>: the BR policy; a refusal changes nothing on any store;</li>
 *   <li><b>alloc-id</b>: raise PD's base alloc id to the largest store/region/peer id seen;</li>
 *   <li><b>recover</b>: RecoverRegion to every store with commands (a store that aborts or reboots gets
 *       its plan again);</li>
 *   <li><b>wait-apply</b>: WaitApply on every store;</li>
 *   <li><b>resolve</b>: ResolveKvData with the resolved ts;</li>
 *   <li><b>finish</b>: put PD's scheduling back, remove the marker.</li>
 * </ol>
 * PD's scheduling is restored on every exit path, including {@link #restorePd()} from a shutdown hook.
 */
public final class StockRecovery {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    /** BR's cap on stores handled at once. */
    public static final int MAX_CONCURRENCY = 128;

    private final PdClient pd;
    private final StoreChannels channelFactory;
    private final int concurrency;
    private final OptionalLong resolvedTs;
    private final boolean dryRun;
    private final boolean acceptHoles;
    private final Path planOutput;
    private final Timeouts timeouts;
    private final RetryPolicy retry;
    private final PdRetry pdRetry;
    private final Duration progressInterval;
    private final RunRecorder recorder;
    private final Duration pdPauseTtl;
    private final ExpectedStores expectedStores;
    private final Duration storeWaitTimeout;
    private final Duration storePoll;

    private final Map<Long, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile SchedulingPause pause;
    private volatile Phase phase = Phase.PREPARE;
    // What the run has learnt so far, for the outcome whichever phase it ends in.
    private volatile int storeCount;
    private volatile long replicas;
    private volatile Plan plan;
    private volatile long resolvedKeys;

    private StockRecovery(Builder b) {
        this.pd = Objects.requireNonNull(b.pd, "pd");
        this.channelFactory = Objects.requireNonNull(b.channels, "channels");
        this.concurrency = Math.max(1, Math.min(MAX_CONCURRENCY, b.concurrency));
        this.resolvedTs = b.resolvedTs;
        this.dryRun = b.dryRun;
        this.acceptHoles = b.acceptHoles;
        this.planOutput = b.planOutput;
        this.timeouts = b.timeouts;
        this.retry = b.retry;
        this.pdRetry = new PdRetry(b.retry.attempts(), b.retry.initialBackoff(), b.retry.maxBackoff());
        this.progressInterval = b.progressInterval;
        this.recorder = b.recorder;
        this.pdPauseTtl = b.pdPauseTtl;
        this.expectedStores = b.expectedStores;
        this.storeWaitTimeout = b.storeWaitTimeout;
        this.storePoll = b.storePoll;
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
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemon("phybr-store"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("phybr-progress"));
        PhaseRunner runner = new PhaseRunner(pool, ticker, progressInterval, retry,
                s -> channels.computeIfAbsent(s.id(), id -> channelFactory.open(s)));
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
            closeChannels();
        }
        boolean pdRestored = true;
        if (pause != null) {
            String problem = pause.restore();
            if (problem != null) {
                pdRestored = false;
                verdict = verdict + StockTexts.alsoPdNotRestored(problem);
            }
        }
        if (code != ExitCode.OK && phase != Phase.PREPARE && pause != null && pdRestored) {
            verdict = verdict + StockTexts.pdRestoredMarkerStays();
        }
        Outcome result = new Outcome(code, verdict, code == ExitCode.OK ? Optional.empty() : Optional.of(verdict),
                Optional.ofNullable(plan), phase.label(), new Outcome.Counts(storeCount, replicas, resolvedKeys, pdRestored));
        recorder.finish(code, verdict, code == ExitCode.OK ? "" : verdict); // idempotent; never throws
        return result;
    }

    /** The phases in order; returns the verdict of a run that ended well, else throws what stopped it. */
    private String phases(PhaseRunner runner) throws PhaseFailure, PdException, IOException {
        List<PdStore> stores = prepare();
        ReplicaTable table = collect(runner, stores);
        Plan thePlan = plan(table);
        if (dryRun) {
            enter(Phase.DONE);
            return StockTexts.dryRun(replicas, storeCount, thePlan);
        }
        allocId(stores, table);
        recover(runner, stores, thePlan);
        waitApply(runner, stores);
        long keys = resolve(runner, stores);
        finish();
        enter(Phase.DONE);
        return StockTexts.recovered(storeCount, thePlan, keys, resolvedTs.getAsLong());
    }

    private void enter(Phase next) {
        phase = next;
    }

    /** PD must be marked; returns the TiKV stores (TiFlash and tombstones skipped), by id; pauses scheduling. */
    private List<PdStore> prepare() throws PhaseFailure, PdException {
        enter(Phase.PREPARE);
        boolean marked = pdRetry.run("read the snapshot-recovering marker", pd::snapshotRecoveringMarked);
        if (!marked) {
            throw new PhaseFailure(ExitCode.FAILURE, StockTexts.notMarked(pd.endpoints().get(0).getAuthority()));
        }
        if (expectedStores.known()) {
            List<PdStore> stores = awaitExpectedStores();
            storeCount = stores.size();
            LOG.info("prepare: {} TiKV stores: {}", stores.size(), describe(stores));
            pauseScheduling();
            return stores;
        }
        List<PdStore> all = pdRetry.run("list stores", pd::stores);
        List<PdStore> stores = new ArrayList<>();
        for (PdStore s : all) {
            if (s.tiflash()) {
                LOG.info("prepare: skipping TiFlash store {} ({})", s.id(), s.address());
            } else if (s.tombstone()) {
                LOG.info("prepare: skipping tombstone store {} ({})", s.id(), s.address());
            } else {
                stores.add(s);
            }
        }
        stores.sort(Comparator.comparingLong(PdStore::id));
        storeCount = stores.size();
        if (stores.isEmpty()) {
            throw new PhaseFailure(ExitCode.FAILURE, StockTexts.noTikvStores(all.size()));
        }
        LOG.info("prepare: {} TiKV stores: {}", stores.size(), describe(stores));
        pauseScheduling();
        return stores;
    }

    /** R14: bounded wait until PD lists every expected TiKV store up; never a subset the operator did not name. */
    private List<PdStore> awaitExpectedStores() throws PhaseFailure, PdException {
        try {
            return new StoreWait(pd, pdRetry, storePoll).await(expectedStores, storeWaitTimeout);
        } catch (StoreWait.NotAllUp e) {
            throw new PhaseFailure(e.timedOut() ? ExitCode.TIMEOUT : ExitCode.FAILURE, e.getMessage());
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
        Map<Long, ReplicaTable> tables = new ConcurrentHashMap<>();
        runner.run(Phase.COLLECT, "region metas", stores, timeouts.collect(), (s, ch, deadline, prog) -> {
            StoreRecording rec = recorder.store(s.id()); // one per attempt: a retried attempt's lines are discarded
            ReplicaTable t;
            try {
                t = StoreRpc.collect(s, ch, deadline, prog, rec);
            } catch (Exception | Error e) {
                rec.discard();
                throw e;
            }
            rec.complete();
            tables.put(s.id(), t);
        });
        long total = tables.values().stream().mapToLong(ReplicaTable::size).sum();
        ReplicaTable table = new ReplicaTable((int) Math.min(Integer.MAX_VALUE - 16, Math.max(16, total)));
        for (PdStore s : stores) {
            table.appendAll(tables.remove(s.id()));
        }
        replicas = table.size();
        return table;
    }

    /** The BR policy; a refusal fails the run before anything changed on a store. Writes {@code --output}. */
    private Plan plan(ReplicaTable table) throws PhaseFailure, IOException {
        enter(Phase.PLAN);
        long t0 = System.nanoTime();
        PlanOutcome outcome = Planner.plan(table, PlanOptions.of(Policy.BR).withAcceptHoles(acceptHoles));
        if (outcome instanceof Refusal r) {
            throw new PhaseFailure(ExitCode.REFUSED, r.message());
        }
        Plan p = (Plan) outcome;
        plan = p;
        recorder.planned(p); // asynchronous: never delays the recovery
        LOG.info("plan: {} replicas planned in {}", table.size(), Texts.elapsed(Duration.ofNanos(System.nanoTime() - t0)));
        LOG.info("{}", p.summary().toText());
        if (planOutput != null) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(planOutput), 1 << 16)) {
                p.writeJsonLines(out);
            }
            LOG.info("plan: wrote {} commands to {}", p.commandCount(), planOutput);
        }
        return p;
    }

    /** Raises PD's base alloc id to the largest store/region/peer id seen, so new ids never collide. */
    private void allocId(List<PdStore> stores, ReplicaTable table) throws PdException {
        enter(Phase.ALLOC_ID);
        long maxId = maxId(stores, table);
        pdRetry.runVoid("raise the base alloc id", () -> pd.setBaseAllocId(maxId));
        LOG.info("alloc-id: PD base alloc id raised to {}", maxId);
    }

    /** RecoverRegion to every store with commands; a store that aborts or reboots gets its plan again. */
    private void recover(PhaseRunner runner, List<PdStore> stores, Plan p) throws PhaseFailure {
        enter(Phase.RECOVER);
        List<PdStore> targets = new ArrayList<>();
        for (PdStore s : stores) {
            if (p.commandsTo(s.id()) > p.commandsFrom(s.id())) {
                targets.add(s);
            }
        }
        runner.run(Phase.RECOVER, "commands", targets, timeouts.recover(),
                (s, ch, deadline, prog) -> StoreRpc.recover(s, ch, deadline, prog, p));
    }

    /** WaitApply on every store. */
    private void waitApply(PhaseRunner runner, List<PdStore> stores) throws PhaseFailure {
        enter(Phase.WAIT_APPLY);
        runner.run(Phase.WAIT_APPLY, "calls", stores, timeouts.waitApply(), (s, ch, deadline, prog) -> {
            StoreRpc.waitApply(s, ch, deadline);
            prog.count.incrementAndGet();
        });
    }

    /** ResolveKvData with the resolved ts on every store; returns the keys deleted over all stores. */
    private long resolve(PhaseRunner runner, List<PdStore> stores) throws PhaseFailure {
        enter(Phase.RESOLVE);
        long ts = resolvedTs.getAsLong();
        Map<Long, Long> keys = new ConcurrentHashMap<>();
        runner.run(Phase.RESOLVE, "keys deleted", stores, timeouts.resolve(), (s, ch, deadline, prog) -> {
            StoreRpc.resolve(ch, deadline, prog, ts);
            keys.put(s.id(), prog.count.get());
        });
        resolvedKeys = keys.values().stream().mapToLong(Long::longValue).sum();
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

    private void closeChannels() {
        for (ManagedChannel ch : channels.values()) {
            ch.shutdownNow();
        }
        for (ManagedChannel ch : channels.values()) {
            try {
                ch.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        channels.clear();
    }

    static long maxId(List<PdStore> stores, ReplicaTable t) {
        long max = 0;
        for (PdStore s : stores) {
            max = Math.max(max, s.id());
        }
        for (int i = 0; i < t.size(); i++) {
            max = Math.max(max, Math.max(t.store(i), Math.max(t.regionId(i), t.peerId(i))));
        }
        return max;
    }

    private static String describe(List<PdStore> stores) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stores.size() && i < 16; i++) {
            sb.append(i == 0 ? "" : ", ").append(stores.get(i).id()).append('@').append(stores.get(i).address());
        }
        if (stores.size() > 16) {
            sb.append(", … ").append(stores.size() - 16).append(" more");
        }
        return sb.toString();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds a {@link StockRecovery}; {@code pd}, {@code channels} and (unless dry run) {@code resolvedTs} are needed. */
    public static final class Builder {
        private PdClient pd;
        private StoreChannels channels = StoreChannels.netty(null);
        private int concurrency = MAX_CONCURRENCY;
        private OptionalLong resolvedTs = OptionalLong.empty();
        private boolean dryRun;
        private boolean acceptHoles;
        private Path planOutput;
        private Timeouts timeouts = Timeouts.defaults();
        private RetryPolicy retry = RetryPolicy.defaults();
        private Duration progressInterval = Duration.ofSeconds(10);
        private RunRecorder recorder = RunRecorder.none();
        private Duration pdPauseTtl = SchedulingPause.DEFAULT_TTL;
        private ExpectedStores expectedStores = ExpectedStores.unknown();
        private Duration storeWaitTimeout = Duration.ofMinutes(10);
        private Duration storePoll = Duration.ofSeconds(2);

        public Builder pd(PdClient pd) { this.pd = pd; return this; }
        public Builder channels(StoreChannels channels) { this.channels = channels; return this; }
        /** Stores handled at once; capped at {@value #MAX_CONCURRENCY}. */
        public Builder concurrency(int n) { this.concurrency = n; return this; }
        public Builder resolvedTs(long ts) { this.resolvedTs = OptionalLong.of(ts); return this; }
        public Builder dryRun(boolean dryRun) { this.dryRun = dryRun; return this; }
        public Builder acceptHoles(boolean accept) { this.acceptHoles = accept; return this; }
        public Builder planOutput(Path path) { this.planOutput = path; return this; }
        public Builder timeouts(Timeouts t) { this.timeouts = t; return this; }
        public Builder retry(RetryPolicy r) { this.retry = r; return this; }
        public Builder progressInterval(Duration d) { this.progressInterval = d; return this; }
        /** How long PD stays paused if this process dies (BR: 5 min); refreshed every third of it while running. */
        public Builder pdPauseTtl(Duration d) { this.pdPauseTtl = Objects.requireNonNull(d, "pdPauseTtl"); return this; }
        /**
         * The TiKV stores to wait for in PD before anything changes (R14); unknown = PD's list read once, which the
         * CLI allows only for a dry run.
         */
        public Builder expectedStores(ExpectedStores e) { this.expectedStores = Objects.requireNonNull(e); return this; }
        /** How long to wait for the expected stores, and how often PD's list is read meanwhile. */
        public Builder storeWait(Duration timeout, Duration poll) { this.storeWaitTimeout = timeout; this.storePoll = poll; return this; }
        /**
         * Records the run (every region meta collected, the plan, the outcome); {@link #run()} finishes the
         * recording with the outcome. A recording never changes what the recovery does. Default:
         * {@link RunRecorder#none()}.
         */
        public Builder recorder(RunRecorder r) { this.recorder = Objects.requireNonNull(r, "recorder"); return this; }

        public StockRecovery build() {
            return new StockRecovery(this);
        }
    }
}
