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

    static String badAddress(io.phybr.adviser.pd.PdStore s, String problem) {
        return "PD lists store " + s.id() + " at address \"" + io.phybr.contract.text.Printable.escape(s.address(), 80)
                + "\", and " + problem + ", so no gRPC call can reach that store; nothing was changed. Check the"
                + " store's advertise-addr as PD shows it (pd-ctl store " + s.id() + "), then run recover again.";
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
        boolean unreachable = why.startsWith("UNAVAILABLE");
        return store(s) + (unreachable ? " is unreachable" : " kept failing") + " after " + attempts + " attempts (last: "
                + why + ")" + (unreachable ? "; PD lists it, so its TiKV registered and then stopped serving. "
                + Texts.NEVER_STARTED : "");
    }

    static String storeTls(PdStore s, String why) {
        return "the TLS handshake with " + store(s) + " failed: " + why;
    }

    // ---- RecoverRegion rounds (R3, R4, R6) ------------------------------------------------------

    static String recoverInterrupted(io.grpc.Status.Code code) {
        return "its RecoverRegion ended with " + code + " after the store had every command, so leader-apply waits"
                + " of that call may still be pending there";
    }

    static String recoverAbandonedInApply() {
        return "its RecoverRegion did not answer although PD shows every forced leader leading, so the call's"
                + " leader-apply waits may still be pending there";
    }

    static String losersNotSent(PdStore s, java.util.Set<Long> losing) {
        return store(s) + " was not sent its new forced leaders because stores " + losing + " did not take their"
                + " newer RecoverRegion in time (forcing both would make the old and the new leader fight)";
    }

    static String recoverStuckPdCannotTell(List<PdStore> stores, Assignment a, Duration bound, String pdError) {
        StringBuilder sb = new StringBuilder("recover: RecoverRegion did not answer within the round bound of ")
                .append(Texts.duration(bound)).append(" on ").append(stores.size()).append(" stores: ");
        appendStoresWithLeaders(sb, stores, a);
        return sb.append(". TiKV answers only once every forced leader of the call leads and applied (R3, R4), and PD"
                + " could not tell which of these regions have no leader (").append(pdError).append("), so none was"
                + " moved to another candidate. Nothing was resolved. Check those regions in PD (GET "
                + PdClient.REGION_BY_ID + "<id>) and the TiKV logs (leader keeper), then run recover again; exit 4.")
                .toString();
    }

    static String recoverLeadersNotApplied(List<PdStore> stores, Duration bound) {
        StringBuilder sb = new StringBuilder("recover: RecoverRegion did not answer within the round bound of ")
                .append(Texts.duration(bound)).append(" on ").append(storeList(stores));
        return sb.append(" although PD shows every forced leader there leading. PD knows leaders only from their"
                + " heartbeats and keeps the last one it heard, so this has two causes PD cannot tell apart: those"
                + " leaders won but have not applied to their last index (a hung apply, R8), or PD's leader is stale"
                + " (heard before this recovery, or before the store restarted) and the forced replica cannot win an"
                + " election (R3: it needs a majority of the region's voters alive and no more up to date than it)."
                + " The store's TiKV log tells which: \"finished leader keeper stepping\" listing the region in"
                + " failed_leader again every 10 s is R3; \"all region leader assigned done\" with no \"all region"
                + " leader apply to last log\" after it is R8. Nothing was moved and nothing was resolved. Waits may"
                + " stay pending in those TiKVs: restart them (their data stays) and run recover again, which sends"
                + " their plans again; exit 4.").toString();
    }

    static String recoverUnwinnable(java.util.Map<Long, String> regions, int rounds, Duration bound, boolean outOfTime) {
        StringBuilder sb = new StringBuilder("recover: ").append(regions.size())
                .append(regions.size() == 1 ? " region has" : " regions have").append(" no leader after ")
                .append(rounds).append(rounds == 1 ? " round" : " rounds").append(" of RecoverRegion (").append(Texts.duration(bound))
                .append(" each)").append(outOfTime ? " and the recover timeout ran out" : "").append(": ");
        int n = 0;
        for (java.util.Map.Entry<Long, String> e : regions.entrySet()) {
            if (n++ >= Texts.MAX_LISTED) {
                sb.append("; … ").append(regions.size() - Texts.MAX_LISTED).append(" more");
                break;
            }
            sb.append(n == 1 ? "" : "; ").append("region ").append(e.getKey()).append(": ").append(e.getValue());
        }
        return sb.append(". A forced leader wins only an ordinary election (R3): a majority of the region's voters must"
                + " be alive and hold no more up-to-date log (last entry term, then last index) than the candidate; a"
                + " hard-state term above the last entry's term (R2) can hide a shorter log. Either the majority of"
                + " these regions sits on stores that were not restored, or every live candidate lacks entries a"
                + " majority holds. Nothing was resolved; restore the missing stores (or their volumes) and run recover"
                + " again; exit 4.").toString();
    }

    /** One region merged away during RecoverRegion: where its range went, as PD shows it. */
    static String mergedInto(long region, long store, io.phybr.adviser.pd.PdRegion into) {
        return "region " + region + " (forced on store " + store + ") was merged into region " + into.id()
                + " (PD: version " + into.version() + ", leader on store " + into.leaderStore() + ", range "
                + range(into.startKey(), into.endKey()) + ")";
    }

    /** {@code [start, end)} in hex, an empty end shown as +inf. */
    private static String range(byte[] start, byte[] end) {
        java.util.HexFormat hex = java.util.HexFormat.of();
        return "[" + hex.formatHex(start) + ", " + (end.length == 0 ? "+inf" : hex.formatHex(end)) + ")";
    }

    static String recoverMergedAwayOutOfTime(java.util.Map<Long, String> merged, int rounds, Duration bound) {
        StringBuilder sb = new StringBuilder("recover: the recover timeout ran out after ").append(rounds)
                .append(rounds == 1 ? " round" : " rounds").append(" of RecoverRegion (").append(Texts.duration(bound))
                .append(" each) while forced regions were merged away: ");
        int n = 0;
        for (String m : merged.values()) {
            if (n++ >= Texts.MAX_LISTED) {
                sb.append("; … ").append(merged.size() - Texts.MAX_LISTED).append(" more");
                break;
            }
            sb.append(n == 1 ? "" : "; ").append(m);
        }
        return sb.append(". A merge that commits during RecoverRegion destroys its source region, so TiKV's"
                + " LeaderKeeper gets RegionNotFound for it forever and that store's call never answers (R4); the data"
                + " is in the merge target. No time was left to send those stores their commands without the merged"
                + " regions. Nothing was resolved; run recover again with a longer --recover-timeout; exit 4.").toString();
    }

    static String candidatesOf(long region, List<RecoverRounds.Candidate> candidates, List<Long> tried,
                               java.util.Set<Long> stores) {
        if (candidates.isEmpty()) {
            return "no live replica on the " + stores.size() + " stores taking part";
        }
        StringBuilder sb = new StringBuilder("candidates ");
        for (int i = 0; i < candidates.size(); i++) {
            RecoverRounds.Candidate c = candidates.get(i);
            int round = tried.indexOf(c.store());
            sb.append(i == 0 ? "" : ", ").append("store ").append(c.store()).append(" (last_log_term ")
                    .append(c.lastLogTerm()).append(", last_index ").append(c.lastIndex()).append(round < 0
                            ? ", not tried)" : ", forced in round " + (round + 1) + ", never led)");
        }
        return sb.toString();
    }

    private static void appendStoresWithLeaders(StringBuilder sb, List<PdStore> stores, Assignment a) {
        for (int i = 0; i < stores.size(); i++) {
            List<Long> leaders = a.leaders(stores.get(i).id());
            sb.append(i == 0 ? "" : "; ").append(store(stores.get(i))).append(" forcing ").append(leaders.size())
                    .append(" leaders (regions ");
            for (int k = 0; k < leaders.size() && k < Texts.MAX_LISTED; k++) {
                sb.append(k == 0 ? "" : ", ").append(leaders.get(k));
            }
            sb.append(leaders.size() > Texts.MAX_LISTED ? ", … " + (leaders.size() - Texts.MAX_LISTED) + " more)" : ")");
        }
    }

    // ---- the apply barrier (R8, R9, R10) ------------------------------------------------------

    static String waitApplyInterrupted(io.grpc.Status.Code code) {
        return "its WaitApply ended with " + code + " before the store answered, so that wait may still be pending"
                + " there";
    }

    static String storeApplyNotProven(PdStore s, String why, boolean timestampsKnown) {
        return store(s) + ": " + why + "; a second WaitApply on TiKV answers success at once while the first is"
                + " pending (R10), so its apply is not proven, and PD " + (timestampsKnown
                ? "shows no restart of it since (start timestamp unchanged)" : "reports no start timestamp to see a restart by");
    }

    static String applyNotProven(java.util.Map<Long, String> unproven, StoreWatch watch) {
        StringBuilder sb = new StringBuilder("wait-apply: the apply of ").append(unproven.size())
                .append(unproven.size() == 1 ? " store is" : " stores are").append(" not proven: ");
        int n = 0;
        for (java.util.Map.Entry<Long, String> e : unproven.entrySet()) {
            sb.append(n++ == 0 ? "" : "; ").append(store(watch.store(e.getKey()))).append(": ").append(e.getValue());
        }
        return sb.append(". ").append(notProvenWayOut()).toString();
    }

    /** The sentence after an unproven apply: what was not done and the way out. */
    static String notProvenWayOut() {
        return "ResolveKvData was not started on any store: it deletes outside Raft, and entries applied after it would"
                + " bring back writes newer than the resolved ts. Restart the named TiKVs (their data stays; the restart"
                + " drops the pending waits) and run recover again: it sends their plans again and waits anew; exit 5.";
    }

    static String keepsRestarting(PdStore s, int restarts) {
        return store(s) + " keeps restarting (" + restarts + " restarts seen in PD's start timestamp during this"
                + " recovery); each restart drops its forced leaders (R9) and the waits on it start over. Find why it"
                + " restarts (its log, OOM, disk) and run recover again";
    }

    static String waitApplyTimedOut(List<PdStore> waiting, int total, Duration timeout, List<PdStore> withoutPlan) {
        StringBuilder sb = new StringBuilder("wait-apply: ").append(waiting.size()).append(" of ").append(total)
                .append(" stores did not answer WaitApply within ").append(Texts.duration(timeout)).append(": ")
                .append(storeList(waiting));
        if (!withoutPlan.isEmpty()) {
            sb.append(". ").append(storeList(withoutPlan)).append(withoutPlan.size() == 1 ? " restarted (PD shows a new start timestamp) and its" : " restarted (PD"
                    + " shows new start timestamps) and their").append(" plan was not through again by the"
                    + " timeout (the port did not serve, or RecoverRegion did not answer): the waits on the other stores"
                    + " hang on the forced leaders that restart lost (R9); check that TiKV is up and serving");
        }
        return sb.append(". WaitApply waits until every peer on the store applied to its last index; it hangs on a"
                + " follower whose tail is uncommitted entries of an older term that the new leader never replicates"
                + " (tikv#16307), on stale peers of removed regions without a leader (tidb#50315), and on regions whose"
                + " leader was lost in a restart (R9). ResolveKvData was not started. The pending waits stay in those TiKVs: restart them (their data stays) and run recover again;"
                + " if the same stores hang again, finish with a flashback to the resolved ts (BR 7.x), which needs no"
                + " WaitApply; exit 4.").toString();
    }

    // ---- other runs (R6, R10) ------------------------------------------------------------------

    static String liveRecovery(List<String> signs, boolean dryRun) {
        return (dryRun ? "dry run" : "recover") + " refused: a recovery looks live: " + String.join("; ", signs) + ". "
                + (dryRun ? "A dry run's ReadRegionMeta aborts every RecoverRegion in flight (R6), which would interrupt"
                + " that recovery." : "Two recoveries would abort each other's RecoverRegion (R6) and force different"
                + " leaders.") + " Nothing was changed and nothing was sent to any store. Wait for it to end, or give"
                + " --force to go on anyway; exit 5.";
    }

    static String inheritedKilled(String run, String phase) {
        return run + " ended without finishing (killed?) in its " + phase + " phase, and the store has not restarted"
                + " since (same start timestamp), so that run's RecoverRegion or WaitApply may still be pending there";
    }

    static String inheritedUnproven(String run, String why) {
        return run + " left it unproven (" + why + ") and the store has not restarted since";
    }

    /** Every store of a list as {@link #store}, comma-separated. */
    private static String storeList(List<PdStore> stores) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stores.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(store(stores.get(i)));
        }
        return sb.toString();
    }

    /** The first stores of a list as {@code id@address}, for the log. */
    static String describeStores(List<PdStore> stores) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stores.size() && i < 16; i++) {
            sb.append(i == 0 ? "" : ", ").append(stores.get(i).id()).append('@').append(stores.get(i).address());
        }
        if (stores.size() > 16) {
            sb.append(", … ").append(stores.size() - 16).append(" more");
        }
        return sb.toString();
    }
}
