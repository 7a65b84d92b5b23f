package io.phybr.adviser.protocol.seed;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.CloseRequest;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import io.phybr.proto.seed.ResolvedReply;
import io.phybr.proto.seed.ResolvedRequest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed-protocol adviser (SPEC §2): a gRPC server for {@code phybr.Phybr} that collects every
 * store's region reports, plans once all expected stores have reported, streams each store exactly
 * its commands, holds {@code close} replies until every store has closed, and ends with an
 * {@link Outcome}.
 *
 * <p>Safety: nothing is sent to any store before the whole plan exists; a refusal, a malformed
 * report or a collect timeout sends no command to anybody and answers every open stream with an
 * error carrying the one-paragraph diagnosis.
 *
 * <pre>{@code
 * SeedAdviser adviser = SeedAdviser.builder().listen("127.0.0.1:0").stores(3).build().start();
 * Outcome outcome = adviser.awaitOutcome();
 * adviser.close();
 * }</pre>
 */
public final class SeedAdviser implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SeedAdviser.class);
    /** Problems listed in a diagnosis before "and N more". */
    private static final int MAX_LISTED = 12;

    private enum Phase { NEW, COLLECTING, PLANNING, APPLYING, DONE }

    /** One expected (or seen) store. Guarded by the adviser's lock. */
    private static final class StoreState {
        final long id;
        final boolean anonymous;
        ReportStream stream;
        SocketAddress lastRemote;
        boolean done;
        ReportStream report;
        int disconnects;
        long lostAfterMetas;
        boolean closed;

        StoreState(long id, boolean anonymous) {
            this.id = id;
            this.anonymous = anonymous;
        }
    }

    private record HeldClose(long store, StreamObserver<CloseReply> reply) {
    }

    // ---- configuration ----
    private final String listen;
    private final String inProcessName;
    private final long[] storeIds;
    private final int expected;
    private final Duration collectTimeout;
    private final Duration closeTimeout;
    private final PlanOptions planOptions;
    private final OptionalLong resolvedTs;
    private final Path planOutput;
    private final RunRecorder recorder;

    // ---- runtime; guarded by lock unless noted ----
    private final Object lock = new Object();
    private final ScheduledExecutorService worker;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final TreeMap<Long, StoreState> stores = new TreeMap<>();
    private final List<HeldClose> heldCloses = new ArrayList<>();
    private Server server;
    private Phase phase = Phase.NEW;
    private long nextAnonymous = 1;
    private int anonymousCloses;
    private Plan plan;
    private Status terminalStatus;
    private ScheduledFuture<?> timer;
    private long phaseStartNanos;
    private boolean closed;

    private SeedAdviser(Builder b) {
        this.listen = b.listen;
        this.inProcessName = b.inProcessName;
        this.storeIds = b.storeIds;
        this.expected = b.storeIds != null ? b.storeIds.length : b.stores;
        this.collectTimeout = b.collectTimeout;
        this.closeTimeout = b.closeTimeout;
        this.planOptions = new PlanOptions(b.policy, Protocol.SEED, b.acceptHoles);
        this.resolvedTs = b.resolvedTs;
        this.planOutput = b.planOutput;
        this.recorder = b.recorder;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "phybr-seed-adviser");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- lifecycle --------------------------------------------------------------------------

    /** Binds and starts collecting; the collect timeout runs from here. */
    public SeedAdviser start() throws IOException {
        synchronized (lock) {
            if (phase != Phase.NEW) {
                throw new IllegalStateException("the adviser was already started");
            }
            phase = Phase.COLLECTING;
        }
        Service service = new Service();
        var definition = ServerInterceptors.intercept(service, new StoreIdentity());
        Server s;
        if (inProcessName != null) {
            s = InProcessServerBuilder.forName(inProcessName).directExecutor().addService(definition).build();
        } else {
            InetSocketAddress address = parseListen(listen);
            s = NettyServerBuilder.forAddress(address)
                    // Handlers only append to per-stream tables and never block: run them on the
                    // event loop instead of paying a thread hop per batch of tiny metas.
                    .directExecutor()
                    // A larger HTTP/2 window keeps millions of ~40-byte metas flowing without a
                    // WINDOW_UPDATE round trip every few thousand; still bounded per stream.
                    .flowControlWindow(4 << 20)
                    .permitKeepAliveWithoutCalls(true)
                    .permitKeepAliveTime(5, TimeUnit.SECONDS)
                    .addService(definition)
                    .build();
        }
        try {
            s.start();
        } catch (IOException e) {
            worker.shutdownNow();
            synchronized (lock) {
                phase = Phase.DONE;
            }
            String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IOException("cannot listen on " + listen + ": " + why, e);
        }
        synchronized (lock) {
            server = s;
            phaseStartNanos = System.nanoTime();
            timer = worker.schedule(this::collectTimedOut, collectTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        log.info("phybr seed adviser listening on {}; expecting {}; collect timeout {}, close timeout {}",
                inProcessName != null ? "in-process:" + inProcessName : listen + " (port " + port() + ")",
                describeExpected(), human(collectTimeout), human(closeTimeout));
        return this;
    }

    /** The bound TCP port (useful with port 0), or -1 for an in-process server. */
    public int port() {
        Server s;
        synchronized (lock) {
            s = server;
        }
        if (s == null) {
            throw new IllegalStateException("the adviser is not started");
        }
        for (SocketAddress a : s.getListenSockets()) {
            if (a instanceof InetSocketAddress inet) {
                return inet.getPort();
            }
        }
        return -1;
    }

    /** Blocks until the session ends: success, refusal, timeout or failure. */
    public Outcome awaitOutcome() {
        return outcome.join();
    }

    /** Like {@link #awaitOutcome()} but gives up after {@code timeout}. */
    public Optional<Outcome> awaitOutcome(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The outcome if the session already ended. */
    public Optional<Outcome> outcome() {
        return Optional.ofNullable(outcome.getNow(null));
    }

    /**
     * Shuts the server down and waits for it; idempotent. Before the session ended this ends it
     * with FAILURE (every open stream and held close gets UNAVAILABLE).
     */
    @Override
    public void close() {
        Server s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = server;
        }
        finish(ExitCode.FAILURE, Status.Code.UNAVAILABLE, "adviser shut down before the session ended",
                "The adviser was shut down before the session ended; every open stream was answered UNAVAILABLE."
                        + describeCommandsSentSoFar());
        if (s != null) {
            s.shutdown();
            try {
                if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                    s.awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                s.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@link #close()} finished: server and worker thread are gone. */
    public boolean isTerminated() {
        Server s;
        synchronized (lock) {
            s = server;
        }
        return (s == null || s.isTerminated()) && worker.isTerminated();
    }

    RunRecorder recorder() {
        return recorder;
    }

    // ---- introspection (progress displays, tests) -----------------------------------------

    /** Ids of every store that connected so far (expected or not yet reported), ascending. */
    public long[] knownStores() {
        synchronized (lock) {
            return stores.keySet().stream().mapToLong(Long::longValue).toArray();
        }
    }

    /** Metas received so far on the store's open stream, or -1 when it has no open stream. */
    public long metasSoFar(long store) {
        synchronized (lock) {
            StoreState s = stores.get(store);
            return s == null || s.stream == null ? -1 : s.stream.metas();
        }
    }

    /** Stores whose complete report is in (they half-closed), ascending. */
    public long[] reportedStores() {
        synchronized (lock) {
            return stores.values().stream().filter(s -> s.done).mapToLong(s -> s.id).toArray();
        }
    }

    /** Stores that called close(workdone=true) and were identified, ascending. */
    public long[] closedStores() {
        synchronized (lock) {
            return stores.values().stream().filter(s -> s.closed).mapToLong(s -> s.id).toArray();
        }
    }

    // ---- the service ------------------------------------------------------------------------

    private final class Service extends PhybrGrpc.PhybrImplBase {
        @Override
        public StreamObserver<RegionMeta> recoverRegions(StreamObserver<RegionRecover> responseObserver) {
            return open((ServerCallStreamObserver<RegionRecover>) responseObserver,
                    StoreIdentity.STORE_ID.get(), StoreIdentity.REMOTE.get());
        }

        @Override
        public void close(CloseRequest request, StreamObserver<CloseReply> responseObserver) {
            onClose(request.getWorkdone(), responseObserver, StoreIdentity.STORE_ID.get(), StoreIdentity.REMOTE.get());
        }

        @Override
        public void resolve(ResolvedRequest request, StreamObserver<ResolvedReply> responseObserver) {
            if (resolvedTs.isEmpty()) {
                responseObserver.onError(Status.FAILED_PRECONDITION.withDescription(
                        "This adviser has no resolved ts: start it with --resolved-ts TS or --backup-meta FILE"
                                + " (a JSON file with {\"resolved_ts\": N}).").asRuntimeException());
                return;
            }
            log.info("resolve: answered resolved ts {}", Long.toUnsignedString(resolvedTs.getAsLong()));
            responseObserver.onNext(ResolvedReply.newBuilder().setResolvedTs(resolvedTs.getAsLong()).build());
            responseObserver.onCompleted();
        }
    }

    private static final StreamObserver<RegionMeta> IGNORE = new StreamObserver<>() {
        @Override
        public void onNext(RegionMeta value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    };

    private StreamObserver<RegionMeta> reject(StreamObserver<RegionRecover> out, Status status) {
        log.warn("recover_regions refused: {}", status.getDescription());
        out.onError(status.asRuntimeException());
        return IGNORE;
    }

    private StreamObserver<RegionMeta> open(ServerCallStreamObserver<RegionRecover> out, String header,
                                            SocketAddress remote) {
        long explicit = -1;
        if (header != null) {
            explicit = StoreIdentity.parse(header);
            if (explicit < 0) {
                return reject(out, Status.INVALID_ARGUMENT.withDescription("phybr-store-id '" + header
                        + "' is not a store id (a decimal number from 1 to 2^63-1)" + from(remote) + "."));
            }
        }
        Object admitted;
        synchronized (lock) {
            admitted = admit(explicit, out, remote);
        }
        if (admitted instanceof Status refusal) {
            return reject(out, refusal);
        }
        ReportStream stream = (ReportStream) admitted;
        stream.start();
        return stream;
    }

    /** The new stream of a store, or the status refusing it. Under lock. */
    private Object admit(long explicit, ServerCallStreamObserver<RegionRecover> out, SocketAddress remote) {
        if (phase == Phase.DONE && terminalStatus != null) {
            return terminalStatus;
        }
        boolean planMade = phase != Phase.COLLECTING;
        boolean anonymous = explicit < 0;
        long id;
        if (!anonymous) {
            id = explicit;
            Status refused = checkExplicit(id, planMade);
            if (refused != null) {
                return refused;
            }
        } else if (planMade) {
            return Status.FAILED_PRECONDITION.withDescription("The plan is already made, so a store that opens"
                    + " recover_regions again must say which store it is with the phybr-store-id header to get its"
                    + " own commands again" + from(remote) + ".");
        } else {
            id = assignAnonymous();
            if (id < 0) {
                return Status.PERMISSION_DENIED.withDescription("The adviser expects " + describeExpected()
                        + " and every one of them is already reporting or has reported; an extra agent without"
                        + " phybr-store-id" + from(remote) + " was refused.");
            }
        }
        StoreState s = stores.get(id);
        if (s != null && s.stream != null) {
            return Status.ALREADY_EXISTS.withDescription("Store " + id + " already has an open recover_regions"
                    + " stream" + from(s.stream.remote) + "; a second stream for the same store" + from(remote)
                    + " is refused.");
        }
        if (s == null) {
            s = new StoreState(id, anonymous);
            stores.put(id, s);
        }
        ReportStream stream = new ReportStream(this, id, out, remote, planMade);
        s.stream = stream;
        s.lastRemote = remote;
        if (planMade) {
            log.info("store {} opened recover_regions again{} after the plan; it gets its commands again once it"
                    + " has reported", id, from(remote));
        } else if (anonymous) {
            log.info("store {} connected{} (no phybr-store-id; numbered in arrival order)", id, from(remote));
        } else {
            log.info("store {} connected{}", id, from(remote));
        }
        return stream;
    }

    /** Null when the explicit id may open a stream, else why not. Under lock. */
    private Status checkExplicit(long id, boolean planMade) {
        if (storeIds != null) {
            if (Arrays.stream(storeIds).noneMatch(x -> x == id)) {
                return Status.PERMISSION_DENIED.withDescription("Store " + id + " is not one of the expected stores "
                        + joinIds(storeIds) + " (--store-ids); its stream is refused.");
            }
        } else if (!stores.containsKey(id) && stores.size() >= expected) {
            return Status.PERMISSION_DENIED.withDescription("Store " + id + " would be store number "
                    + (stores.size() + 1) + " but the adviser expects " + describeExpected() + " and already has stores "
                    + joinIds(stores.keySet()) + "; its stream is refused.");
        }
        if (planMade && !stores.containsKey(id)) {
            return Status.PERMISSION_DENIED.withDescription("Store " + id + " did not report before the plan was"
                    + " made, so the plan has nothing for it; its stream is refused.");
        }
        return null;
    }

    /** The id for an agent without phybr-store-id, or -1. Under lock. */
    private long assignAnonymous() {
        for (StoreState s : stores.values()) {
            if (s.anonymous && s.stream == null && !s.done) {
                return s.id; // the vacancy a lost anonymous agent left
            }
        }
        if (storeIds != null) {
            for (long id : storeIds) {
                if (!stores.containsKey(id)) {
                    return id;
                }
            }
            return -1;
        }
        if (stores.size() >= expected) {
            return -1;
        }
        while (stores.containsKey(nextAnonymous)) {
            nextAnonymous++;
        }
        return nextAnonymous++;
    }

    /** A stream half-closed: its report is complete (or, after the plan, it now wants its commands). */
    void reported(ReportStream stream) {
        Plan toSend = null;
        boolean planNow = false;
        synchronized (lock) {
            StoreState s = stores.get(stream.store);
            if (s == null || s.stream != stream || phase == Phase.DONE && terminalStatus != null) {
                return;
            }
            if (stream.afterPlan) {
                log.info("store {}: reported again after the plan ({} metas, ignored)", stream.store, stream.metas());
                stream.halfClosed = true;
                toSend = plan; // null while planning; the planner sends it when done
            } else if (phase == Phase.COLLECTING) {
                stream.halfClosed = true;
                s.done = true;
                s.report = stream;
                int finished = (int) stores.values().stream().filter(x -> x.done).count();
                log.info(String.format(Locale.ROOT, "store %d finished reporting: %d metas in %.2f s%s (%d of %d stores)",
                        stream.store, stream.metas(), stream.seconds(),
                        stream.problemCount() > 0 ? ", " + stream.problemCount() + " malformed" : "", finished, expected));
                if (allReported()) {
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

    /** Under lock. */
    private boolean allReported() {
        if (storeIds != null) {
            for (long id : storeIds) {
                StoreState s = stores.get(id);
                if (s == null || !s.done) {
                    return false;
                }
            }
            return true;
        }
        return stores.size() == expected && stores.values().stream().allMatch(s -> s.done);
    }

    /** The stream sent all its commands and completed: the store may open a new one (after a reboot). */
    void delivered(ReportStream stream) {
        synchronized (lock) {
            StoreState s = stores.get(stream.store);
            if (s != null && s.stream == stream) {
                s.stream = null;
            }
        }
    }

    /** A stream errored or was cancelled by the agent. Idempotent. */
    void lost(ReportStream stream, String why) {
        synchronized (lock) {
            StoreState s = stores.get(stream.store);
            if (s == null || s.stream != stream) {
                return;
            }
            s.stream = null;
            if (phase == Phase.COLLECTING) {
                s.done = false;
                s.report = null;
                s.disconnects++;
                s.lostAfterMetas = stream.metas();
                log.warn("store {}: stream lost after {} metas ({}); its reports are discarded and the store may"
                        + " reconnect and report again", stream.store, stream.metas(), why);
                stream.recording.discard();
            } else if (phase == Phase.PLANNING || phase == Phase.APPLYING) {
                log.warn("store {}: stream lost ({}; {}); it gets its commands again if it reconnects",
                        stream.store, why, stream.sendProgress());
            }
        }
    }

    // ---- planning ---------------------------------------------------------------------------

    private void planAndSend() {
        List<ReportStream> reports = new ArrayList<>();
        synchronized (lock) {
            if (phase != Phase.PLANNING) {
                return;
            }
            for (StoreState s : stores.values()) {
                reports.add(s.report);
            }
        }
        long t0 = System.nanoTime();
        PlanOutcome result;
        long replicas = 0;
        List<String> transportProblems = new ArrayList<>();
        int transportProblemCount = 0;
        try {
            for (ReportStream r : reports) {
                replicas += r.table().size();
                transportProblems.addAll(r.problems());
                transportProblemCount += r.problemCount();
            }
            ReplicaTable all = new ReplicaTable((int) Math.min(Integer.MAX_VALUE - 16, Math.max(16, replicas)));
            for (ReportStream r : reports) {
                all.appendAll(r.table());
            }
            result = Planner.plan(all, planOptions);
        } catch (RuntimeException | OutOfMemoryError e) {
            log.error("internal error while planning", e);
            finish(ExitCode.INTERNAL, Status.Code.INTERNAL, "internal error while planning",
                    "Internal error while planning (" + e + "); no command was sent to any store. This is a bug in"
                            + " phybr: please report it with the adviser log.");
            return;
        }
        long t1 = System.nanoTime();
        if (transportProblemCount > 0) {
            List<String> lines = new ArrayList<>(transportProblems);
            int count = transportProblemCount;
            if (result instanceof Refusal r && r.kind() == Refusal.Kind.MALFORMED) {
                lines.addAll(r.problems());
                count += r.problems().size();
            }
            StringBuilder sb = new StringBuilder("Refusing to plan: ").append(count)
                    .append(count == 1 ? " malformed region report: " : " malformed region reports: ");
            appendListed(sb, lines, count);
            sb.append(". No command was sent to any store; fix or re-collect the reports of the named stores.");
            refuse(sb.toString());
            return;
        }
        if (result instanceof Refusal r) {
            refuse(r.message());
            return;
        }
        Plan p = (Plan) result;
        log.info(String.format(Locale.ROOT, "planned %d replicas from %d stores in %.2f s", replicas, reports.size(),
                (t1 - t0) / 1e9));
        log.info(p.summary().toText().strip());
        recorder.planned(p); // asynchronous: never delays the commands
        if (planOutput != null) {
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(planOutput), 1 << 16)) {
                p.writeJsonLines(o);
                log.info("wrote the plan ({} commands) to {}", p.commandCount(), planOutput);
            } catch (IOException e) {
                finish(ExitCode.FAILURE, Status.Code.UNAVAILABLE, "could not write the plan to " + planOutput,
                        "The plan was made but could not be written to " + planOutput + " (" + e.getMessage()
                                + "), so no command was sent to any store. Fix the path given to --plan-output and"
                                + " run the adviser again.");
                return;
            }
        }
        List<ReportStream> waiting = new ArrayList<>();
        synchronized (lock) {
            if (phase != Phase.PLANNING) {
                return;
            }
            plan = p;
            phase = Phase.APPLYING;
            phaseStartNanos = System.nanoTime();
            for (StoreState s : stores.values()) {
                if (s.stream != null && s.stream.halfClosed) {
                    waiting.add(s.stream);
                }
            }
            timer = worker.schedule(this::closeTimedOut, closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        log.info("sending the plan: {} commands to {} stores", p.commandCount(), reports.size());
        for (ReportStream stream : waiting) {
            stream.send(p);
        }
        checkBarrier();
    }

    private void refuse(String diagnosis) {
        finish(ExitCode.REFUSED, Status.Code.FAILED_PRECONDITION, "plan refused; no command was sent to any store",
                diagnosis);
    }

    // ---- close barrier ----------------------------------------------------------------------

    private void onClose(boolean workdone, StreamObserver<CloseReply> reply, String header, SocketAddress remote) {
        long id = -1;
        if (header != null) {
            id = StoreIdentity.parse(header);
            if (id < 0) {
                reply.onError(Status.INVALID_ARGUMENT.withDescription("phybr-store-id '" + header
                        + "' is not a store id (a decimal number from 1 to 2^63-1)" + from(remote) + ".")
                        .asRuntimeException());
                return;
            }
        }
        if (reply instanceof ServerCallStreamObserver<CloseReply> call) {
            call.setOnCancelHandler(() -> log.debug("a held close call was cancelled by its agent"));
        }
        Status immediate = null;
        boolean ok = false;
        String failure = null;
        synchronized (lock) {
            if (id < 0) {
                id = storeByRemote(remote);
            }
            String who = id > 0 ? "store " + id : "an agent without phybr-store-id" + from(remote);
            if (phase == Phase.DONE) {
                if (terminalStatus != null) {
                    immediate = terminalStatus;
                } else {
                    ok = true;
                }
            } else if (id > 0 && !stores.containsKey(id) && (storeIds == null || !contains(storeIds, id))) {
                immediate = Status.PERMISSION_DENIED.withDescription("Store " + id + " is not one of the stores of"
                        + " this session (" + describeExpected() + "); its close is refused.");
            } else if (!workdone) {
                heldCloses.add(new HeldClose(id, reply));
                failure = who;
            } else {
                heldCloses.add(new HeldClose(id, reply));
                StoreState s = id > 0 ? stores.get(id) : null;
                if (s != null) {
                    s.closed = true;
                } else {
                    anonymousCloses++;
                }
                List<Long> missing = missingCloses();
                log.info("{} closed (work done){}", capitalize(who), missing.isEmpty() ? ""
                        : "; waiting for " + (phase == Phase.APPLYING ? "" : "the plan and ")
                        + describeMissing(missing));
            }
        }
        if (immediate != null) {
            reply.onError(immediate.asRuntimeException());
            return;
        }
        if (ok) {
            reply.onNext(CloseReply.newBuilder().setOk("ok").build());
            reply.onCompleted();
            return;
        }
        if (failure != null) {
            String stage;
            synchronized (lock) {
                stage = plan == null ? " before any command was sent to it" : " after the plan was sent";
            }
            finish(ExitCode.FAILURE, Status.Code.ABORTED, capitalize(failure) + " reported failure",
                    capitalize(failure) + " reported failure: it called close(workdone=false)" + stage
                            + ". The restore did not complete; inspect that store's agent log, then run the"
                            + " restore again. Every agent was told to stop." + describeCommandsSentSoFar());
            return;
        }
        checkBarrier();
    }

    private static boolean contains(long[] ids, long id) {
        for (long x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    /** The store whose streams came from {@code remote} (same connection), if exactly one. Under lock. */
    private long storeByRemote(SocketAddress remote) {
        if (remote == null || !(remote instanceof InetSocketAddress)) {
            return -1;
        }
        long found = -1;
        for (StoreState s : stores.values()) {
            if (remote.equals(s.lastRemote)) {
                if (found > 0) {
                    return -1;
                }
                found = s.id;
            }
        }
        return found;
    }

    /** Stores that have not called close(workdone=true), not counting unattributed closes. Under lock. */
    private List<Long> missingCloses() {
        List<Long> missing = new ArrayList<>();
        if (storeIds != null) {
            for (long id : storeIds) {
                StoreState s = stores.get(id);
                if (s == null || !s.closed) {
                    missing.add(id);
                }
            }
        } else {
            for (StoreState s : stores.values()) {
                if (!s.closed) {
                    missing.add(s.id);
                }
            }
            for (int i = stores.size(); i < expected; i++) {
                missing.add(-1L);
            }
        }
        return missing;
    }

    private void checkBarrier() {
        List<HeldClose> replies;
        int commands;
        synchronized (lock) {
            if (phase != Phase.APPLYING || missingCloses().size() > anonymousCloses) {
                return;
            }
            phase = Phase.DONE;
            cancelTimer();
            replies = new ArrayList<>(heldCloses);
            heldCloses.clear();
            commands = plan.commandCount();
        }
        String verdict = "recovery complete: " + describeExpected() + " applied the plan (" + commands + " command"
                + (commands == 1 ? "" : "s") + ") and closed";
        for (HeldClose h : replies) {
            try {
                h.reply.onNext(CloseReply.newBuilder().setOk("ok").build());
                h.reply.onCompleted();
            } catch (RuntimeException e) {
                log.debug("close reply to store {} failed: {}", h.store, e.toString());
            }
        }
        log.info("verdict: OK, {}", verdict);
        outcome.complete(new Outcome(ExitCode.OK, verdict, Optional.empty(), Optional.of(plan())));
    }

    private Plan plan() {
        synchronized (lock) {
            return plan;
        }
    }

    // ---- timeouts ---------------------------------------------------------------------------

    private void collectTimedOut() {
        String diagnosis;
        synchronized (lock) {
            if (phase != Phase.COLLECTING) {
                return;
            }
            List<String> done = new ArrayList<>();
            List<String> parts = new ArrayList<>();
            List<String> malformed = new ArrayList<>();
            if (storeIds != null) {
                for (long id : storeIds) {
                    if (!stores.containsKey(id)) {
                        parts.add("store " + id + " never connected");
                    }
                }
            } else if (stores.size() < expected) {
                int missing = expected - stores.size();
                parts.add(missing + (missing == 1 ? " store" : " stores") + " never connected (expected "
                        + describeExpected() + ", " + (stores.isEmpty() ? "none" : "only " + joinIds(stores.keySet()))
                        + " connected)");
            }
            for (StoreState s : stores.values()) {
                if (s.done) {
                    done.add(Long.toString(s.id));
                    malformed.addAll(s.report.problems());
                } else if (s.stream != null) {
                    parts.add("store " + s.id + " is still reporting (" + s.stream.metas() + " metas so far)");
                } else {
                    parts.add("store " + s.id + " disconnected after " + s.lostAfterMetas + " metas and did not"
                            + " reconnect");
                }
            }
            StringBuilder sb = new StringBuilder("Timed out after ").append(human(collectTimeout))
                    .append(" collecting region reports: ").append(done.size()).append(" of ").append(expected)
                    .append(" stores finished reporting");
            if (!done.isEmpty()) {
                sb.append(" (").append(done.size() == 1 ? "store " : "stores ").append(String.join(", ", done)).append(')');
            }
            sb.append("; ").append(String.join("; ", parts)).append(". No command was sent to any store. Start the"
                    + " agents of the missing stores (or fix their connection to this adviser) and run the adviser"
                    + " again, or give it a longer --collect-timeout.");
            if (!malformed.isEmpty()) {
                sb.append(" Malformed reports were already seen: ");
                appendListed(sb, malformed, malformed.size());
                sb.append('.');
            }
            diagnosis = sb.toString();
        }
        finish(ExitCode.TIMEOUT, Status.Code.DEADLINE_EXCEEDED, "timed out collecting region reports; no command was"
                + " sent to any store", diagnosis);
    }

    private void closeTimedOut() {
        String diagnosis;
        synchronized (lock) {
            if (phase != Phase.APPLYING) {
                return;
            }
            List<Long> missing = missingCloses();
            List<String> details = new ArrayList<>();
            for (long id : missing) {
                StoreState s = id > 0 ? stores.get(id) : null;
                if (s != null && s.stream != null) {
                    details.add("store " + id + " " + s.stream.sendProgress());
                }
            }
            diagnosis = "Timed out after " + human(closeTimeout) + " waiting for every store to apply its commands and"
                    + " call close: " + describeMissing(missing) + " never closed"
                    + (anonymousCloses > 0 ? " (" + anonymousCloses + " close call(s) came without phybr-store-id"
                    + " and could not be attributed)" : "")
                    + (details.isEmpty() ? "" : " (" + String.join("; ", details) + ")")
                    + ". The plan was sent, so the stores that closed applied their part; check the agents of the"
                    + " named stores before starting TiKV.";
        }
        finish(ExitCode.TIMEOUT, Status.Code.DEADLINE_EXCEEDED, "timed out waiting for every store to close",
                diagnosis);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    // ---- the end ----------------------------------------------------------------------------

    /** Ends the session unsuccessfully: every open stream and held close gets {@code code} + diagnosis. */
    private void finish(ExitCode exit, Status.Code code, String verdict, String diagnosis) {
        List<ReportStream> open = new ArrayList<>();
        List<HeldClose> replies;
        Status status = code.toStatus().withDescription(diagnosis);
        Plan p;
        synchronized (lock) {
            if (phase == Phase.DONE) {
                return;
            }
            phase = Phase.DONE;
            terminalStatus = status;
            cancelTimer();
            for (StoreState s : stores.values()) {
                if (s.stream != null) {
                    open.add(s.stream);
                }
            }
            replies = new ArrayList<>(heldCloses);
            heldCloses.clear();
            p = plan;
        }
        for (ReportStream stream : open) {
            stream.fail(status);
        }
        for (HeldClose h : replies) {
            try {
                h.reply.onError(status.asRuntimeException());
            } catch (RuntimeException e) {
                log.debug("close reply to store {} failed: {}", h.store, e.toString());
            }
        }
        log.error("{}", diagnosis);
        log.error("verdict: {}, {}", exit, verdict);
        outcome.complete(new Outcome(exit, verdict, Optional.of(diagnosis), Optional.ofNullable(p)));
    }

    private String describeCommandsSentSoFar() {
        synchronized (lock) {
            return plan == null ? " No command had been sent to any store." : " The plan had been sent.";
        }
    }

    // ---- text -------------------------------------------------------------------------------

    private String describeExpected() {
        if (storeIds != null) {
            return (storeIds.length == 1 ? "store " : "stores ") + joinIds(storeIds);
        }
        return expected + (expected == 1 ? " store" : " stores");
    }

    private static String describeMissing(List<Long> missing) {
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
            sb.append(sb.length() > 0 ? " and " : "").append(unnamed).append(unnamed == 1 ? " store" : " stores")
                    .append(" that never connected");
        }
        return sb.toString();
    }

    private static String joinIds(long[] ids) {
        return Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(", "));
    }

    private static String joinIds(Iterable<Long> ids) {
        List<String> out = new ArrayList<>();
        ids.forEach(i -> out.add(Long.toString(i)));
        return String.join(", ", out);
    }

    private static String from(SocketAddress remote) {
        // In-process addresses only repeat the server name; TCP peers tell agents apart.
        return remote instanceof InetSocketAddress ? " (from " + remote + ")" : "";
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static void appendListed(StringBuilder sb, List<String> lines, int total) {
        int shown = Math.min(lines.size(), MAX_LISTED);
        sb.append(String.join("; ", lines.subList(0, shown)));
        if (total > shown) {
            sb.append("; and ").append(total - shown).append(" more");
        }
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6; an empty host means every interface). */
    static InetSocketAddress parseListen(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen address '" + text + "' is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen address '" + text + "' has no valid port (HOST:PORT, port 0..65535)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen address '" + text + "' has port " + port + " outside 0..65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("listen address '" + text + "': cannot resolve host '" + host + "'");
        }
        return a;
    }

    // ---- builder ----------------------------------------------------------------------------

    /** Configures a {@link SeedAdviser}; {@link #build()} checks the combination. */
    public static final class Builder {
        private String listen;
        private String inProcessName;
        private int stores;
        private long[] storeIds;
        private Duration collectTimeout = Duration.ofMinutes(10);
        private Duration closeTimeout = Duration.ofMinutes(10);
        private Policy policy = Policy.SEED;
        private OptionalLong resolvedTs = OptionalLong.empty();
        private boolean acceptHoles;
        private Path planOutput;
        private RunRecorder recorder = RunRecorder.none();

        private Builder() {
        }

        /** TCP {@code HOST:PORT} to listen on (port 0 picks a free one); default 127.0.0.1:3379. */
        public Builder listen(String hostPort) {
            this.listen = Objects.requireNonNull(hostPort, "hostPort");
            return this;
        }

        /** Serve over grpc's in-process transport under this name instead of TCP. */
        public Builder inProcess(String name) {
            this.inProcessName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Expect this many stores; ids come from phybr-store-id, else arrival order. */
        public Builder stores(int count) {
            this.stores = count;
            return this;
        }

        /** Expect exactly these store ids; any other id is refused. */
        public Builder storeIds(long... ids) {
            this.storeIds = ids.clone();
            return this;
        }

        public Builder collectTimeout(Duration d) {
            this.collectTimeout = Objects.requireNonNull(d, "collectTimeout");
            return this;
        }

        public Builder closeTimeout(Duration d) {
            this.closeTimeout = Objects.requireNonNull(d, "closeTimeout");
            return this;
        }

        public Builder policy(Policy p) {
            this.policy = Objects.requireNonNull(p, "policy");
            return this;
        }

        /** What {@code resolve} answers; without it {@code resolve} fails with FAILED_PRECONDITION. */
        public Builder resolvedTs(long ts) {
            this.resolvedTs = OptionalLong.of(ts);
            return this;
        }

        /** Plan even if the kept regions leave holes (the data there is lost). */
        public Builder acceptHoles(boolean accept) {
            this.acceptHoles = accept;
            return this;
        }

        /** Write the plan (JSON Lines, SPEC §6) here before any command is sent. */
        public Builder planOutput(Path file) {
            this.planOutput = file;
            return this;
        }

        /**
         * Record every region report as it arrives, and the plan once made ({@link RunRecorder}); the
         * caller finishes the recorder with the outcome. Default: {@link RunRecorder#none()}.
         */
        public Builder recorder(RunRecorder r) {
            this.recorder = Objects.requireNonNull(r, "recorder");
            return this;
        }

        public SeedAdviser build() {
            if (listen != null && inProcessName != null) {
                throw new IllegalArgumentException("give either a TCP listen address or an in-process name, not both");
            }
            if (listen == null && inProcessName == null) {
                listen = "127.0.0.1:3379";
            }
            if (listen != null) {
                parseListen(listen);
            }
            if (storeIds != null && stores != 0 && stores != storeIds.length) {
                throw new IllegalArgumentException("give either a store count or store ids, not both (" + stores
                        + " stores vs " + storeIds.length + " ids)");
            }
            if (storeIds != null) {
                if (storeIds.length == 0) {
                    throw new IllegalArgumentException("the store id list is empty");
                }
                TreeSet<Long> seen = new TreeSet<>();
                for (long id : storeIds) {
                    if (id <= 0) {
                        throw new IllegalArgumentException("store id " + id + " is out of range (1..2^63-1)");
                    }
                    if (!seen.add(id)) {
                        throw new IllegalArgumentException("store id " + id + " is listed twice");
                    }
                }
                storeIds = seen.stream().mapToLong(Long::longValue).toArray();
            } else if (stores <= 0) {
                throw new IllegalArgumentException("the number of stores must be at least 1 (got " + stores + ")");
            }
            if (collectTimeout.isNegative() || collectTimeout.isZero()) {
                throw new IllegalArgumentException("the collect timeout must be positive");
            }
            if (closeTimeout.isNegative() || closeTimeout.isZero()) {
                throw new IllegalArgumentException("the close timeout must be positive");
            }
            return new SeedAdviser(this);
        }
    }
}
