package io.phybr.adviser.protocol.seed;

import static io.phybr.adviser.text.Texts.capitalize;
import static io.phybr.adviser.text.Texts.count;
import static io.phybr.adviser.text.Texts.duration;
import static io.phybr.adviser.text.Texts.joinIds;

import io.phybr.adviser.text.Texts;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every text the seed adviser sends to an agent or ends a session with, in one file so that their
 * wording can be reviewed together: refusals of a stream or a close (gRPC status descriptions),
 * the one-paragraph diagnoses of a failed session, and the one-line verdicts.
 */
final class Diagnoses {
    private Diagnoses() {
    }

    /** "3 stores" or "stores 1, 4, 5". */
    static String expected(StoreRegistry<?> stores) {
        long[] ids = stores.listedIds();
        if (ids != null) {
            return (ids.length == 1 ? "store " : "stores ") + joinIds(ids);
        }
        return count(stores.expected(), "store");
    }

    /** " (from 10.0.0.7:51234)" for a TCP peer; in-process addresses only repeat the server name. */
    static String from(SocketAddress remote) {
        return remote instanceof InetSocketAddress ? " (from " + remote + ")" : "";
    }

    // ---- refusing a stream or a close -----------------------------------------------------

    static String badStoreIdHeader(String header, SocketAddress remote) {
        return "phybr-store-id '" + header + "' is not a store id (a decimal number from 1 to 2^63-1)" + from(remote) + ".";
    }

    static String streamRefused(StoreRegistry.Refusal why, long id, StoreRegistry<?> stores, SocketAddress openFrom,
                                SocketAddress remote) {
        return switch (why) {
            case NOT_LISTED -> "Store " + id + " is not one of the expected stores " + joinIds(stores.listedIds())
                    + " (--store-ids); its stream is refused.";
            case TOO_MANY -> "Store " + id + " would be store number " + (stores.seenIds().size() + 1)
                    + " but the adviser expects " + expected(stores) + " and already has stores "
                    + joinIds(stores.seenIds()) + "; its stream is refused.";
            case NOT_IN_PLAN -> "Store " + id + " did not report before the plan was made, so the plan has nothing for"
                    + " it; its stream is refused.";
            case ANONYMOUS_AFTER_PLAN -> "The plan is already made, so a store that opens recover_regions again must"
                    + " say which store it is with the phybr-store-id header to get its own commands again"
                    + from(remote) + ".";
            case NO_VACANCY -> "The adviser expects " + expected(stores) + " and every one of them is already"
                    + " reporting or has reported; an extra agent without phybr-store-id" + from(remote)
                    + " was refused.";
            case ALREADY_OPEN -> "Store " + id + " already has an open recover_regions stream" + from(openFrom)
                    + "; a second stream for the same store" + from(remote) + " is refused. If this agent restarted,"
                    + " retry: a connection that went silent is dropped within the adviser's keepalive bound. If two"
                    + " agents run with store id " + id + ", stop one: before the plan, the adviser does not plan while"
                    + " a store is claimed twice.";
        };
    }

    static String closeRefused(CloseBarrier.Unattributed why, long id, boolean workdone, StoreRegistry<?> stores,
                               SocketAddress remote) {
        return switch (why) {
            case NOT_A_MEMBER -> "Store " + id + " is not one of the stores of this session (" + expected(stores)
                    + "); its close is refused.";
            case NOT_REPORTED -> "Store " + id + " called close(workdone=true)" + from(remote) + " but has no complete"
                    + " region report in this session, so it cannot have applied a plan from this adviser; the close"
                    + " is refused and does not count towards the close barrier.";
            case UNKNOWN_CALLER -> "A close(workdone=" + workdone + ") without phybr-store-id" + from(remote)
                    + " came on a connection no store reported from, so it cannot be attributed to a store; it is"
                    + " refused and does not count towards the close barrier. An agent must send phybr-store-id, or"
                    + " call close on the connection it reported on.";
        };
    }

