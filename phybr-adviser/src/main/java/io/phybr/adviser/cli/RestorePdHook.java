package io.phybr.adviser.cli;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.stock.StockRecovery;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The shutdown hook of {@code recover} (Ctrl-C, SIGTERM): puts PD back within a bounded time. The restore runs on
 * its own daemon thread and the hook waits for it at most {@code budget}; it never waits on anything a hung call of
 * the run holds (issue 14 item 3). If PD does not answer in time, the pauses still end by their TTL.
 */
final class RestorePdHook {
    private RestorePdHook() {
    }

    /** How long the hook waits: every PD call is bounded by {@code pdTimeout}; a restore makes a few. */
    static Duration budget(Duration pdTimeout) {
        return pdTimeout.multipliedBy(3).plusSeconds(5);
    }

    static Thread create(StockRecovery recovery, RunRecorder recorder, Duration budget, Duration pauseTtl) {
        return new Thread(() -> {
            CompletableFuture<String> restore = new CompletableFuture<>();
            Thread worker = new Thread(() -> restore.complete(recovery.restorePd()), "phybr-restore-pd-worker");
            worker.setDaemon(true);
            worker.start();
            String message;
            try {
                String problem = restore.get(budget.toMillis(), TimeUnit.MILLISECONDS);
                message = "interrupted during " + recovery.phase() + "; " + (problem == null
                        ? "PD scheduling is as before the run, verified (the snapshot-recovering marker stays)."
                        : problem + ".");
            } catch (TimeoutException e) {
                message = "interrupted during " + recovery.phase() + "; PD did not confirm the restore within "
                        + budget.toSeconds() + " s, so PD's scheduling is NOT verified restored: its pauses expire by"
                        + " themselves within " + pauseTtl.toSeconds() + " s, and a rerun of recover puts the operator's"
                        + " values back.";
            } catch (Exception e) {
                message = "interrupted during " + recovery.phase() + "; restoring PD failed: " + e + ".";
            }
            System.err.println("phybr recover: " + message);
            System.err.flush();
            recorder.finish(ExitCode.FAILURE, message, message); // no-op if the run ended first
        }, "phybr-restore-pd");
    }
}
