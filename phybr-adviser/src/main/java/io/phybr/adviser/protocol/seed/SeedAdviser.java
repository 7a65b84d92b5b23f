package io.phybr.adviser.protocol.seed;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.files.AtomicFiles;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.text.Texts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>This class is the façade (configure, start, wait, close, look inside). The parts: {@link SeedService}
 * binds the gRPC service; {@link Session} is the state machine and owns the one lock; {@link StoreRegistry}
 * admits stores; {@link CloseBarrier} counts closed stores; {@link Planning} plans; {@link ReportStream}
 * is one store's stream; {@link Diagnoses} holds every text; {@link ListenAddress} parses {@code --listen}; {@link SeedServers}
 * builds the gRPC server.
 *
 * <pre>{@code
 * SeedAdviser adviser = SeedAdviser.builder().listen("127.0.0.1:0").stores(3).build().start();
 * Outcome outcome = adviser.awaitOutcome();
 * adviser.close();
 * }</pre>
 */
public final class SeedAdviser implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SeedAdviser.class);

    private final String listen;
    private final String inProcessName;
    private final Duration collectTimeout;
    private final Duration closeTimeout;
    private final OptionalLong resolvedTs;
    private final Duration keepAliveTime;
    private final Duration keepAliveTimeout;
    private final Tls tls;
    private final Session session;
    private final Object lock = new Object();
    private Server server; // guarded by lock
    private boolean closed; // guarded by lock

    private SeedAdviser(Builder b) {
        this.listen = b.listen;
        this.inProcessName = b.inProcessName;
        this.collectTimeout = b.collectTimeout;
        this.closeTimeout = b.closeTimeout;
        this.resolvedTs = b.resolvedTs;
        this.keepAliveTime = b.keepAliveTime;
        this.keepAliveTimeout = b.keepAliveTimeout;
        this.tls = b.tls;
        StoreRegistry<ReportStream> stores = b.storeIds != null ? StoreRegistry.listed(b.storeIds)
                : StoreRegistry.counted(b.stores);
        this.session = new Session(stores, new Session.Config(b.collectTimeout, b.closeTimeout,
                new PlanOptions(b.policy, Protocol.SEED, b.acceptHoles), b.planOutput, b.recorder, b.planWriter, b.planMaker));
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- lifecycle --------------------------------------------------------------------------

    /** Binds and starts collecting; the collect timeout runs from here. */
    public SeedAdviser start() throws IOException {
        session.begin();
        var definition = ServerInterceptors.intercept(LenientMetas.bind(new SeedService(session, resolvedTs)),
                new StoreIdentity());
        if (tls != null) {
            definition = ServerInterceptors.intercept(definition, tls.clientCheck()); // runs first: no certificate, no call
        }
        Server s = inProcessName != null ? SeedServers.inProcess(inProcessName, definition)
                : SeedServers.tcp(ListenAddress.parse(listen), tls == null ? null : tls.context(), keepAliveTime,
                        keepAliveTimeout, definition);
        try {
            s.start();
        } catch (IOException e) {
            session.abandon();
            String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IOException("cannot listen on " + listen + ": " + why, e);
        }
        synchronized (lock) {
            server = s;
        }
        session.listening();
        log.info("phybr seed adviser listening on {}; expecting {}; collect timeout {}, close timeout {}",
                inProcessName != null ? "in-process:" + inProcessName : listen + " (port " + port() + ")",
                session.describeExpected(), Texts.duration(collectTimeout), Texts.duration(closeTimeout));
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
        return session.outcome().join();
    }

    /** Like {@link #awaitOutcome()} but gives up after {@code timeout}. */
    public Optional<Outcome> awaitOutcome(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(session.outcome().get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The outcome if the session already ended. */
    public Optional<Outcome> outcome() {
        return Optional.ofNullable(session.outcome().getNow(null));
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
        session.shutDown();
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
        session.stopWorker();
    }

    /** Whether {@link #close()} finished: server and worker thread are gone. */
    public boolean isTerminated() {
        Server s;
        synchronized (lock) {
            s = server;
        }
        return (s == null || s.isTerminated()) && session.workerTerminated();
    }

    // ---- introspection (progress displays, tests) -----------------------------------------

    /** Ids of every store that connected so far (expected or not yet reported), ascending. */
    public long[] knownStores() {
        return session.stores(s -> true);
    }

    /** Metas received so far on the store's open stream, or -1 when it has no open stream. */
    private final SeedProgress progress = new SeedProgress();

    /**
     * How far the session is, as {@code recover}'s phases report it (collect: stores reported and metas received;
     * close: stores closed), oldest first: a phase that ended since the last call gets its finished snapshot. For one
     * poller (the CLI's progress bar and metrics); {@code ended} marks the last call.
     */
    public synchronized java.util.List<io.phybr.adviser.progress.PhaseProgress> progress(boolean ended) {
        return progress.next(session.view(), ended);
    }

    /**
     * Metas received from {@code store}: its complete report's count once it reported (also after its stream
     * delivered the commands and completed), else its open stream's so far; -1 for a store with neither (unknown, or
     * its stream died before it reported).
     */
    public long metasSoFar(long store) {
        return session.metasSoFar(store);
    }

    /** Stores whose complete report is in (they half-closed), ascending. */
    public long[] reportedStores() {
        return session.stores(StoreRegistry.Store::reported);
    }

    /** Stores whose close(workdone=true) was attributed to them and counted, ascending. */
    public long[] closedStores() {
        return session.closedStores();
    }

    /** Writes the plan as JSON Lines (SPEC §6). */
    private static void writePlan(io.phybr.adviser.plan.Plan p, Path file) throws IOException {
        AtomicFiles.write(file, p::writeJsonLines);
    }

    // ---- builder ----------------------------------------------------------------------------

    private record Tls(io.grpc.netty.shaded.io.netty.handler.ssl.SslContext context, io.grpc.ServerInterceptor clientCheck) {}

    /** Configures a {@link SeedAdviser}; {@link #build()} checks the combination. */
    public static final class Builder {
        private String listen;
        private String inProcessName;
        private int stores;
        private long[] storeIds;
        private Duration collectTimeout = Duration.ofMinutes(10);
        private Duration closeTimeout = Duration.ofMinutes(10);
        private Duration keepAliveTime = SeedServers.DEFAULT_KEEPALIVE_TIME;
        private Duration keepAliveTimeout = SeedServers.DEFAULT_KEEPALIVE_TIMEOUT;
        private Policy policy = Policy.SEED;
        private OptionalLong resolvedTs = OptionalLong.empty();
        private boolean acceptHoles;
        private Path planOutput;
        private RunRecorder recorder = RunRecorder.none();
        private Planning.PlanWriter planWriter = SeedAdviser::writePlan;
        private Planning.PlanMaker planMaker = io.phybr.adviser.plan.Planner::plan;
        private Tls tls;

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

        /**
         * How long a TCP connection may stay silent before the adviser pings it, and how long it waits for the answer
         * before dropping the connection (and the store's stream with it); default 20 s and 10 s. TCP only.
         */
        public Builder keepAlive(Duration time, Duration timeout) {
            if (time.isNegative() || time.isZero() || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("keepalive time and timeout must be positive");
            }
            this.keepAliveTime = time;
            this.keepAliveTimeout = timeout;
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

        /**
         * Serve mutual TLS (TCP only): {@code serverContext} from {@code TlsConfig.grpcServerContext}, and
         * {@code clientCheck} refusing calls without a client certificate.
         */
        public Builder tls(io.grpc.netty.shaded.io.netty.handler.ssl.SslContext serverContext,
                           io.grpc.ServerInterceptor clientCheck) {
            this.tls = new Tls(Objects.requireNonNull(serverContext, "serverContext"),
                    Objects.requireNonNull(clientCheck, "clientCheck"));
            return this;
        }

        /** How {@link #planOutput} is written (default: {@code AtomicFiles}); tests inject a failing disk here. */
        Builder planWriter(Planning.PlanWriter writer) {
            this.planWriter = Objects.requireNonNull(writer, "writer");
            return this;
        }

        /** How the plan is made (default: {@code Planner.plan}); tests inject deliberately broken planners here. */
        Builder planMaker(Planning.PlanMaker maker) {
            this.planMaker = Objects.requireNonNull(maker, "maker");
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
                ListenAddress.parse(listen);
            }
            if (tls != null && inProcessName != null) {
                throw new IllegalArgumentException("TLS needs a TCP listen address, not an in-process one");
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