    /** Stores whose report came on a stream another connection claimed the store against, as "store 1". */
    static List<String> claimedTwice(StoreRegistry<ReportStream> stores) {
        List<String> out = new ArrayList<>();
        for (StoreRegistry.Store<ReportStream> s : stores.all()) {
            if (s.report != null && !s.report.rivals.isEmpty()) {
                out.add("store " + s.id);
            }
        }
        return out;
    }

    /** "a connection (from 10.0.0.7:51234)", or "an in-process connection". */
    static String claimFrom(SocketAddress remote) {
        return remote instanceof InetSocketAddress ? "a connection" + from(remote) : "an in-process connection";
    }

    static String noResolvedTs() {
        return "This adviser has no resolved ts: start it with --resolved-ts TS or --backup-meta FILE"
                + " (a JSON file with {\"resolved_ts\": N}).";
    }

    // ---- how a session ends ---------------------------------------------------------------

    static String verdictComplete(StoreRegistry<?> stores, int commands) {
        return "recovery complete: " + expected(stores) + " applied the plan (" + count(commands, "command")
                + ") and closed";
    }

    static final String VERDICT_SHUT_DOWN = "adviser shut down before the session ended";
    static final String VERDICT_REFUSED = "plan refused; no command was sent to any store";
    static final String VERDICT_INTERNAL = "internal error while planning";
    static final String VERDICT_COLLECT_TIMEOUT = "timed out collecting region reports; no command was sent to any store";
    static final String VERDICT_CLOSE_TIMEOUT = "timed out waiting for every store to close";

    static String commandsSentSoFar(boolean planSent) {
        return planSent ? " The plan had been sent." : " No command had been sent to any store.";
    }

    static String shutDown(boolean planSent) {
        return "The adviser was shut down before the session ended; every open stream was answered UNAVAILABLE."
                + commandsSentSoFar(planSent);
    }

    static String internalError(Throwable e) {
        return "Internal error while planning (" + e + "); no command was sent to any store. This is a bug in"
                + " phybr: please report it with the adviser log.";
    }

    static String malformedReports(List<String> lines, int total) {
        StringBuilder sb = new StringBuilder("Refusing to plan: ").append(total)
                .append(total == 1 ? " malformed region report: " : " malformed region reports: ");
        Texts.appendListed(sb, lines, total);
        return sb.append(". No command was sent to any store; fix or re-collect the reports of the named stores.")
                .toString();
    }

    static String verdictPlanNotWritten(Path file) {
        return "could not write the plan to " + file;
    }

    static String planNotWritten(Path file, String why) {
        return "The plan was made but could not be written to " + file + " (" + why + "), so no command was sent to"
                + " any store. Fix the path given to --plan-output and run the adviser again.";
    }

    /** "store 2" or "an agent without phybr-store-id (from …)". */
    static String who(long id, SocketAddress remote) {
        return id > 0 ? "store " + id : "an agent without phybr-store-id" + from(remote);
    }

    static String verdictStoreFailed(String who) {
        return capitalize(who) + " reported failure";
    }

    static String storeFailed(String who, boolean planSent) {
        return capitalize(who) + " reported failure: it called close(workdone=false)"
                + (planSent ? " after the plan was sent" : " before any command was sent to it")
                + ". The restore did not complete; inspect that store's agent log, then run the restore again."
                + " Every agent was told to stop." + commandsSentSoFar(planSent);
    }

    // ---- timeouts -------------------------------------------------------------------------

