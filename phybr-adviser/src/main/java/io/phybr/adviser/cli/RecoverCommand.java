package io.phybr.adviser.cli;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.dump.BackupMeta;
import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.files.AtomicFiles;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.TlsConfig;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunInfo;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.stock.RetryPolicy;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.adviser.stock.StoreChannels;
import io.phybr.adviser.stock.Timeouts;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code phybr recover}: recovers stock TiKV (recovery mode) over kvproto recover_data, with PD handled around it. */
@Command(name = "recover", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Recovers the regions of stock TiKV stores started in recovery mode after a volume-snapshot"
                + " restore, as BR's restore-data phase does: prepare PD (marker check, scheduling held off), collect"
                + " region metas from every TiKV, plan (BR policy), raise PD's alloc id, RecoverRegion, then finish"
                + " (--finish: flashback to the resolved ts, or WaitApply and ResolveKvData), then restore PD's scheduling"
                + " and remove the snapshot-recovering marker.",
                "PD's scheduling settings are put back on every exit path. A refused plan changes nothing on any store."})
public final class RecoverCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-u", "--pd"}, required = true, paramLabel = "HOST:PORT[,HOST:PORT…]",
            description = "PD endpoints (comma-separated; the first that answers is used).")
    String pdAddrs;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
    ResolvedTsOptions ts;

    @CommandLine.Mixin
    TlsOptions tlsOptions = new TlsOptions();

    @Option(names = "--concurrency", defaultValue = "128", paramLabel = "N",
            description = "Stores handled at once (capped at 128, like BR). Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--collect-timeout", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for collecting every store's region metas, retries included. Default: ${DEFAULT-VALUE}.")
    Duration collectTimeout;
    @Option(names = "--recover-timeout", defaultValue = "30m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for RecoverRegion on every store. Default: ${DEFAULT-VALUE}.")
    Duration recoverTimeout;
    @Option(names = "--wait-apply-timeout", defaultValue = "30m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for WaitApply on every store. Default: ${DEFAULT-VALUE}.")
    Duration waitApplyTimeout;
    @Option(names = "--resolve-timeout", defaultValue = "60m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for ResolveKvData on every store. Default: ${DEFAULT-VALUE}.")
    Duration resolveTimeout;
    @Option(names = "--pd-timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for one PD HTTP request, end to end (connect, headers and the whole body)."
                    + " Ctrl-C/SIGTERM waits at most 3x this + 5 s for PD to be put back. Default: ${DEFAULT-VALUE}.")
    Duration pdTimeout;
    @Option(names = "--pd-pause-ttl", defaultValue = "5m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Schedulers are paused and schedule limits, merge and region split set off with this TTL, as BR"
                    + " does, refreshed every third of it while recover runs: a killed recover leaves PD paused for at"
                    + " most this long. What was changed and the operator's values go to DIR/pd-pause.json of the"
                    + " recording; a rerun puts them back. At least 3s. Default: ${DEFAULT-VALUE}.")
    Duration pdPauseTtl;

    @Option(names = "--finish", paramLabel = "flashback|resolve", converter = FinishConverter.class,
            description = {"How the data goes back to the resolved ts once every forced leader leads.",
                    "flashback (BR 7.x): PrepareFlashbackToVersion, then FlashbackToVersion on every region through its"
                    + " leader, at a fresh PD timestamp. Replicated through Raft, so no WaitApply (which can hang: stale"
                    + " peers, old-term tails, lost leaders) and no retried wait mistaken for a barrier; no physical delete"
                    + " and no full compaction. Rewrites each key newer than the resolved ts as a new version (more MVCC"
                    + " versions until GC). Needs TiKV 6.5 or later and PD's TSO (gRPC on the --pd address).",
                    "resolve (BR 6.x): WaitApply on every store, then ResolveKvData deletes every lock and every write"
                    + " newer than the resolved ts directly in RocksDB, then compacts every store. Works on any TiKV in"
                    + " recovery mode (6.3+) and needs no TSO, but a WaitApply can hang (a way out is named at"
                    + " --wait-apply-timeout) and the compaction takes long on big stores.",
                    "Default: flashback when PD lists every TiKV at 6.5 or later, else resolve."})
    io.phybr.adviser.flashback.Finish finish;
    @Option(names = "--flashback-timeout", defaultValue = "30m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for each flashback stage (prepare, then flashback) over every region, retries included."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration flashbackTimeout;
    @Option(names = "--flashback-call-timeout", defaultValue = "3m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time for one PrepareFlashbackToVersion or FlashbackToVersion call (as TiDB's 3 minutes)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration flashbackCallTimeout;

    @Option(names = "--max-attempts", defaultValue = "8", paramLabel = "N",
            description = "Tries per store and phase (and per PD call) on transient errors. Default: ${DEFAULT-VALUE}.")
    int maxAttempts;
    @Option(names = "--retry-backoff", defaultValue = "500ms", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "First wait before a retry; doubles up to 10 s. Default: ${DEFAULT-VALUE}.")
    Duration retryBackoff;
    @Option(names = "--progress-interval", defaultValue = "10s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often per-store progress is logged. Default: ${DEFAULT-VALUE}.")
    Duration progressInterval;

    @Option(names = "--dry-run", description = "Collect and plan, print the plan summary, change nothing on PD. Not inert:"
            + " its ReadRegionMeta aborts a RecoverRegion in flight on every store (as TiKV does), so it refuses while"
            + " a recovery looks live (another recover's state file with its process alive, PD with paused schedulers"
            + " or schedule limits at 0) unless --force.")
    boolean dryRun;
    @Option(names = "--force", description = "Run even though another recovery looks live: a dry run then interrupts"
            + " its RecoverRegion in flight, a second recover fights it.")
    boolean force;
    @Option(names = "--recover-round-timeout", defaultValue = "5m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Bound of one RecoverRegion round; after it PD's region leaders tell which forced regions"
                    + " could not win, and those move to their next candidate. Default: ${DEFAULT-VALUE}.")
    Duration roundTimeout;
    @Option(names = "--store-watch-interval", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often PD's store start timestamps are read while waiting, to see a TiKV that restarted"
                    + " (its forced leaders are gone and its plan is sent again, R9). BR reads every 30 s."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration storeWatchInterval;
    @Option(names = "--accept-holes",
            description = "Recover even if the surviving regions leave holes in the key space. The data in the holes is LOST.")
    boolean acceptHoles;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the plan here (JSON Lines, SPEC §6).")
    Path output;
    @Option(names = "--summary-json", paramLabel = "FILE", description = "Write the outcome and plan summary as one JSON object here.")
    Path summaryJson;

    @CommandLine.Mixin
    ProgressOptions progress = new ProgressOptions();

    @CommandLine.Mixin
    StatusOptions status = new StatusOptions();

    @picocli.CommandLine.Mixin
    ExpectedStoresOptions stores = new ExpectedStoresOptions();

    @picocli.CommandLine.Mixin
    RecordOptions record = new RecordOptions();

    /** The first timeout flag given as 0, or null: a zero timeout fails every call, so it is a usage error. */
    private String zeroTimeout() {
        String[] names = {"--pd-timeout", "--collect-timeout", "--recover-timeout", "--wait-apply-timeout",
                "--resolve-timeout", "--flashback-timeout", "--flashback-call-timeout"};
        Duration[] values = {pdTimeout, collectTimeout, recoverTimeout, waitApplyTimeout, resolveTimeout,
                flashbackTimeout, flashbackCallTimeout};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null && values[i].isZero()) {
                return names[i];
            }
        }
        return null;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (pdPauseTtl.toSeconds() < 3) {
            err.println("phybr recover: --pd-pause-ttl " + pdPauseTtl.toMillis() + "ms is too short: PD counts TTLs in"
                    + " whole seconds and the pause is refreshed every third of it; give at least 3s.");
            return ExitCode.USAGE.code();
        }
        if (concurrency < 1 || maxAttempts < 1) {
            err.println("phybr recover: --concurrency and --max-attempts must be at least 1.");
            return ExitCode.USAGE.code();
        }
        String zero = zeroTimeout();
        if (zero != null) {
            err.println("phybr recover: " + zero + " must be longer than 0 (it bounds a call or a phase; e.g. 30s).");
            return ExitCode.USAGE.code();
        }
        // Before PD is paused or any store contacted: a plan or summary that cannot be written is refused now.
        String unwritable = OutputFiles.check("--output", output, "--summary-json", summaryJson);
        if (unwritable != null) {
            err.println("phybr recover: " + unwritable + ". Nothing was changed on PD or any store.");
            return ExitCode.USAGE.code();
        }
        OptionalLong resolvedTs;
        BackupMeta.Info meta = null;
        try {
            resolvedTs = ResolvedTsOptions.read(ts);
            if (ts != null && ts.backupMeta != null) {
                meta = BackupMeta.read(ts.backupMeta); // R15: BR's EBS meta also gives the TiKV stores to wait for
            }
        } catch (IOException e) {
            err.println("phybr recover: cannot read the resolved ts from " + ts.backupMeta + ": " + e.getMessage() + ".");
            return ExitCode.BAD_INPUT.code();
        }
        Long resolved = resolvedTs.isPresent() ? resolvedTs.getAsLong() : null;
        if (resolved == null && !dryRun) {
            err.println("phybr recover: give --resolved-ts TS or --backup-meta FILE (only --dry-run goes without).");
            return ExitCode.USAGE.code();
        }
        if (storeWatchInterval.isZero() || roundTimeout.isZero()) {
            err.println("phybr recover: " + (storeWatchInterval.isZero() ? "--store-watch-interval" : "--recover-round-timeout")
                    + " must be more than 0.");
            return ExitCode.USAGE.code();
        }
        if (record.conflict("recover") != null) {
            err.println(record.conflict("recover"));
            return ExitCode.USAGE.code();
        }
        StoreChannels channels;
        SSLContext ssl = null;
        try {
            if (tlsOptions.enabled()) {
                TlsConfig tls = tlsOptions.config();
                ssl = tls.sslContext();
                channels = StoreChannels.netty(tls.grpcContext());
            } else {
                channels = StoreChannels.netty(null);
            }
        } catch (IllegalArgumentException e) {
            err.println("phybr recover: " + e.getMessage() + ".");
            return ExitCode.USAGE.code();
        } catch (IOException | java.security.GeneralSecurityException e) {
            err.println("phybr recover: cannot load the TLS files: " + e.getMessage() + ".");
            return ExitCode.BAD_INPUT.code();
        }
        PdClient pd;
        try {
            pd = new PdClient(PdClient.parseEndpoints(pdAddrs), ssl, pdTimeout);
        } catch (IllegalArgumentException e) {
            err.println("phybr recover: --pd " + pdAddrs + ": " + e.getMessage() + ".");
            return ExitCode.USAGE.code();
        }
        ExpectedStores expected;
        try {
            expected = stores.resolve(meta, dryRun);
        } catch (IllegalArgumentException e) {
            err.println("phybr recover: " + e.getMessage() + ".");
            return ExitCode.USAGE.code();
        }
        StockRecovery.Builder b = StockRecovery.builder().pd(pd).channels(channels).concurrency(concurrency)
                .dryRun(dryRun).acceptHoles(acceptHoles).planOutput(output)
                .timeouts(new Timeouts(collectTimeout, recoverTimeout, waitApplyTimeout, resolveTimeout))
                .retry(new RetryPolicy(maxAttempts, retryBackoff, Duration.ofSeconds(10).compareTo(retryBackoff) > 0
                        ? Duration.ofSeconds(10) : retryBackoff))
                .progressInterval(progressInterval).pdPauseTtl(pdPauseTtl)
                .expectedStores(expected).storeWait(stores.waitTimeout, Duration.ofSeconds(2))
                .roundTimeout(roundTimeout).watchInterval(storeWatchInterval).force(force).finish(finish)
                .flashbackTimeouts(flashbackTimeout, flashbackCallTimeout)
                .runsRoot(RunRecorder.defaultDir("recover").getParent());
        if (resolved != null) {
            b.resolvedTs(resolved);
        }
        java.util.function.Consumer<io.phybr.adviser.progress.PhaseProgress> listener = p -> { };
        try {
            io.phybr.adviser.progress.ProgressFile progressFile = progress.open("recover");
            if (progressFile != null) {
                listener = progressFile;
            }
        } catch (IOException e) {
            err.println("phybr recover: cannot write the progress file " + progress.file + ": " + e.getMessage()
                    + ". Nothing was changed on PD or any store.");
            return ExitCode.FAILURE.code();
        }
        java.util.function.Consumer<io.phybr.adviser.progress.PhaseProgress> live = p -> { };
        io.phybr.adviser.progress.TerminalBar bar;
        try {
            bar = progress.bar(out);
        } catch (IllegalArgumentException e) {
            err.println("phybr recover: " + e.getMessage() + ".");
            return ExitCode.USAGE.code();
        }
        if (bar != null) {
            live = bar;
        }
        java.net.InetSocketAddress statusAddr;
        try {
            statusAddr = status.socketAddress();
        } catch (IllegalArgumentException e) {
            err.println("phybr recover: " + e.getMessage() + ".");
            return ExitCode.USAGE.code();
        }
        io.phybr.adviser.status.StatusServer statusServer = null;
        if (statusAddr != null) {
            io.phybr.adviser.status.PhaseMetrics metrics = new io.phybr.adviser.status.PhaseMetrics();
            try {
                statusServer = io.phybr.adviser.status.StatusServer.start(statusAddr, "recover", metrics);
            } catch (IOException e) {
                err.println("phybr recover: cannot listen on --status-addr " + status.address + ": " + e.getMessage()
                        + ". Nothing was changed on PD or any store.");
                return ExitCode.FAILURE.code();
            }
            org.slf4j.LoggerFactory.getLogger("phybr.recover").atInfo()
                    .addKeyValue("status_addr", statusServer.address().getHostString() + ":" + statusServer.address().getPort())
                    .log("status: serving http://{}:{}/metrics and /status", statusServer.address().getHostString(),
                            statusServer.address().getPort());
            live = live.andThen(metrics);
        }
        b.progressListener(listener);
        b.liveProgressListener(live);
        try (io.phybr.adviser.status.StatusServer ignored = statusServer) {
            return recover(b, resolved, expected.describe(), out, err);
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
    }

    private int recover(StockRecovery.Builder b, Long resolved, String expectedStores, PrintWriter out, PrintWriter err) {
        if (concurrency > StockRecovery.MAX_CONCURRENCY) {
            err.println("phybr recover: --concurrency " + concurrency + " capped at " + StockRecovery.MAX_CONCURRENCY + ".");
        }
        // Opened last, so that a command line refused above leaves no recording behind.
        if (output != null) {
            String removed = OutputFiles.removeOlder(output);
            if (removed != null) {
                err.println("phybr recover: " + removed + ".");
            }
        }
        RunRecorder recorder = record.open("recover", new RunInfo("recover", Policy.BR, Protocol.STOCK, acceptHoles,
                        spec.commandLine().getParseResult().originalArgs(),
                        resolved == null ? OptionalLong.empty() : OptionalLong.of(resolved), expectedStores));
        b.recorder(recorder);
        StockRecovery recovery = b.build();
        Thread hook = RestorePdHook.create(recovery, recorder, RestorePdHook.budget(pdTimeout), pdPauseTtl);
        Runtime.getRuntime().addShutdownHook(hook);
        Outcome outcome;
        try {
            outcome = recovery.run(); // finishes the recording with the outcome
        } finally {
            recorder.close(); // only if run() threw: ends the recording as an internal error
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
        if (outcome.ok()) {
            out.println("phybr recover: " + outcome.verdict());
            out.flush();
        } else {
            err.println("phybr recover: " + outcome.verdict());
            err.flush();
        }
        if (summaryJson != null) {
            try {
                AtomicFiles.writeString(summaryJson, outcome.toJson() + "\n");
            } catch (IOException e) {
                err.println("phybr recover: cannot write the summary to " + summaryJson + ": " + AtomicFiles.reason(e)
                        + "; no summary file was left there (the recovery itself ended as said above).");
                return outcome.ok() ? ExitCode.FAILURE.code() : outcome.exitCode().code();
            }
        }
        return outcome.exitCode().code();
    }
}
