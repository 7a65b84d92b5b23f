package io.phybr.mock.fault;

import io.grpc.Status;
import io.phybr.mock.fault.Fault.Rpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The one keyword table of scenario fault lines, used both ways: {@link #parse} reads a {@code fault ...} line and
 * {@link #render} writes a fault back as that line (round trip tested). One row per variant of {@link Fault}:
 * <pre>
 * fault store S absent | slow DURATION | no-close | disconnect-before-close | reboot-after-apply
 * fault store S duplicate|reversed-range|unknown-field region R
 * fault store S crash-mid-stream|reset-stream after N
 * fault store S rpc RPC fail CODE [times N]              RPC: read-region-meta, recover-region, wait-apply,
 * fault store S rpc RPC reset after K [times N]               resolve-kv-data; CODE: a gRPC status name
 * fault store S rpc RPC error-reply WORD [times N]
 * fault store S rpc RPC restart [after K] [times N]
 * fault store S rpc RPC restart-after-answer [times N]
 * fault store S rpc RPC busy [times N]                   RPC: prepare-flashback, flashback, kv-get (tikvpb)
 * fault store S rpc RPC split region R at HEX-KEY new-region C [times N]
 * fault store S rpc RPC leader-moves region R to-store T [times N]
 * fault store S tikv-version VERSION                     (before 6.4.0: no flashback RPCs, UNIMPLEMENTED)
 * fault pd METHOD PATH-PREFIX status HTTP-STATUS [times N]   METHOD: GET, POST, DELETE or *
 * fault pd METHOD PATH-PREFIX stall|stall-mid-body [times N]
 * fault store S isolated-until-wait-apply                    no Raft messages until its first WaitApply (tikv#16307)
 * fault store S refuse-votes for DURATION                    drops vote requests after each start (tikv#15296)
 * fault store S earlier-recover-region region R              a killed run's RecoverRegion still forces R (tidb-operator#5297)
 * fault pd unmarked                                          R0: no marker, no store in recovery mode
 * fault pd register store S after N                          R14: S registers after N store listings without it
 * fault pd stale-leader region R store S                     PD shows S as R's leader from the start
 * fault pd restart store S at-listing N                      R9: S restarts as PD answers its N-th store listing
 * fault pd paused scheduler NAME for DURATION                R12: the operator paused NAME before the restore
 * fault pd killed-run-left-paused for DURATION               R12: a killed BR left its pauses and TTL items live
 * </pre>
 */
public final class FaultSyntax {
    private FaultSyntax() {
    }

    /** A parse error; the scenario parser adds the file and line. */
    public static final class SyntaxError extends RuntimeException {
        SyntaxError(String msg) {
            super(msg);
        }
    }

    /** One keyword: its form (for messages), how to read its words and how to write them back. */
    private record Row(String word, String form, Class<? extends Fault> type, Function<FaultWords, Fault> parse,
                       Function<Fault, String> render) {
    }

    private static final List<Row> STORE_ROWS = List.of(
            row("absent", "", Fault.Absent.class, w -> new Fault.Absent(w.store), f -> ""),
            row("slow", " DURATION", Fault.Slow.class, w -> new Fault.Slow(w.store, w.duration()),
                    f -> " " + ((Fault.Slow) f).delay().toMillis() + "ms"),
            row("duplicate", " region R", Fault.Duplicate.class, w -> new Fault.Duplicate(w.store, w.region()),
                    f -> " region " + ((Fault.Duplicate) f).region()),
            row("reversed-range", " region R", Fault.ReversedRange.class,
                    w -> new Fault.ReversedRange(w.store, w.region()),
                    f -> " region " + ((Fault.ReversedRange) f).region()),
            row("unknown-field", " region R", Fault.UnknownField.class,
                    w -> new Fault.UnknownField(w.store, w.region()),
                    f -> " region " + ((Fault.UnknownField) f).region()),
            row("crash-mid-stream", " after N", Fault.CrashMidStream.class,
                    w -> new Fault.CrashMidStream(w.store, w.after()),
                    f -> " after " + ((Fault.CrashMidStream) f).after()),
            row("reset-stream", " after N", Fault.ResetStream.class, w -> new Fault.ResetStream(w.store, w.after()),
                    f -> " after " + ((Fault.ResetStream) f).after()),
            row("disconnect-before-close", "", Fault.DisconnectBeforeClose.class,
                    w -> new Fault.DisconnectBeforeClose(w.store), f -> ""),
            row("no-close", "", Fault.NoClose.class, w -> new Fault.NoClose(w.store), f -> ""),
            row("reboot-after-apply", "", Fault.RebootAfterApply.class, w -> new Fault.RebootAfterApply(w.store),
                    f -> ""),
            row("tikv-version", " VERSION", Fault.TikvVersion.class,
                    w -> new Fault.TikvVersion(w.store, w.word("TiKV version")),
                    f -> " " + ((Fault.TikvVersion) f).version()),
            row("isolated-until-wait-apply", "", Fault.IsolatedUntilWaitApply.class,
                    w -> new Fault.IsolatedUntilWaitApply(w.store), f -> ""),
            row("earlier-recover-region", " region R", Fault.EarlierRecoverRegion.class,
                    w -> new Fault.EarlierRecoverRegion(w.store, w.region()),
                    f -> " region " + ((Fault.EarlierRecoverRegion) f).region()),
            row("resolve-batch", " N", Fault.ResolveBatch.class,
                    w -> new Fault.ResolveBatch(w.store, w.positive("keys per batch", (int) Math.min(Integer.MAX_VALUE, w.number("keys per batch")))),
                    f -> " " + ((Fault.ResolveBatch) f).keys()),
            row("refuse-votes", " for DURATION", Fault.RefusesVotesAfterStart.class,
                    w -> new Fault.RefusesVotesAfterStart(w.store, w.forDuration()),
                    f -> " for " + ((Fault.RefusesVotesAfterStart) f).period().toMillis() + "ms"));

    /** After {@code fault pd}: what PD sees of the cluster ({@link Fault.PdEvent}). */
    private static final List<Row> PD_EVENT_ROWS = List.of(
            row("unmarked", "", Fault.Unmarked.class, w -> new Fault.Unmarked(), f -> ""),
            row("register", " store S after N", Fault.RegisterLate.class,
                    w -> new Fault.RegisterLate(w.storeWord(), w.positive("listings", w.after())),
                    f -> " store " + ((Fault.RegisterLate) f).store() + " after " + ((Fault.RegisterLate) f).listings()),
            row("stale-leader", " region R store S", Fault.StaleLeader.class,
                    w -> new Fault.StaleLeader(w.region(), w.storeWord()),
                    f -> " region " + ((Fault.StaleLeader) f).region() + " store " + ((Fault.StaleLeader) f).store()),
            row("paused", " scheduler NAME for DURATION", Fault.OperatorPaused.class,
                    w -> new Fault.OperatorPaused(w.wordAfter("scheduler", "scheduler name"), w.pause()),
                    f -> " scheduler " + ((Fault.OperatorPaused) f).scheduler() + " for "
                            + ((Fault.OperatorPaused) f).delay().toSeconds() + "s"),
            row("killed-run-left-paused", " for DURATION", Fault.KilledRunLeftPaused.class,
                    w -> new Fault.KilledRunLeftPaused(w.pause()),
                    f -> " for " + ((Fault.KilledRunLeftPaused) f).left().toSeconds() + "s"),
            row("restart", " store S at-listing N", Fault.RestartAtListing.class,
                    w -> new Fault.RestartAtListing(w.storeWord(), w.positive("listing", w.atListing())),
                    f -> " store " + ((Fault.RestartAtListing) f).store() + " at-listing "
                            + ((Fault.RestartAtListing) f).listing()));

    /** After {@code fault store S rpc RPC}. */
    private static final List<Row> RPC_ROWS = List.of(
            row("fail", " CODE [times N]", Fault.FailNext.class,
                    w -> new Fault.FailNext(w.store, w.rpc, w.code(), w.times()),
                    f -> " " + ((Fault.FailNext) f).code().name() + times(((Fault.FailNext) f).times())),
            row("reset", " after K [times N]", Fault.ResetAfter.class,
                    w -> new Fault.ResetAfter(w.store, w.rpc, w.after(), w.times()),
                    f -> " after " + ((Fault.ResetAfter) f).after() + times(((Fault.ResetAfter) f).times())),
            row("error-reply", " WORD [times N]", Fault.ErrorReply.class,
                    w -> new Fault.ErrorReply(w.store, w.rpc, w.word("error message (one word)"), w.times()),
                    f -> " " + ((Fault.ErrorReply) f).msg() + times(((Fault.ErrorReply) f).times())),
            row("restart", " [after K] [times N]", Fault.RestartDuring.class,
                    w -> new Fault.RestartDuring(w.store, w.rpc, w.optionalAfter(), w.times()),
                    f -> {
                        Fault.RestartDuring r = (Fault.RestartDuring) f;
                        return (r.after() < 0 ? "" : " after " + r.after()) + times(r.times());
                    }),
            row("restart-after-answer", " [times N]", Fault.RestartAfterAnswer.class,
                    w -> new Fault.RestartAfterAnswer(w.store, w.rpc, w.times()),
                    f -> times(((Fault.RestartAfterAnswer) f).times())),
            row("busy", " [times N]", Fault.Busy.class, w -> new Fault.Busy(w.store, w.rpc, w.times()),
                    f -> times(((Fault.Busy) f).times())),
            row("split", " region R at HEX-KEY new-region C [times N]", Fault.SplitBefore.class,
                    w -> new Fault.SplitBefore(w.store, w.rpc, w.region(), w.hexAfter("at"),
                            w.numberAfter("new-region", "region id"), w.times()),
                    f -> {
                        Fault.SplitBefore sp = (Fault.SplitBefore) f;
                        return " region " + sp.region() + " at " + sp.at() + " new-region " + sp.child()
                                + times(sp.times());
                    }),
            row("leader-moves", " region R to-store T [times N]", Fault.LeaderMoveBefore.class,
                    w -> new Fault.LeaderMoveBefore(w.store, w.rpc, w.region(),
                            w.numberAfter("to-store", "store id"), w.times()),
                    f -> {
                        Fault.LeaderMoveBefore m = (Fault.LeaderMoveBefore) f;
                        return " region " + m.region() + " to-store " + m.to() + times(m.times());
                    }));

    private static Row row(String word, String form, Class<? extends Fault> type, Function<FaultWords, Fault> parse,
                           Function<Fault, String> render) {
        return new Row(word, form, type, parse, render);
    }

    private static String times(int n) {
        return n == 1 ? "" : " times " + n;
    }

    /** Reads the words of a {@code fault} line (the first word is {@code fault}). */
    public static Fault parse(String[] t) {
        if (t.length >= 3 && t[1].equals("pd") && PD_EVENT_ROWS.stream().anyMatch(r -> r.word.equals(t[2]))) {
            Row r = find(PD_EVENT_ROWS, t[2], "");
            FaultWords w = new FaultWords(t, 3, 0, null, "fault pd " + r.word + r.form);
            Fault f = r.parse.apply(w);
            w.end();
            return f;
        }
        if (t.length >= 2 && t[1].equals("pd")) {
            return pd(t);
        }
        if (t.length < 4 || !t[1].equals("store")) {
            throw new SyntaxError("expected 'fault store S KIND ...' or 'fault pd METHOD PATH status CODE [times N]'");
        }
        long store = FaultWords.number(t[2], "store id");
        if (t[3].equals("rpc")) {
            if (t.length < 6) {
                throw new SyntaxError("expected 'fault store S rpc RPC EFFECT ...' (RPC: " + rpcWords()
                        + "; EFFECT: " + words(RPC_ROWS) + ")");
            }
            Rpc rpc = rpc(t[4]);
            Row r = find(RPC_ROWS, t[5], "unknown effect '" + t[5] + "' of a store call (known: " + words(RPC_ROWS)
                    + ")");
            FaultWords w = new FaultWords(t, 6, store, rpc, "fault store S rpc " + rpc.word + " " + r.word + r.form);
            Fault f = r.parse.apply(w);
            w.end();
            return f;
        }
        Row r = find(STORE_ROWS, t[3], "unknown fault '" + t[3] + "' (known: " + words(STORE_ROWS) + ", rpc)");
        FaultWords w = new FaultWords(t, 4, store, null, "fault store S " + r.word + r.form);
        Fault f = r.parse.apply(w);
        w.end();
        return f;
    }

    /** The scenario line of a fault (without a newline). */
    public static String render(Fault f) {
        if (f instanceof Fault.PdStatus p) {
            return "fault pd " + p.method() + " " + p.pathPrefix() + " status " + p.status() + times(p.times());
        }
        if (f instanceof Fault.PdStall p) {
            return "fault pd " + p.method() + " " + p.pathPrefix() + (p.midBody() ? " stall-mid-body" : " stall")
                    + times(p.times());
        }
        for (Row r : PD_EVENT_ROWS) {
            if (r.type == f.getClass()) {
                return "fault pd " + r.word + r.render.apply(f);
            }
        }
        for (Row r : STORE_ROWS) {
            if (r.type == f.getClass()) {
                return "fault store " + store(f) + " " + r.word + r.render.apply(f);
            }
        }
        for (Row r : RPC_ROWS) {
            if (r.type == f.getClass()) {
                return "fault store " + store(f) + " rpc " + ((Fault.CallFault) f).rpc().word + " " + r.word
                        + r.render.apply(f);
            }
        }
        throw new IllegalStateException("no scenario keyword for " + f);
    }

    /** The store a store, agent or PD-event fault is about, or 0 for one about PD alone. */
    public static long store(Fault f) {
        if (f instanceof Fault.AgentFault a) {
            return a.store();
        }
        if (f instanceof Fault.StoreFault s) {
            return s.store();
        }
        if (f instanceof Fault.RegisterLate r) {
            return r.store();
        }
        if (f instanceof Fault.StaleLeader l) {
            return l.store();
        }
        if (f instanceof Fault.RestartAtListing r) {
            return r.store();
        }
        return 0;
    }

    private static Fault pd(String[] t) {
        String form = "fault pd METHOD PATH-PREFIX status HTTP-STATUS|stall|stall-mid-body [times N]";
        if (t.length < 5 || !List.of("status", "stall", "stall-mid-body").contains(t[4])) {
            throw new SyntaxError("expected '" + form + "' or 'fault pd EVENT ...' (EVENT: " + words(PD_EVENT_ROWS)
                    + ")");
        }
        String method = t[2].toUpperCase(Locale.ROOT);
        if (!List.of("GET", "POST", "DELETE", "*").contains(method)) {
            throw new SyntaxError("unknown HTTP method '" + t[2] + "' (known: GET, POST, DELETE, *)");
        }
        if (!t[3].startsWith("/")) {
            throw new SyntaxError("PD path '" + t[3] + "' does not start with '/'");
        }
        FaultWords w = new FaultWords(t, 5, 0, null, form);
        if (!t[4].equals("status")) {
            Fault f = new Fault.PdStall(method, t[3], w.times(), t[4].equals("stall-mid-body"));
            w.end();
            return f;
        }
        long status = w.number("HTTP status");
        if (status < 100 || status > 599) {
            throw new SyntaxError("HTTP status " + status + " is out of range 100..599");
        }
        Fault f = new Fault.PdStatus(method, t[3], w.times(), (int) status);
        w.end();
        return f;
    }

    private static Rpc rpc(String word) {
        for (Rpc r : Rpc.values()) {
            if (r.word.equals(word)) {
                return r;
            }
        }
        throw new SyntaxError("unknown store call '" + word + "' (known: " + rpcWords() + ")");
    }

    private static String rpcWords() {
        List<String> out = new ArrayList<>();
        for (Rpc r : Rpc.values()) {
            out.add(r.word);
        }
        return String.join(", ", out);
    }

    private static Row find(List<Row> rows, String word, String unknown) {
        for (Row r : rows) {
            if (r.word.equals(word)) {
                return r;
            }
        }
        throw new SyntaxError(unknown);
    }

    private static String words(List<Row> rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.word));
        return String.join(", ", out);
    }

    /** Durations as scenarios write them: {@code 500ms}, {@code 2s}, {@code 1.5s}. */
    public static Duration duration(String s) {
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new SyntaxError("duration '" + s + "' is not like 500ms or 2s");
    }
}