    /** Why collecting ended without a plan: who finished, and what each other store did. Under the session's lock. */
    static String collectTimedOut(Duration timeout, StoreRegistry<ReportStream> stores) {
        List<String> done = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        stores.neverConnected().forEach(id -> parts.add("store " + id + " never connected"));
        int unseen = stores.unseenCount();
        if (unseen > 0) {
            List<Long> seen = stores.seenIds();
            parts.add(count(unseen, "store") + " never connected (expected " + expected(stores) + ", "
                    + (seen.isEmpty() ? "none" : "only " + joinIds(seen)) + " connected)");
        }
        for (StoreRegistry.Store<ReportStream> s : stores.all()) {
            if (s.reported() && !s.report.rivals.isEmpty()) {
                parts.add("store " + s.id + " reported" + from(s.report.remote) + " but was claimed again while it"
                        + " reported, by " + String.join(" and ", s.report.rivals) + " (refused): two agents may run"
                        + " with store id " + s.id + ", so its report cannot be trusted; give every TiKV's agent its own"
                        + " store id");
                malformed.addAll(s.report.problems());
            } else if (s.reported()) {
                done.add(Long.toString(s.id));
                malformed.addAll(s.report.problems());
            } else if (s.stream != null) {
                parts.add("store " + s.id + " is still reporting (" + s.stream.metas() + " metas so far)");
            } else {
                parts.add("store " + s.id + " disconnected after " + s.lostAfterMetas + " metas and did not reconnect"
                        + (s.lostBecause == null ? "" : " (" + s.lostBecause + ")"));
            }
        }
        StringBuilder sb = new StringBuilder("Timed out after ").append(duration(timeout))
                .append(" collecting region reports: ").append(done.size()).append(" of ").append(stores.expected())
                .append(" stores finished reporting");
        if (!done.isEmpty()) {
            sb.append(" (").append(done.size() == 1 ? "store " : "stores ").append(String.join(", ", done)).append(')');
        }
        sb.append("; ").append(String.join("; ", parts)).append(". No command was sent to any store. Start the"
                + " agents of the missing stores (or fix their connection to this adviser) and run the adviser"
                + " again, or give it a longer --collect-timeout.");
        if (!stores.neverConnected().isEmpty() || unseen > 0) {
            sb.append(' ').append(Texts.NEVER_STARTED).append('.');
        }
        if (!malformed.isEmpty()) {
            sb.append(" Malformed reports were already seen: ");
            Texts.appendListed(sb, malformed, malformed.size());
            sb.append('.');
        }
        return sb.toString();
    }

    /**
     * Why applying ended without every close: the stores that never closed, what their streams got,
     * and how many closes nobody could be named for. Under the session's lock.
     */
    static String closeTimedOut(Duration timeout, StoreRegistry<ReportStream> stores, List<Long> missing,
                                int refusedCloses) {
        List<String> details = new ArrayList<>();
        for (long id : missing) {
            StoreRegistry.Store<ReportStream> s = id > 0 ? stores.get(id) : null;
            if (s != null && s.stream != null) {
                details.add("store " + id + " " + s.stream.sendProgress());
            }
        }
        return "Timed out after " + duration(timeout) + " waiting for every store to apply its commands and call"
                + " close: " + missing(missing) + " never closed"
                + (refusedCloses > 0 ? " (" + refusedCloses + " close call(s) could not be attributed to a store"
                + " that reported and were refused)" : "")
                + (details.isEmpty() ? "" : " (" + String.join("; ", details) + ")")
                + ". The plan was sent, so the stores that closed applied their part; check the agents of the"
                + " named stores before starting TiKV.";
    }

    /** "stores 2, 3 and 1 store that never connected"; -1 stands for a store expected by count that never connected. */
    static String missing(List<Long> missing) {
        List<String> named = new ArrayList<>();
        int unnamed = 0;
        for (long id : missing) {
            if (id > 0) {
                named.add(Long.toString(id));
            } else {
                unnamed++;
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!named.isEmpty()) {
            sb.append(named.size() == 1 ? "store " : "stores ").append(String.join(", ", named));
        }
        if (unnamed > 0) {
            sb.append(sb.length() > 0 ? " and " : "").append(count(unnamed, "store")).append(" that never connected");
        }
        return sb.toString();
    }
}
