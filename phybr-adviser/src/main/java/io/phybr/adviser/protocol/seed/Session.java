package io.phybr.adviser.protocol.seed;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.proto.seed.CloseReply;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Predicate;

/**
 * One adviser session as a state machine — NEW → COLLECTING → PLANNING → APPLYING → DONE — and the
 * one lock that guards it, the {@link StoreRegistry} and the {@link CloseBarrier}. Streams and the
 * service call in; the timers and the planner run on its single worker thread. Lock order: session →
 * nothing (replies and stream sends happen after the lock is released, through {@link SessionWire} and
 * {@link ReportStream}). What it logs is in {@link SessionLog}, what it tells agents in {@link Diagnoses}, what
 * progress sees of it in {@link SessionView}.
 */
final class Session {
    enum Phase { NEW, COLLECTING, PLANNING, APPLYING, DONE }

    /** A new stream, or the status refusing it. */
    record Opened(ReportStream stream, Status refusal) {
    }

    /** What a session is told at start. */
    record Config(Duration collectTimeout, Duration closeTimeout, PlanOptions planOptions, Path planOutput,
                  RunRecorder recorder, Planning.PlanWriter planWriter, Planning.PlanMaker planMaker) {
    }

    private final StoreRegistry<ReportStream> stores;
    private final CloseBarrier<StreamObserver<CloseReply>> barrier = new CloseBarrier<>();
    private final Config config;
    private final Object lock = new Object();
    private final Worker worker = new Worker("phybr-seed-adviser");
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    // ---- guarded by lock ----
    private Phase phase = Phase.NEW;
    private Plan plan;
    private Status terminalStatus;
    private ScheduledFuture<?> timer;

    Session(StoreRegistry<ReportStream> stores, Config config) {
        this.stores = stores;
        this.config = config;
    }

    RunRecorder recorder() {
        return config.recorder();
    }

    String describeExpected() {
        synchronized (lock) {
            return Diagnoses.expected(stores);
        }
    }

    // ---- lifecycle --------------------------------------------------------------------------

    void begin() {
        synchronized (lock) {
            if (phase != Phase.NEW) {
                throw new IllegalStateException("the adviser was already started");
            }
            phase = Phase.COLLECTING;
        }
    }

    /** The server listens: the collect timeout runs from now. */
    void listening() {
        synchronized (lock) {
            if (phase == Phase.COLLECTING && timer == null) {
                timer = worker.schedule(() -> timedOut(Phase.COLLECTING), config.collectTimeout());
            }
        }
    }

    /** The server could not listen: the session never ran. */
    void abandon() {
        synchronized (lock) {
            phase = Phase.DONE;
        }
        worker.stop();
    }

    /** Ends the session with FAILURE if it has not ended (every open stream and held close gets UNAVAILABLE). */
    void shutDown() {
        boolean planSent;
        synchronized (lock) {
            planSent = plan != null;
        }
        finish(ExitCode.FAILURE, Status.Code.UNAVAILABLE, Diagnoses.VERDICT_SHUT_DOWN, Diagnoses.shutDown(planSent));
    }

    void stopWorker() {
        worker.stop();
    }

    boolean workerTerminated() {
        return worker.terminated();
    }

    CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    // ---- introspection ------------------------------------------------------------------------

    /** Ids of the stores seen so far that {@code which} selects, ascending. */
    long[] stores(Predicate<StoreRegistry.Store<ReportStream>> which) {
        synchronized (lock) {
            return stores.all().stream().filter(which).mapToLong(s -> s.id).toArray();
        }
    }

    SessionView view() {
        synchronized (lock) {
            return SessionView.of(phase, stores, barrier.closedStores());
        }
    }

    long metasSoFar(long store) {
        synchronized (lock) {
            StoreRegistry.Store<ReportStream> s = stores.get(store);
            if (s == null) {
                return -1;
            }
            // The report planned with counts even once its stream delivered its commands and completed (the stream is
            // then detached so the store may reopen after a reboot): a poller reading the count just after the last
            // store reported must not see the report vanish as the recovery races ahead of it.
            if (s.report != null) {
                return s.report.metas();
            }
            return s.stream == null ? -1 : s.stream.metas();
        }
    }

    long[] closedStores() {
        synchronized (lock) {
            return barrier.closedStores();
        }
    }

    // ---- streams ------------------------------------------------------------------------------

