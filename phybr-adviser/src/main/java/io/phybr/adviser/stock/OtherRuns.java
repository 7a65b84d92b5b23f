package io.phybr.adviser.stock;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.pd.PdStore;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What other recover runs (their {@link RunState} files beside this run's directory) mean for this one: a live one
 * is not interrupted silently (R6), and the waits a killed or unproven one may have left pending are not trusted
 * (R10) until the store restarts.
 */
final class OtherRuns {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    private OtherRuns() {
    }

    /**
     * A dry run's ReadRegionMeta aborts a RecoverRegion in flight (R6), and a second recover would fight the first:
     * refuse when another recover is live (its process alive, or not ended on another host) or, for a dry run, when
     * PD shows a recovery holding scheduling, unless forced.
     */
    static void refuseIfLive(List<RunState.Other> others, PdClient pd, PdRetry pdRetry, boolean dryRun, boolean force)
            throws PhaseFailure {
        List<String> signs = new ArrayList<>();
        for (RunState.Other o : others) {
            if (o.maybeLive()) {
                signs.add(o.describe() + " is in its " + o.phase() + " phase");
            }
        }
        if (dryRun) {
            signs.addAll(LiveRecoverySigns.fromPd(pd, pdRetry));
        }
        if (signs.isEmpty()) {
            return;
        }
        if (force) {
            LOG.warn("{}: going on although {} (--force)", dryRun ? "dry run" : "recover", String.join("; ", signs));
            return;
        }
        throw new PhaseFailure(ExitCode.FAILURE, StockTexts.liveRecovery(signs, dryRun));
    }

    /**
     * Stores on which an earlier run (killed, or failed unproven) may have left a RecoverRegion or WaitApply pending
     * stay unproven until they restart (R10): their start timestamp now must differ from the one that run saw.
     */
    static void inheritPending(List<RunState.Other> others, StoreWatch watch, List<PdStore> stores) {
        for (PdStore s : stores) {
            for (RunState.Other o : others) {
                Long then = o.startTs().get(s.id());
                if (then == null || then == 0 || then != s.startTimestamp()) {
                    continue;
                }
                // Only RecoverRegion and WaitApply leave waits behind; later phases started from a proven barrier.
                boolean killedMidway = !o.ended() && !o.maybeLive() && !o.phaseDone()
                        && (Phase.RECOVER.label().equals(o.phase()) || Phase.WAIT_APPLY.label().equals(o.phase()));
                String why = o.unproven().get(s.id());
                if (killedMidway) {
                    watch.interrupted(s.id(), StockTexts.inheritedKilled(o.describe(), o.phase()));
                    break;
                } else if (why != null) {
                    watch.interrupted(s.id(), StockTexts.inheritedUnproven(o.describe(), why));
                    break;
                }
            }
        }
    }
}
