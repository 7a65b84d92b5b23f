package io.phybr.adviser.stock;

import io.phybr.adviser.text.Texts;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanSummary;
import java.time.Duration;
import java.util.List;

/**
 * Every sentence a stock recovery says to the operator — verdicts, diagnoses, per-store failures — in
 * one place, so their wording can be reviewed together. Each diagnosis is one paragraph naming the
 * stores (and where known the regions) concerned; the exit code goes with it at the call site.
 */
final class StockTexts {
    private StockTexts() {
    }

    // ---- verdicts of a run ---------------------------------------------------------------------

    static String notMarked(String pdAuthority) {
        return "PD (" + pdAuthority + ") is not marked snapshot-recovering, so the TiKVs are not in recovery mode;"
                + " nothing was changed. Mark it (POST " + PdClient.MARKER + ") before starting the TiKVs from the"
                + " restored volumes, then run recover again.";
    }

    static String noTikvStores(int listed) {
        return "PD lists no TiKV store (" + listed + " stores, all TiFlash or tombstone); nothing was changed.";
    }

    static String dryRun(long replicas, int stores, Plan plan) {
        return "dry run: collected " + replicas + " region metas from " + stores + " stores and planned "
                + plan.commandCount() + " commands; nothing was changed on PD or any store.";
    }

    static String recovered(int stores, Plan plan, long keysDeleted, long resolvedTs) {
        PlanSummary s = plan.summary();
        return "recovered " + stores + " stores: " + s.regionsKept() + " regions kept, " + s.regionsDropped()
                + " dropped, " + (plan.commandCount() - s.tombstoneCommands()) + " leaders forced, "
                + s.tombstoneCommands() + " tombstone requests, " + keysDeleted + " keys newer than ts " + resolvedTs
                + " deleted; PD scheduling restored and the snapshot-recovering marker removed. Restart the TiKVs"
                + " normally.";
    }

    static String recoveredButPdNotRestored(String problem) {
        return "the stores are recovered, but " + problem + "; the snapshot-recovering marker was left in place.";
    }

    static String pdFailed(Phase phase, String message) {
        return phase + " failed talking to PD: " + message + ".";
    }

    static String planNotWritten(Phase phase, String message) {
        return phase + " failed writing the plan: " + message + ".";
    }

    static String internal(Phase phase, Exception e) {
        return "internal error in " + phase + ": " + e + ". Please report it.";
    }

    /** Appended to a verdict when PD's scheduling could not be put back. */
    static String alsoPdNotRestored(String problem) {
        return " Also, " + problem + ".";
    }

    /** Appended to a failed run's verdict once PD's scheduling was put back. */
    static String pdRestoredMarkerStays() {
        return " PD scheduling was restored; the snapshot-recovering marker stays so the TiKVs remain in recovery"
                + " mode for another run.";
    }

    // ---- one phase over many stores ------------------------------------------------------------

    static String store(PdStore s) {
        return "store " + s.id() + " (" + s.address() + ")";
    }

    static String phaseFailed(Phase phase, int failed, int total, List<String> failures) {
        return phase + " failed on " + failed + " of " + total + " stores (" + (total - failed) + " finished): "
                + String.join("; ", failures) + ".";
    }

    static String storeDidNotFinish(PdStore s, Duration timeout) {
        return store(s) + " did not finish within " + Texts.duration(timeout);
    }

    static String storeTimedOut(PdStore s, Phase phase, int attempt, long count, String unit) {
        return store(s) + " did not finish within the " + phase + " timeout (attempt " + attempt + ", " + count + " "
                + unit + " so far)";
    }

    static String notInRecoveryMode(PdStore s) {
        return store(s) + " does not serve recover_data.RecoverData: it is not in recovery mode (was PD marked"
                + " snapshot-recovering before the TiKV started?)";
    }

    static String storeInternal(PdStore s, Throwable e) {
        return store(s) + ": internal error " + e;
    }

    static String storeFailed(PdStore s, String why) {
        return store(s) + " failed: " + why;
    }

    static String storeGaveUp(PdStore s, int attempts, String why) {
        String reach = why.startsWith("UNAVAILABLE") ? " is unreachable" : " kept failing";
        return store(s) + reach + " after " + attempts + " attempts (last: " + why + ")";
    }
}