    /** Admits a {@code recover_regions} call: {@code explicit} is its phybr-store-id, -1 without one. */
    Opened open(long explicit, ServerCallStreamObserver<byte[]> out, SocketAddress remote) {
        synchronized (lock) {
            if (phase == Phase.DONE && terminalStatus != null) {
                return new Opened(null, terminalStatus);
            }
            boolean planMade = phase != Phase.COLLECTING;
            StoreRegistry.Admission<ReportStream> a = stores.admit(explicit, planMade);
            if (!a.admitted()) {
                Status.Code code = SessionWire.code(a.refusal());
                long id = a.store() != null ? a.store().id : explicit;
                SocketAddress openFrom = a.store() != null && a.store().stream != null ? a.store().stream.remote : null;
                String why = Diagnoses.streamRefused(a.refusal(), id, stores, openFrom, remote);
                if (a.refusal() == StoreRegistry.Refusal.ALREADY_OPEN && !planMade) {
                    a.store().stream.rivals.add(Diagnoses.claimFrom(remote));
                    SessionLog.rivalRefused(why);
                }
                return new Opened(null, code.toStatus().withDescription(why));
            }
            StoreRegistry.Store<ReportStream> s = a.store();
            ReportStream stream = new ReportStream(this, s.id, out, remote, planMade);
            stores.attach(s, stream, remote);
            SessionLog.opened(s.id, planMade, s.anonymous, remote);
            return new Opened(stream, null);
        }
    }

    /** A stream half-closed: its report is complete (or, after the plan, it now wants its commands). */
    void reported(ReportStream stream) {
        Plan toSend = null;
        boolean planNow = false;
        synchronized (lock) {
            StoreRegistry.Store<ReportStream> s = stores.get(stream.store);
            if (s == null || s.stream != stream || phase == Phase.DONE && terminalStatus != null) {
                return;
            }
            if (stream.afterPlan) {
                SessionLog.reportedAgain(stream);
                stream.halfClosed = true;
                toSend = plan; // null while planning; the planner sends it when done
            } else if (phase == Phase.COLLECTING) {
                stream.halfClosed = true;
                s.report = stream;
                SessionLog.reported(stream, stores);
                List<String> claimed = Diagnoses.claimedTwice(stores);
                if (!claimed.isEmpty() && stores.allReported()) {
                    SessionLog.notPlanningWhileClaimedTwice(claimed);
                } else if (stores.allReported()) {
                    phase = Phase.PLANNING;
                    cancelTimer();
                    planNow = true;
                }
            }
        }
        if (planNow) {
            worker.execute(this::planAndSend);
        }
        if (toSend != null) {
            stream.send(toSend);
        }
    }

    /** The stream sent all its commands and completed: the store may open a new one (after a reboot). */
    void delivered(ReportStream stream) {
        synchronized (lock) {
            StoreRegistry.Store<ReportStream> s = stores.get(stream.store);
            if (s != null && s.stream == stream) {
                s.stream = null;
            }
        }
    }

    /** A stream died (error, cancel, undecodable message, transport failure); {@code why} names the cause. Idempotent. */
    void lost(ReportStream stream, String why) {
        synchronized (lock) {
            StoreRegistry.Store<ReportStream> s = stores.get(stream.store);
            if (s == null || s.stream != stream) {
                return;
            }
            s.stream = null;
            if (phase == Phase.COLLECTING) {
                s.report = null;
                s.lostAfterMetas = stream.metas();
                s.lostBecause = why;
                SessionLog.lostWhileCollecting(stream, why);
                stream.recording.discard();
            } else if (phase == Phase.PLANNING || phase == Phase.APPLYING) {
                SessionLog.lostAfterPlan(stream, why);
            }
        }
    }

    // ---- planning -----------------------------------------------------------------------------

    private void planAndSend() {
        List<ReportStream> reports = new ArrayList<>();
        synchronized (lock) {
            if (phase != Phase.PLANNING) {
                return;
            }
            stores.all().forEach(s -> reports.add(s.report));
        }
        Planning.Result result = Planning.plan(reports, config);
        if (result.plan() == null) {
            finish(result.exit(), result.code(), result.verdict(), result.diagnosis());
            return;
        }
        Plan p = result.plan();
        List<ReportStream> waiting = new ArrayList<>();
        synchronized (lock) {
            if (phase != Phase.PLANNING) {
                return;
            }
            plan = p;
            phase = Phase.APPLYING;
            for (StoreRegistry.Store<ReportStream> s : stores.all()) {
                if (s.stream != null && s.stream.halfClosed) {
                    waiting.add(s.stream);
                }
            }
            timer = worker.schedule(() -> timedOut(Phase.APPLYING), config.closeTimeout());
        }
        SessionLog.sendingPlan(p, reports.size());
        for (ReportStream stream : waiting) {
            stream.send(p);
        }
        checkBarrier();
    }

