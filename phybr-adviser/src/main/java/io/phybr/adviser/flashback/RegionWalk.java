package io.phybr.adviser.flashback;

import io.grpc.Deadline;
import io.phybr.adviser.pd.Backoff;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stage over one {@link Span}, region by region, as client-go's flashback senders walk a range (tidb
 * {@code SendPrepareFlashbackToVersionRPC}/{@code SendFlashbackToVersionRPC}): locate the region of the cursor in PD,
 * send the call for {@code [cursor, min(region end, span end))} to its leader, and on success move the cursor to the
 * region's end — so a span that split since the plan is walked region by region, and a merged one is cut at the span.
 * Region errors re-resolve the region (from the error itself where TiKV says where to go, else from PD) and retry
 * with backoff; every piece has a bounded number of tries and the whole stage a deadline.
 * <p>
 * The flashback is never retried blindly: a retry carries the same start and commit ts (TiKV's flashback is
 * idempotent for them), and a region that answers FlashbackNotPrepared is prepared again before the flashback is
 * sent again — never counted as done on that answer (client-go/TiDB take it for done).
 */
final class RegionWalk {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    /** A store that does not serve the flashback calls at all (TiKV older than 6.4). */
    static final class Unimplemented extends Exception {
        private static final long serialVersionUID = 1L;
        final long store;

        Unimplemented(long store, String message) {
            super(message);
            this.store = store;
        }
    }

    /** Bounds of one piece: tries (each call or PD look-up that did not succeed is one) and backoff. */
    record Policy(int attempts, long initialBackoffMs, long maxBackoffMs) {}

    /** Where a span stopped: the route last tried, the tries spent on the piece, the last answer. */
    record Stuck(Span span, byte[] cursor, RegionRoute route, int tries, String lastAnswer, boolean timedOut) {}

    /** Told of each piece done (the region id and its leader's store), and of each retry. */
    interface Listener {
        void done(Span span, RegionRoute route);

        void retried(Span span, RegionRoute route, String why);

        /**
         * The region has no leader anywhere (TiKV and PD know none): a store may have restarted and lost its forced
         * leaders (R9), which nobody re-elects in recovery mode until its RecoverRegion plan is sent again.
         */
        void leaderless(RegionRoute route);
    }

    private final PdRoutes pd;
    private final RegionCalls calls;
    private final Policy policy;
    private final Stage stage;
    private final FlashbackTs ts;
    private final Deadline deadline;
    private final UnaryOperator<byte[]> requestKey;
    private final Listener listener;

    RegionWalk(PdRoutes pd, RegionCalls calls, Policy policy, Stage stage, FlashbackTs ts, Deadline deadline,
               UnaryOperator<byte[]> requestKey, Listener listener) {
        this.pd = pd;
        this.calls = calls;
        this.policy = policy;
        this.stage = stage;
        this.ts = ts;
        this.deadline = deadline;
        this.requestKey = requestKey;
        this.listener = listener;
    }

