package io.phybr.adviser.flashback;

import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.text.Texts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The operator's paragraphs of the flashback finish: what happened, to which stores and regions, and the way out. */
public final class FlashbackTexts {
    private FlashbackTexts() {
    }

    /** Why the finish is what it is, for the log and the recording. */
    public static String chosen(Finish finish, boolean asked, List<PdStore> stores) {
        if (asked) {
            return finish + " (--finish " + finish + ")";
        }
        return finish + (finish == Finish.FLASHBACK
                ? " (default: PD lists every TiKV at " + TikvVersion.FLASHBACK_SAFE + " or later)"
                : " (default: " + tooOldList(stores) + ")");
    }

    /** The stores whose version rules the flashback out, e.g. "store 2 is v6.3.0, store 3 did not say". */
    static String tooOldList(List<PdStore> stores) {
        List<String> out = new ArrayList<>();
        for (PdStore s : FinishChoice.tooOld(stores)) {
            out.add("store " + s.id() + " (" + s.address() + ") " + (TikvVersion.parse(s.version()).isPresent()
                    ? "runs TiKV " + s.version() : s.version() == null || s.version().isBlank()
                    ? "has no version in PD's store list" : "has version \"" + s.version() + "\" which is not x.y.z"));
        }
        StringBuilder sb = new StringBuilder();
        Texts.appendListed(sb, out, out.size());
        return sb.toString();
    }

    /** {@code --finish flashback} on stores that cannot flash back: refused before anything changes. */
    public static String tooOld(List<PdStore> stores) {
        return "--finish flashback needs TiKV " + TikvVersion.FLASHBACK_SAFE + " or later on every store"
                + " (PrepareFlashbackToVersion/FlashbackToVersion came in 6.4, whose flashback of the last region is"
                + " wrong: tikv#13931), but " + tooOldList(stores) + ". Nothing was changed on any store; finish the BR"
                + " 6.x way with --finish resolve (WaitApply, then ResolveKvData), the default for these versions.";
    }

    /** A store answered UNIMPLEMENTED to a flashback call although PD's version did not rule it out. */
    public static String unimplemented(Stage stage, long store, String detail) {
        return "store " + store + " does not serve " + stage.rpc() + " (" + detail + "): its TiKV is too old for"
                + " the flashback finish (it needs " + TikvVersion.FLASHBACK_SAFE + " or later) although PD lists a newer"
                + " version. Regions other stores lead may already be prepared; they refuse reads and writes until a"
                + " flashback finishes them, which --finish resolve does not do: upgrade that TiKV and run recover again"
                + " (it reuses this run's flashback timestamps).";
    }

    /**
     * A rerun that would finish by resolve after a run that entered the flashback stages: refused.
     * {@code defaultWhy}: why resolve was the default (null when --finish resolve was asked).
     */
    public static String resolveAfterPrepared(String run, String phase, FlashbackTs ts, String defaultWhy) {
        return run + " stopped in its " + phase + " stage (" + ts.describe() + "): the regions it prepared stay in"
                + " the flashback state, refusing every read and write but the flashback's, and the resolve finish"
                + " (WaitApply, then ResolveKvData) does not take them out of it — the cluster would restart with those"
                + " regions refusing every request. This run finishes by "
                + (defaultWhy == null ? "resolve because --finish resolve was given" : defaultWhy)
                + ". Nothing was changed on any store. Run recover again with --finish flashback: it reuses those"
                + " timestamps, prepares what is left and flashes every region back (a region already done answers at"
                + " once)" + (defaultWhy == null ? "." : "; a TiKV too old for the flashback must be upgraded first.");
    }

    /** PD gave no timestamp. */
    public static String noTso(String pd, String why, boolean unimplemented) {
        return "PD at " + pd + " gave no timestamp over pdpb Tso (" + why + ")"
                + (unimplemented ? ": this PD does not serve PD's gRPC API on that address" : "")
                + ". The flashback finish writes the rewritten versions with a fresh PD timestamp, so it cannot run"
                + " without one. Nothing was changed on any store; check that --pd names PD's client URL (gRPC and HTTP"
                + " share it) and that PD has a leader, or finish with --finish resolve, which needs no timestamp.";
    }

    /** PD's timestamp is not above the resolved ts: a flashback there would rewrite nothing, or PD's clock is wrong. */
    public static String tsoNotAbove(String pd, long tso, long resolvedTs) {
        return "PD at " + pd + " answered the timestamp " + Long.toUnsignedString(tso) + ", which is not above the"
                + " resolved ts " + Long.toUnsignedString(resolvedTs) + ": PD's TSO must be ahead of every commit in the"
                + " backup (was PD restored from the same backup? is --resolved-ts the backup's?). Nothing was changed"
                + " on any store.";
    }

    /** A stage's workers did not end in time (a call that did not honour its deadline). */
    static String stageHung(Stage stage, int done, int total, Duration timeout) {
        return stage + " did not end within --flashback-timeout " + Texts.duration(timeout) + ": " + done + " of "
                + total + " planned regions " + stage.done() + "; a store call did not return. Run recover again: it"
                + " reuses this run's flashback timestamps.";
    }

    /** Regions that stayed unprepared / not flashed back, each with where it stuck and the last answer. */
    static String stuck(Stage stage, List<RegionWalk.Stuck> stuck, int total, int done, FlashbackTs ts, Duration timeout,
                        int attempts) {
        List<String> lines = new ArrayList<>();
        for (RegionWalk.Stuck s : stuck) {
            lines.add(s.span().describe() + " at key " + Keys.show(s.cursor()) + ": "
                    + (s.route() == null ? "" : "last routed to " + s.route().describe() + ", ")
                    + (s.timedOut() ? "out of time" : s.tries() + " tries") + ", last: " + s.lastAnswer());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(stage == Stage.PREPARE ? "Regions stay unprepared" : "The flashback did not finish").append(": ")
                .append(stuck.size()).append(" of ").append(total).append(" planned regions were not ").append(stage.done())
                .append(" (").append(stage.rpc()).append(", ").append(ts.describe()).append(", up to ").append(attempts)
                .append(" tries per region within --flashback-timeout ").append(Texts.duration(timeout)).append("; ")
                .append(done).append(" were): ");
        Texts.appendListed(sb, lines, lines.size());
        sb.append(". ").append(stage == Stage.PREPARE
                ? "Nothing was flashed back yet; the regions already prepared refuse reads and writes until a flashback"
                + " finishes them."
                : "The regions not flashed back stay in the flashback state (they refuse reads and writes), some of"
                + " their keys maybe rewritten.");
        sb.append(" Check the named stores and PD's region leaders, then run recover again: it reuses these flashback"
                + " timestamps, and a region already flashed back answers at once.");
        return sb.toString();
    }

    /** The verdict of a recovery finished by flashback. */
    public static String recovered(int stores, long kept, long dropped, long regions, FlashbackTs ts) {
        return "recovered " + stores + " stores: " + kept + " regions kept, " + dropped + " dropped; finished by"
                + " flashback: " + regions + " regions flashed back to the resolved ts " + Long.toUnsignedString(ts.version())
                + " (start ts " + Long.toUnsignedString(ts.startTs()) + ", commit ts " + Long.toUnsignedString(ts.commitTs())
                + "); PD scheduling restored and the snapshot-recovering marker removed. Restart the TiKVs normally.";
    }
}
