package io.phybr.adviser.protocol.seed;

import io.phybr.adviser.plan.Plan;
import io.phybr.contract.ExitCode;
import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Session} logs as it goes, in one file so the operator's view of a session can be read (and its
 * wording reviewed) apart from the state machine; what agents are told is in {@link Diagnoses}.
 */
final class SessionLog {
    private static final Logger log = LoggerFactory.getLogger(SeedAdviser.class);

    private SessionLog() {
    }

    static void opened(long store, boolean planMade, boolean anonymous, SocketAddress remote) {
        log.info("store {} {}{}{}", store, planMade ? "opened recover_regions again" : "connected",
                Diagnoses.from(remote), planMade ? " after the plan; it gets its commands again once it has reported"
                        : anonymous ? " (no phybr-store-id; numbered in arrival order)" : "");
    }

    static void reportedAgain(ReportStream stream) {
        log.info("store {}: reported again after the plan ({} metas, ignored)", stream.store, stream.metas());
    }

    static void reported(ReportStream stream, StoreRegistry<?> stores) {
        log.info(String.format(Locale.ROOT, "store %d finished reporting: %d metas in %.2f s%s (%d of %d stores)",
                stream.store, stream.metas(), stream.seconds(),
                stream.problemCount() > 0 ? ", " + stream.problemCount() + " malformed" : "",
                stores.reportedCount(), stores.expected()));
    }

    static void lostWhileCollecting(ReportStream stream, String why) {
        log.warn("store {}: stream lost after {} metas ({}); its reports are discarded and the store may"
                + " reconnect and report again", stream.store, stream.metas(), why);
    }

    static void lostAfterPlan(ReportStream stream, String why) {
        log.warn("store {}: stream lost ({}; {}); it gets its commands again if it reconnects",
                stream.store, why, stream.sendProgress());
    }

    static void rivalRefused(String why) {
        log.warn("{}", why);
    }

    static void notPlanningWhileClaimedTwice(List<String> stores) {
        log.warn("every expected store reported, but another connection claimed {} while it was reporting: not planning"
                + " until that store's stream is gone (a dead connection is noticed by keepalive) and it reports again,"
                + " or the collect timeout ends the session", String.join(", ", stores));
    }

    static void sendingPlan(Plan p, int stores) {
        log.info("sending the plan: {} commands to {} stores", p.commandCount(), stores);
    }

    static void closeRefused(String description) {
        log.warn("close refused: {}", description);
    }

    /** A store closed with work done; {@code missing} are the stores the barrier still waits for. */
    static void closed(long store, List<Long> missing, boolean planSent) {
        log.info("store {} closed (work done){}", store, missing.isEmpty() ? ""
                : "; waiting for " + (planSent ? "" : "the plan and ") + Diagnoses.missing(missing));
    }

    static void passed(String verdict) {
        log.info("verdict: OK, {}", verdict);
    }

    static void failed(ExitCode exit, String verdict, String diagnosis) {
        log.error("{}", diagnosis);
        log.error("verdict: {}, {}", exit, verdict);
    }
}
