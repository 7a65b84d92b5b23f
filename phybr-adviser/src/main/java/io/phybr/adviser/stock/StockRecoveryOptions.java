package io.phybr.adviser.stock;

import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.SchedulingPause;
import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.record.RunRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The options of a {@link StockRecovery} with their defaults, each set by name on {@link StockRecovery.Builder}
 * (which only adds {@code build()}); {@code B} is the builder's own type, so that the setters chain.
 */
abstract class StockRecoveryOptions<B extends StockRecoveryOptions<B>> {
    PdClient pd;
    StoreChannels channels = StoreChannels.netty(null);
    int concurrency = StockRecovery.MAX_CONCURRENCY;
    OptionalLong resolvedTs = OptionalLong.empty();
    boolean dryRun;
    boolean acceptHoles;
    Path planOutput;
    Timeouts timeouts = Timeouts.defaults();
    RetryPolicy retry = RetryPolicy.defaults();
    Duration progressInterval = Duration.ofSeconds(10);
    java.util.function.Consumer<io.phybr.adviser.progress.PhaseProgress> progressListener = p -> { };
    java.util.function.Consumer<io.phybr.adviser.progress.PhaseProgress> liveProgressListener = p -> { };
    RunRecorder recorder = RunRecorder.none();
    Duration pdPauseTtl = SchedulingPause.DEFAULT_TTL;
    ExpectedStores expectedStores = ExpectedStores.unknown();
    Duration storeWaitTimeout = Duration.ofMinutes(10);
    Duration storePoll = Duration.ofSeconds(2);
    Duration roundTimeout = WatchPolicy.defaults().roundTimeout();
    Duration restartGrace = WatchPolicy.defaults().restartGrace();
    Duration watchInterval = WatchPolicy.defaults().watchInterval();
    int maxRestarts = WatchPolicy.defaults().maxRestarts();
    boolean force;
    Path runsRoot;
    Phase killAt;
    io.phybr.adviser.flashback.Finish finish;
    Duration flashbackTimeout = Duration.ofMinutes(30);
    Duration flashbackCallTimeout = Duration.ofMinutes(3);
    java.util.function.Function<PdClient, io.phybr.adviser.flashback.PdRoutes> pdRoutes;
    java.util.function.UnaryOperator<io.phybr.adviser.flashback.RegionCalls> flashbackCalls;

    public B pd(PdClient pd) { this.pd = pd; return self(); }
    public B channels(StoreChannels channels) { this.channels = channels; return self(); }
    /** Stores handled at once; capped at {@value StockRecovery#MAX_CONCURRENCY}. */
    public B concurrency(int n) { this.concurrency = n; return self(); }
    public B resolvedTs(long ts) { this.resolvedTs = OptionalLong.of(ts); return self(); }
    public B dryRun(boolean dryRun) { this.dryRun = dryRun; return self(); }
    public B acceptHoles(boolean accept) { this.acceptHoles = accept; return self(); }
    public B planOutput(Path path) { this.planOutput = path; return self(); }
    public B timeouts(Timeouts t) { this.timeouts = t; return self(); }
    public B retry(RetryPolicy r) { this.retry = r; return self(); }
    public B progressInterval(Duration d) { this.progressInterval = d; return self(); }
    /** How long PD stays paused if this process dies (BR: 5 min); refreshed every third of it while running. */
    public B pdPauseTtl(Duration d) { this.pdPauseTtl = Objects.requireNonNull(d, "pdPauseTtl"); return self(); }
    /**
     * The TiKV stores to wait for in PD before anything changes (R14); unknown = PD's list read once, which the
     * CLI allows only for a dry run.
     */
    public B expectedStores(ExpectedStores e) { this.expectedStores = Objects.requireNonNull(e); return self(); }
    /** How long to wait for the expected stores, and how often PD's list is read meanwhile. */
    public B storeWait(Duration timeout, Duration poll) { this.storeWaitTimeout = timeout; this.storePoll = poll; return self(); }
    /** Every second's snapshot of every store phase goes here (the progress bar, metrics). */
    public B liveProgressListener(java.util.function.Consumer<io.phybr.adviser.progress.PhaseProgress> l) {
        this.liveProgressListener = Objects.requireNonNull(l, "liveProgressListener");
        return self();
    }

    /** Every progress snapshot of every store phase also goes here (e.g. {@code ProgressFile}). */
    public B progressListener(java.util.function.Consumer<io.phybr.adviser.progress.PhaseProgress> l) {
        this.progressListener = Objects.requireNonNull(l, "progressListener");
        return self();
    }
    /**
     * Records the run (every region meta collected, the plan, the outcome); {@link StockRecovery#run()} finishes the
     * recording with the outcome. A recording never changes what the recovery does. Default:
     * {@link RunRecorder#none()}.
     */
    public B recorder(RunRecorder r) { this.recorder = Objects.requireNonNull(r, "recorder"); return self(); }

    /**
     * How long one round of RecoverRegion may take before PD is asked which forced regions still have no leader
     * (R3: the call never answers while one cannot win). Default 5 minutes (TiKV takes ≥ 10 s per call, R5).
     */
    public B roundTimeout(Duration d) { this.roundTimeout = d; return self(); }
    /** How long PD is watched for a restart of a store whose wait was interrupted (R10). Default 2 minutes. */
    public B restartGrace(Duration d) { this.restartGrace = d; return self(); }
    /** How often PD's store start timestamps are read while waiting (R9; BR reads every 30 s). */
    public B watchInterval(Duration d) { this.watchInterval = d; return self(); }
    /** Restarts of one store tolerated during a recovery before it is named as unstable. Default 3. */
    public B maxRestarts(int n) { this.maxRestarts = n; return self(); }

    /** Run even though another recover looks live (a dry run then aborts its RecoverRegion in flight, R6). */
    public B force(boolean f) { this.force = f; return self(); }
    /** Where other runs' directories are looked for when this run records nothing ({@code --no-record}). */
    public B runsRoot(Path root) { this.runsRoot = root; return self(); }

    /**
     * How the recovery finishes after RecoverRegion; null (the default) chooses by the TiKV versions PD lists:
     * flashback when every store runs 6.5 or later, else resolve.
     */
    public B finish(io.phybr.adviser.flashback.Finish f) { this.finish = f; return self(); }
    /**
     * Bounds of the flashback finish: each stage (prepare, flashback) over every region, and each call (TiDB: 3
     * minutes). Concurrency, tries (twice the retry policy's) and backoff are the recovery's.
     */
    public B flashbackTimeouts(Duration stage, Duration call) {
        this.flashbackTimeout = Objects.requireNonNull(stage);
        this.flashbackCallTimeout = Objects.requireNonNull(call);
        return self();
    }
    /** Tests: PD's TSO and region routes from here instead of PD's gRPC API on the --pd address. */
    public B pdRoutes(java.util.function.Function<PdClient, io.phybr.adviser.flashback.PdRoutes> r) { this.pdRoutes = r; return self(); }

    /** Tests: the run dies as a SIGKILL would just before entering {@code p} ({@link Killed} escapes {@link StockRecovery#run()}). */
    B killAt(Phase p) { this.killAt = p; return self(); }

    /** Tests: the flashback's store calls go through this (a kill in the middle of a stage). */
    B flashbackCalls(java.util.function.UnaryOperator<io.phybr.adviser.flashback.RegionCalls> w) {
        this.flashbackCalls = w;
        return self();
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