    /** Walks the span; empty when every piece of it is done, else where it stuck. */
    Optional<Stuck> walk(Span span) throws Unimplemented {
        byte[] cursor = span.start();
        RegionRoute route = span.first().hasLeader() ? span.first() : null; // as PD's scan listed it
        boolean prepareFirst = false; // FLASHBACK stage: the region said it is not prepared
        int tries = 0;
        long backoff = policy.initialBackoffMs();
        String last = "nothing answered yet";
        // The last try got an answer — from a store, or PD's definite word on the key's region (none, another, or one
        // without a leader). Running out of time after an answer is a failure (exit 5) that the answer explains, not
        // a timeout (exit 4): otherwise how many tries fit before the deadline (load, backoff) picked the exit code.
        boolean answered = false;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                return Optional.of(new Stuck(span, cursor, route, tries, "interrupted", false));
            }
            if (deadline.isExpired()) {
                return Optional.of(new Stuck(span, cursor, route, tries, last, !answered));
            }
            if (tries >= policy.attempts()) {
                return Optional.of(new Stuck(span, cursor, route, tries, last, false));
            }
            if (route == null) {
                try {
                    Optional<RegionRoute> found = pd.region(cursor);
                    if (found.isPresent() && !found.get().hasLeader()) {
                        listener.leaderless(found.get());
                    }
                    if (found.isEmpty() || !found.get().hasLeader() || !found.get().contains(cursor)) {
                        answered = true;
                        last = found.isEmpty() ? "PD knows no region holding key " + Keys.show(cursor)
                                : !found.get().contains(cursor) ? "PD answered " + found.get().describe()
                                + ", which does not hold key " + Keys.show(cursor)
                                : "PD knows " + found.get().describe() + " (no leader has reported it)";
                        tries++;
                        backoff = pause(backoff, 0);
                        continue;
                    }
                    route = found.get();
                } catch (PdRoutes.PdUnavailable e) {
                    answered = false;
                    last = "PD could not tell the region of key " + Keys.show(cursor) + ": " + e.getMessage();
                    tries++;
                    backoff = pause(backoff, 0);
                    continue;
                }
            }
            byte[] end = Keys.minEnd(route.end(), span.end());
            byte[] from = requestKey.apply(cursor);
            byte[] to = requestKey.apply(end);
            boolean preparing = stage == Stage.PREPARE || prepareFirst;
            Reply reply = preparing ? calls.prepare(route, from, to, ts, deadline) : calls.flashback(route, from, to, ts, deadline);
            if (reply instanceof Reply.Done) {
                if (stage == Stage.FLASHBACK && prepareFirst) {
                    prepareFirst = false; // prepared again with the same start ts: now the flashback, same ts
                    continue;
                }
                listener.done(span, route);
                if (Keys.reaches(end, span.end())) {
                    return Optional.empty();
                }
                cursor = end;
                route = null;
                tries = 0;
                backoff = policy.initialBackoffMs();
                last = "nothing answered yet";
                continue;
            }
            if (reply instanceof Reply.Transport && answered && deadline.isExpired()) {
                // The stage's time ran out during (or just before) this call, after the store had answered: what
                // the store last said is the diagnosis, not the client-side DEADLINE_EXCEEDED of a call the
                // deadline cut short. (Without this a store answering ServerIsBusy until the deadline read as a
                // store that never answered — exit 4 or 5 by a race.)
                return Optional.of(new Stuck(span, cursor, route, tries, last, false));
            }
            tries++;
            answered = !(reply instanceof Reply.Transport);
            String call = preparing ? Stage.PREPARE.rpc() : Stage.FLASHBACK.rpc();
            last = call + " to store " + route.leaderStore() + " for region " + route.regionId() + " answered "
                    + describe(reply);
            listener.retried(span, route, last);
            if (reply instanceof Reply.NotLeader nl) {
                if (nl.leaderStore() != 0 && nl.leaderStore() != route.leaderStore()) {
                    route = route.withLeader(nl.leaderPeer(), nl.leaderStore()); // TiKV names the leader: go there
                } else {
                    listener.leaderless(route);
                    route = null;
                    backoff = pause(backoff, 0);
                }
            } else if (reply instanceof Reply.EpochNotMatch en) {
                RegionRoute next = current(en.current(), cursor);
                if (next == null) {
                    backoff = pause(backoff, 0);
                }
                route = next; // TiKV's current region when it names one holding the cursor, else PD again
            } else if (reply instanceof Reply.ServerBusy busy) {
                backoff = pause(backoff, busy.backoffMs());
            } else if (reply instanceof Reply.FlashbackNotPrepared && stage == Stage.FLASHBACK) {
                prepareFirst = true; // finished earlier, or never prepared: prepare again, same start ts
            } else if (reply instanceof Reply.FlashbackInProgress fip && stage == Stage.FLASHBACK
                    && fip.flashbackStartTs() != ts.startTs()) {
                prepareFirst = true; // another flashback's start ts holds it: prepare takes it over (TiKV overwrites it)
            } else if (reply instanceof Reply.Transport t && t.unimplemented()) {
                throw new Unimplemented(route.leaderStore(), last);
            } else if (reply instanceof Reply.Transport || reply instanceof Reply.RegionNotFound
                    || reply instanceof Reply.OtherRegionError) {
                route = null; // the store may be restarting, the region moved: PD says where it is led now
                backoff = pause(backoff, 0);
            } else {
                backoff = pause(backoff, 0); // KvError, FlashbackInProgress in prepare: same route after a pause
            }
        }
    }

    /** Among TiKV's current regions, the one holding {@code key}, led by the peer on the store that answered. */
    private static RegionRoute current(List<RegionRoute> regions, byte[] key) {
        for (RegionRoute r : regions) {
            if (r.contains(key)) {
                if (r.hasLeader()) {
                    return r;
                }
                return null; // TiKV's region without a peer on the store we asked: PD must say where it is led
            }
        }
        return null;
    }

    /** Waits the backoff (at least what the store asked, never past the deadline); returns the next one. */
    private long pause(long backoff, long storeHintMs) {
        long wait = Math.max(backoff, storeHintMs);
        long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
        Backoff.pause(Math.max(0, Math.min(wait, left)));
        return Math.min(policy.maxBackoffMs(), Math.max(1, backoff * 2));
    }

    static String describe(Reply r) {
        if (r instanceof Reply.NotLeader nl) {
            return "NotLeader" + (nl.leaderStore() == 0 ? " (no leader known)" : " (leader on store " + nl.leaderStore() + ")")
                    + msg(nl.message());
        } else if (r instanceof Reply.EpochNotMatch en) {
            return "EpochNotMatch (" + en.current().size() + " current regions)" + msg(en.message());
        } else if (r instanceof Reply.RegionNotFound rnf) {
            return "RegionNotFound" + msg(rnf.message());
        } else if (r instanceof Reply.ServerBusy sb) {
            return "ServerIsBusy" + msg(sb.message());
        } else if (r instanceof Reply.FlashbackInProgress fip) {
            return "FlashbackInProgress (flashback start ts " + Long.toUnsignedString(fip.flashbackStartTs()) + ")"
                    + msg(fip.message());
        } else if (r instanceof Reply.FlashbackNotPrepared np) {
            return "FlashbackNotPrepared" + msg(np.message());
        } else if (r instanceof Reply.OtherRegionError oe) {
            return "a region error" + msg(oe.message());
        } else if (r instanceof Reply.KvError ke) {
            return "the error \"" + ke.message() + "\"";
        } else if (r instanceof Reply.Transport t) {
            return t.code() + (t.message() == null || t.message().isBlank() ? "" : " (" + t.message() + ")");
        }
        return "success";
    }

    private static String msg(String m) {
        return m == null || m.isBlank() ? "" : ": " + m;
    }
}
