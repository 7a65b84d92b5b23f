package io.phybr.mock.pd;

import com.sun.net.httpserver.HttpServer;
import io.phybr.mock.fault.Fault;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A mock PD on a loopback ephemeral port that behaves like tikv/pd where a recovery meets it (SPEC §3.1 R0, R9,
 * R12–R14): stores that register late and again after a restart ({@link StoreRegistry}), schedulers that lose their
 * settings when deleted and pause with a delay ({@link Schedulers}), config items with TTLs applied one by one
 * ({@link ScheduleConfig}), the marker and base alloc id ({@link PdModel}), regions' leaders as their heartbeats
 * reported them. This class is the handle a test scripts and inspects and owns the servers' lifecycle: every call is
 * recorded ({@link #calls()}, kept by {@link PdCalls}), {@link #state()} snapshots what a recovery may change, faults
 * are data ({@link #inject}); {@link PdHttp} binds the HTTP API and {@link PdGrpcService} pdpb to the model.
 */
public final class MockPd implements AutoCloseable {
    static {
        // PD answers over Go's net/http, whose TCP connections have Nagle's algorithm off; the JDK's HttpServer keeps
        // it on unless this is set (read once, when the first server starts), which delayed small answers and added
        // ~0.3 s to every recover's PD pause in the mock. An explicit -D setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** A store PD lists, with the version its process reported when it registered. */
    public record Store(long id, String address, boolean tiflash, String state, String version) {
        /** The TiKV release the mock stores claim by default (docker/.env's). */
        public static final String DEFAULT_VERSION = "7.5.1";

        public Store(long id, String address, boolean tiflash, String state) {
            this(id, address, tiflash, state, tiflash ? "v" + DEFAULT_VERSION : DEFAULT_VERSION);
        }

        public static Store tikv(long id, String address) {
            return new Store(id, address, false, "Up");
        }

        public static Store tiflash(long id, String address) {
            return new Store(id, address, true, "Up");
        }

        /** The same store running another TiKV version. */
        public Store withVersion(String v) {
            return new Store(id, address, tiflash, state, v);
        }
    }

    /** PD's default schedule items (the ones a recovery touches). */
    public static Map<String, Object> defaultScheduleConfig() {
        return ScheduleConfig.defaults();
    }

    /** PD's default schedulers. */
    public static List<String> defaultSchedulers() {
        return new ArrayList<>(Schedulers.defaults().keySet());
    }

    /** PD's default schedulers with their default settings (name → settings JSON). */
    public static Map<String, String> defaultSchedulerSettings() {
        return Schedulers.defaults();
    }

    /** PD's defaults for a scheduler created by name. */
    public static String defaultSettings(String scheduler) {
        return Schedulers.defaultSettings(scheduler);
    }

    private static final AtomicInteger LIVE = new AtomicInteger();

    private final PdModel model;
    private final HttpServer server;
    /** pdpb.PD over gRPC (its own port; {@link #mux} puts it on PD's one client port when plaintext). */
    private final io.grpc.Server grpc;
    private final PortMux mux;
    private final ExecutorService executor;
    private final PdCalls calls = new PdCalls();
    private final PdHttp http;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private MockPd(Builder b) throws IOException {
        this.model = new PdModel(b.clock, b.stores, b.marked, b.schedule, b.schedulers);
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        // With TLS the client port terminates it and routes to the plaintext HTTP and gRPC servers behind (PortMux)
        this.server = HttpServer.create(at, 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mock-pd");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        this.http = new PdHttp(model, calls, this::awaitClose);
        server.createContext("/", http::handle);
        server.start();
        io.grpc.Server g = null;
        PortMux m = null;
        try {
            g = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
                    .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .addService(new PdGrpcService(this, model, new Tso(b.clock))).build().start();
            m = new PortMux(server.getAddress().getPort(), g.getPort(), b.tls);
        } catch (IOException | RuntimeException e) {
            server.stop(0);
            executor.shutdownNow();
            if (g != null) {
                g.shutdownNow();
            }
            throw e;
        }
        this.grpc = g;
        this.mux = m;
        LIVE.incrementAndGet();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mock PDs running in this JVM (tests assert 0 at the end: no leaks). */
    public static int live() {
        return LIVE.get();
    }

    /**
     * {@code 127.0.0.1:port}, what {@code --pd} takes: PD's one client port, HTTP API and pdpb gRPC both (as real PD,
     * over TLS when the PD has it).
     */
    public String address() {
        return server.getAddress().getAddress().getHostAddress() + ":"
                + mux.port();
    }

    /** Where pdpb.PD's gRPC server itself listens, plaintext behind the client port ({@link #address()}). */
    public String grpcAddress() {
        return server.getAddress().getAddress().getHostAddress() + ":" + grpc.getPort();
    }

    /** The cluster id pdpb answers in its headers and requires in requests. */
    public static long clusterId() {
        return PdGrpcService.CLUSTER_ID;
    }

    /** Point of a pdpb call ({@code method} e.g. "Tso"): the PD fault matching {@code POST /pdpb.PD/<method>}, recorded. */
    Fault.PdFault grpcFault(String method) {
        String path = "/pdpb.PD/" + method;
        Fault.PdFault f = calls.take("POST", path, null, "");
        if (!(f instanceof Fault.PdStall)) {
            calls.answered("POST", path, null, "", f instanceof Fault.PdStatus st ? st.status() : 200);
        }
        return f;
    }

    /** A stalled pdpb call: answered with UNAVAILABLE only when PD closes (the client's deadline ends it first). */
    void holdUntilClose(io.grpc.stub.StreamObserver<?> obs) {
        executor.execute(() -> {
            awaitClose();
            try {
                obs.onError(io.grpc.Status.UNAVAILABLE.withDescription("PD closed").asRuntimeException());
            } catch (RuntimeException ignored) {
                // the client already gave up
            }
        });
    }

    public PdState state() {
        return model.state();
    }

    public List<PdCall> calls() {
        return calls.all();
    }

    /** Calls that changed something (POST/DELETE answered 2xx). */
    public List<PdCall> mutatingCalls() {
        return calls.mutating();
    }

    /** Also log every applied write (not GETs) to {@code log}, shared with the stores. */
    public void callLog(io.phybr.mock.CallLog log) {
        calls.log(log);
    }

    public void inject(Fault.PdFault fault) {
        calls.inject(fault);
    }

    public void setMarked(boolean m) {
        model.setMarked(m);
    }

    /** Without a PD leader, base-alloc-id answers 503 (R13). */
    public void setHasLeader(boolean leader) {
        model.setHasLeader(leader);
    }

    /** Replaces the registered stores (each registers now). */
    public void setStores(List<Store> s) {
        model.withStores(r -> r.replace(s));
    }

    /** A store registers now (R14), or again with a newer start timestamp if it was registered. */
    public void registerStore(Store s) {
        model.withStores(r -> r.register(s));
    }

    /**
     * R14: these stores register one by one, in order, one after every {@code everyListings} calls of
     * {@code GET /pd/api/v1/stores} — a client that reads the list early sees a subset.
     */
    public void registerLater(int everyListings, List<Store> later) {
        model.withStores(r -> r.script(later, everyListings));
    }

    /** R14 (tidb-operator#5242): store {@code s} registers once PD has answered {@code listings} listings without it. */
    public void registerAfter(Store s, int listings) {
        model.withStores(r -> r.registerAfter(s, listings));
    }

    /**
     * Told the number of every answered {@code GET /pd/api/v1/stores} (1, 2, …) right after its answer went out: the
     * point where scripted events tied to PD's store listings fire (e.g. a store restart, R9).
     */
    public void onStoreListing(java.util.function.IntConsumer listener) {
        http.onStoreListing(listener);
    }

    /** Stores of the script not registered yet. */
    public List<Long> pendingStores() {
        return model.readStores(StoreRegistry::pendingIds);
    }

    /** R9: the store restarted — it registers again with a strictly newer start timestamp. Stock stores call this. */
    public void storeRestarted(long storeId) {
        model.withStores(r -> r.restarted(storeId));
    }

    /** Store id → start timestamp (seconds) as PD lists it. */
    public Map<Long, Long> startTimestamps() {
        return model.readStores(StoreRegistry::startTimestamps);
    }

    /** A region's leader reports it (pdpb RegionHeartbeat); PD shows regions and leaders only from these. */
    /**
     * The operator paused {@code scheduler} for {@code delay} before anybody else talked to PD (R12): the same pause a
     * {@code POST /pd/api/v1/schedulers/{name}} with that delay makes. An unknown scheduler is an error.
     */
    public void operatorPaused(String scheduler, java.time.Duration delay) {
        PdReply r = model.pauseScheduler(scheduler, delay.toSeconds());
        if (r.status() != 200) {
            throw new IllegalArgumentException("cannot pause scheduler '" + scheduler + "': PD answers " + r.status()
                    + " " + r.body());
        }
    }

    /** R12: a BR killed before it restored PD left its pauses and TTL items live for {@code left} more. */
    public void killedBrLeftPaused(java.time.Duration left, int stores) {
        model.killedBrLeftPaused(left, stores);
    }

    public void heartbeat(RegionHeartbeat hb) {
        model.withStores(r -> r.heartbeat(hb));
    }

    /** Region id → the store PD believes leads it. */
    public Map<Long, Long> leaders() {
        return model.readStores(StoreRegistry::leaders);
    }

    /** What PD's schedulers obey for {@code item} now: a live TTL value, else the persisted one. */
    public String effectiveConfig(String item) {
        return model.effectiveConfig(item);
    }

    private void awaitClose() {
        try {
            closing.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closing.countDown();
            if (mux != null) {
                mux.close();
            }
            grpc.shutdownNow();
            server.stop(0);
            executor.shutdownNow();
            try {
                grpc.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LIVE.decrementAndGet();
        }
    }

    /** Builds and starts a {@link MockPd}. */
    public static final class Builder {
        private List<Store> stores = List.of();
        private boolean marked;
        private Map<String, ?> schedule = ScheduleConfig.defaults();
        private Map<String, String> schedulers = Schedulers.defaults();
        private SSLContext tls;
        private Clock clock = Clock.systemUTC();

        public Builder stores(List<Store> s) { this.stores = List.copyOf(s); return this; }
        public Builder marked(boolean m) { this.marked = m; return this; }
        /** Persisted schedule items; numbers, or "true"/"false" for the boolean items. */
        public Builder schedule(Map<String, ?> s) { this.schedule = new LinkedHashMap<>(s); return this; }
        /** Schedulers by name, each with PD's default settings. */
        public Builder schedulers(List<String> names) {
            Map<String, String> m = new LinkedHashMap<>();
            names.forEach(n -> m.put(n, Schedulers.defaultSettings(n)));
            this.schedulers = m;
            return this;
        }
        /** Schedulers by name with their settings (JSON objects), e.g. an operator's tuned balance-leader batch. */
        public Builder schedulerSettings(Map<String, String> s) { this.schedulers = new LinkedHashMap<>(s); return this; }
        public Builder tls(SSLContext ctx) { this.tls = ctx; return this; }
        /** The clock TTLs and pause delays run on (tests move a manual clock instead of sleeping). */
        public Builder clock(Clock c) { this.clock = c; return this; }

        public MockPd start() throws IOException {
            return new MockPd(this);
        }
    }
}