    // ---- the close barrier --------------------------------------------------------------------

    /** A {@code close} call: {@code header} is its phybr-store-id, -1 without one. */
    void close(boolean workdone, long header, SocketAddress remote, StreamObserver<CloseReply> reply) {
        Status immediate = null;
        boolean ok = false;
        String failure = null;
        boolean planSent = false;
        synchronized (lock) {
            if (phase == Phase.DONE) {
                if (terminalStatus != null) {
                    immediate = terminalStatus;
                } else {
                    ok = true;
                }
            } else {
                CloseBarrier.Attribution a = barrier.offer(header, remote, workdone, stores, reply);
                if (!a.attributed()) {
                    immediate = SessionWire.code(a.why()).toStatus().withDescription(
                            Diagnoses.closeRefused(a.why(), a.store(), workdone, stores, remote));
                    SessionLog.closeRefused(immediate.getDescription());
                } else if (!workdone) {
                    failure = Diagnoses.who(a.store(), remote);
                    planSent = plan != null;
                } else {
                    SessionLog.closed(a.store(), barrier.missing(stores), phase == Phase.APPLYING);
                }
            }
        }
        if (immediate != null) {
            reply.onError(immediate.asRuntimeException());
            return;
        }
        if (ok) {
            SessionWire.ok(reply);
            return;
        }
        if (failure != null) {
            finish(ExitCode.FAILURE, Status.Code.ABORTED, Diagnoses.verdictStoreFailed(failure),
                    Diagnoses.storeFailed(failure, planSent));
            return;
        }
        checkBarrier();
    }

    private void checkBarrier() {
        List<CloseBarrier.Held<StreamObserver<CloseReply>>> replies;
        String verdict;
        Plan p;
        synchronized (lock) {
            if (phase != Phase.APPLYING || !barrier.complete(stores)) {
                return;
            }
            phase = Phase.DONE;
            cancelTimer();
            replies = barrier.release();
            p = plan;
            verdict = Diagnoses.verdictComplete(stores, p.commandCount());
        }
        SessionWire.okAll(replies);
        SessionLog.passed(verdict);
        outcome.complete(new Outcome(ExitCode.OK, verdict, Optional.empty(), Optional.of(p)));
    }

    // ---- timeouts -----------------------------------------------------------------------------

    /** The timer of phase {@code in} (COLLECTING: collect timeout, APPLYING: close timeout) fired. */
    private void timedOut(Phase in) {
        String diagnosis;
        synchronized (lock) {
            if (phase != in) {
                return;
            }
            diagnosis = in == Phase.COLLECTING ? Diagnoses.collectTimedOut(config.collectTimeout(), stores)
                    : Diagnoses.closeTimedOut(config.closeTimeout(), stores, barrier.missing(stores), barrier.refused());
        }
        finish(ExitCode.TIMEOUT, Status.Code.DEADLINE_EXCEEDED,
                in == Phase.COLLECTING ? Diagnoses.VERDICT_COLLECT_TIMEOUT : Diagnoses.VERDICT_CLOSE_TIMEOUT, diagnosis);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    // ---- the end ------------------------------------------------------------------------------

    /** Ends the session unsuccessfully: every open stream and held close gets {@code code} + diagnosis. */
    private void finish(ExitCode exit, Status.Code code, String verdict, String diagnosis) {
        List<ReportStream> open = new ArrayList<>();
        List<CloseBarrier.Held<StreamObserver<CloseReply>>> replies;
        Status status = code.toStatus().withDescription(diagnosis);
        Plan p;
        synchronized (lock) {
            if (phase == Phase.DONE) {
                return;
            }
            phase = Phase.DONE;
            terminalStatus = status;
            cancelTimer();
            for (StoreRegistry.Store<ReportStream> s : stores.all()) {
                if (s.stream != null) {
                    open.add(s.stream);
                }
            }
            replies = barrier.release();
            p = plan;
        }
        for (ReportStream stream : open) {
            stream.fail(status);
        }
        SessionWire.failAll(replies, status);
        SessionLog.failed(exit, verdict, diagnosis);
        outcome.complete(new Outcome(exit, verdict, Optional.of(diagnosis), Optional.ofNullable(p)));
    }
}
