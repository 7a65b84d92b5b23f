package io.phybr.mock.stock;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.phybr.mock.agent.SenderBuffers;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.StorePoint;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One mock stock-TiKV store: a gRPC server on a loopback port serving {@link RecoverDataService} over a
 * {@link StoreBackend}, one of the stores of a {@link RaftNet}, on a {@link RecoveryClock}. It can go down
 * ({@link #stop}), come back on the same port ({@link #start}) and restart (both: its disk stays, its forced leaders
 * and pending WaitApply states are lost, and listeners — the mock PD — learn of the restart: R9). It records every
 * call and every RecoverRegion command list it received.
 */
public final class MockStockStore implements AutoCloseable {
    private static final AtomicInteger LIVE = new AtomicInteger();

    private final StoreBackend backend;
    private final StoreFaults faults;
    private final ExecutorService worker;
    private final List<String> calls = new ArrayList<>();
    private volatile io.phybr.mock.CallLog callLog;
    private final List<List<RecoverRegionRequest>> recoverCalls = new ArrayList<>();
    private Server server;
    private volatile boolean up;
    private volatile int port;
    private io.grpc.netty.shaded.io.netty.handler.ssl.SslContext tls;
    private boolean closed;
    private final AtomicInteger reboots = new AtomicInteger();
    private final RaftNet net;
    private final RecoveryClock clock;
    private final List<java.util.function.LongConsumer> restartListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile RecoverDataService service;
    /** Asked at every boot: was PD marked snapshot-recovering (R0)? */
    private volatile java.util.function.BooleanSupplier pdMarked = () -> true;
    private volatile boolean recoveryMode = true;
    /** Each boot step of a restart: down before registering with PD, registered before serving (R9; {@link #reboot}). */
    public static final java.time.Duration DEFAULT_BOOT_GAP = java.time.Duration.ofMillis(150);
    private volatile java.time.Duration bootGap = DEFAULT_BOOT_GAP;
    private volatile TikvService tikv;
    /** The calls the running process serves (a new set per start): a stop breaks them as a killed TiKV's would. */
    private LiveCalls liveCalls;

    /** A store alone in its own Raft network, on TiKV time scaled by 1000 (tests). */
    public MockStockStore(StoreBackend backend) {
        this(backend, new RaftNet(), RecoveryClock.scaled(1000));
    }

    /** One of the stores of {@code net} (MockStockCluster builds its stores so). */
    MockStockStore(StoreBackend backend, RaftNet net, RecoveryClock clock) {
        this.backend = backend;
        this.net = net;
        this.clock = clock;
        this.faults = new StoreFaults(backend.storeId());
        net.join(backend, this::running);
        if (backend instanceof InMemoryStoreBackend m) {
            m.guardedBy(net);
        }
        this.worker = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mock-store-" + backend.storeId());
            t.setDaemon(true);
            return t;
        });
    }

    /** Number of mock store servers running in this JVM (tests assert 0 at the end: no leaks). */
    public static int liveServers() {
        return LIVE.get();
    }

    public long storeId() {
        return backend.storeId();
    }

    public StoreBackend backend() {
        return backend;
    }

    public StoreFaults faults() {
        return faults;
    }

    /** Serve TLS with this server context from the next start on (as TiKV with {@code [security]} does). */
    public synchronized MockStockStore tls(io.grpc.netty.shaded.io.netty.handler.ssl.SslContext serverContext) {
        this.tls = serverContext;
        return this;
    }

    /** Starts serving; the first start picks an ephemeral port, later ones reuse it. */
    public synchronized MockStockStore start() {
        if (closed) {
            throw new IllegalStateException("store " + storeId() + " is closed");
        }
        if (server != null) {
            return this;
        }
        if (!faults.at(StorePoint.BOOT, Fault.Absent.class).isEmpty() || backend.bootFailure() != null) {
            // hook BOOT: the process never comes up (scripted, or TiKV refuses its data: R16); its address is a port
            // nobody listens on, kept bound so that nobody else can (see reservation)
            if (port == 0) {
                port = reserveNewPort();
            } else {
                reservePort();
            }
            return this;
        }
        releasePort(); // the server binds it now
        IOException last = null;
        // R0 (components/server/src/server.rs): the recovery service is registered only when the TiKV booted in
        // snapshot-recovery mode (PD marked); otherwise every RecoverData call answers UNIMPLEMENTED.
        recoveryMode = pdMarked.getAsBoolean();
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                NettyServerBuilder b = SenderBuffers.serving(NettyServerBuilder.forAddress(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
                        .addService(tikv = new TikvService(this, faults, worker, net)) // tikvpb: served in every mode
                        .intercept(liveCalls = new LiveCalls());
                service = new RecoverDataService(this, backend, faults, worker, net, clock);
                if (recoveryMode) {
                    b.addService(service.definition());
                }
                if (tls != null) {
                    b.sslContext(tls);
                }
                Server s = b.build().start();
                server = s;
                up = true;
                for (Fault.RefusesVotesAfterStart r : faults.at(StorePoint.RAFT, Fault.RefusesVotesAfterStart.class)) {
                    net.refuseVotesUntil(storeId(), System.nanoTime() + clock.scale(r.period()).toNanos());
                }
                port = s.getPort();
                LIVE.incrementAndGet();
                return this;
            } catch (IOException e) {
                last = e;
                if (!(e instanceof BindException || e.getCause() instanceof BindException) || port == 0) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // the old socket is still closing
            }
        }
        throw new UncheckedIOException("store " + storeId() + " cannot listen on port " + port, last);
    }

    /*
     * While the store does not serve (absent, stopped, booting), its port stays bound by a socket that never listens:
     * a connection is refused, as to a TiKV that is down, but no other server or client of any test on this machine
     * can take the port meanwhile — the forks of the build run side by side, and a port merely left free was once
     * bound by another fork's store, whose cluster this store's adviser then talked to.
     */
    private java.net.Socket reservation;

    /** Binds a fresh port and keeps it bound (not listening); returns it. */
    private int reserveNewPort() {
        java.net.Socket s = new java.net.Socket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException("store " + storeId() + " cannot find a free port", e);
        }
        reservation = s;
        return s.getLocalPort();
    }

    /**
     * Keeps {@link #port} bound while the store does not serve. Right after the server closed, connections it
     * accepted may still be in TIME_WAIT on the port; the reservation then shares it (SO_REUSEADDR) — connects
     * elsewhere still never pick a port that is bound. Best effort: a port it cannot bind is left as it is.
     */
    private void reservePort() {
        if (reservation != null || port == 0) {
            return;
        }
        for (boolean reuse : new boolean[] {false, true}) {
            java.net.Socket s = new java.net.Socket();
            try {
                s.setReuseAddress(reuse);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                reservation = s;
                return;
            } catch (IOException e) {
                closeQuietly(s);
            }
        }
    }

    private void releasePort() {
        if (reservation != null) {
            closeQuietly(reservation);
            reservation = null;
        }
    }

    private static void closeQuietly(java.net.Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing was sent on it
        }
    }

    /** The store goes down: in-flight calls fail with UNAVAILABLE, new ones cannot connect. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        up = false;
        if (service != null) {
            service.die();
        }
        if (tikv != null) {
            tikv.die();
        }
        // A killed TiKV's connections drop: its in-flight calls fail UNAVAILABLE. shutdownNow alone resets each open
        // stream instead (RST_STREAM CANCEL: the client sees CANCELLED when that frame wins), so every call gets its
        // UNAVAILABLE status first (LiveCalls).
        liveCalls.killAll(io.grpc.Status.UNAVAILABLE.withDescription("store " + storeId() + " went down (its process stopped)"),
                java.time.Duration.ofSeconds(5));
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
        LIVE.decrementAndGet();
        reservePort(); // down, but nobody else's port until it serves again or closes
    }

    /**
     * The TiKV process restarts (R9): in-flight calls break, the forced leaders and pending WaitApply states are lost,
     * it registers with PD again (restart listeners) once booted, and serves again on the same port a little later; its disk
     * stays.
     */
    public synchronized void reboot() {
        stop();
        net.restarted(storeId());
        reboots.incrementAndGet();
        // R9 as TiKV boots: the process is gone (its connections with it) while the new one opens its engines, then
        // it registers with PD — its new start timestamp — in init_servers, and serves gRPC only in run_server
        // (src/server/raft_server.rs put_store; components/server/src/server.rs): a client that acts on the new
        // timestamp at once finds the port closed
        LockSupport.parkNanos(bootGap.toNanos());
        restartListeners.forEach(l -> l.accept(storeId()));
        LockSupport.parkNanos(bootGap.toNanos());
        start();
        net.settleAll(); // leaders elsewhere replicate to its followers again
    }

    /**
     * A restart's two boot steps, each this long (default {@link #DEFAULT_BOOT_GAP}, real time: what a client watching
     * PD meets; TiKV takes seconds): down before it registers with PD, registered before it serves.
     */
    public MockStockStore bootGap(java.time.Duration gap) {
        this.bootGap = gap;
        return this;
    }

    /**
     * tidb-operator#5297: a RecoverRegion of an earlier, killed client is running on this store, forcing
     * {@code regions}, until a newer recovery call aborts it (R6).
     */
    public synchronized void earlierRecoverRegionStillRunning(List<Long> regions) {
        if (server == null || service == null || !recoveryMode) {
            throw new IllegalStateException("store " + storeId() + " does not serve RecoverData");
        }
        service.earlierCallStillRunning(regions);
    }

    /**
     * R0: at every boot the store asks whether PD is marked snapshot-recovering ({@code init_cluster.rs}, pdpb
     * IsSnapshotRecovering); only then does it serve RecoverData. Default: always marked.
     */
    public void bootsInRecoveryModeIf(java.util.function.BooleanSupplier marked) {
        this.pdMarked = marked;
    }

    /** Whether the running process booted in snapshot-recovery mode (serves RecoverData). */
    public boolean recoveryMode() {
        return recoveryMode;
    }

    /** Told the store id after every restart (the mock PD re-registers the store with a new start timestamp). */
    public void onRestart(java.util.function.LongConsumer listener) {
        restartListeners.add(listener);
    }

    public RecoveryClock clock() {
        return clock;
    }

    void rebootAsync() {
        Thread t = new Thread(this::reboot, "mock-store-" + storeId() + "-reboot");
        t.setDaemon(true);
        t.start();
    }

    /** Whether the process serves now (read without the store's lock: the Raft network asks while holding its own). */
    public boolean running() {
        return up;
    }

    public int reboots() {
        return reboots.get();
    }

    /** {@code 127.0.0.1:port} (valid once started; stays the same across restarts). */
    public String address() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + port;
    }

    public int port() {
        return port;
    }

    private final java.util.concurrent.atomic.AtomicLong keysResolved = new java.util.concurrent.atomic.AtomicLong();

    void record(String call) {
        synchronized (calls) {
            calls.add(call);
        }
        io.phybr.mock.CallLog log = callLog;
        if (log != null) {
            log.add("store " + storeId() + " " + call);
        }
    }

    /** Also log every call to {@code log}, shared with PD and the other stores. */
    public void callLog(io.phybr.mock.CallLog log) {
        this.callLog = log;
    }

    void recordRecover(List<RecoverRegionRequest> requests) {
        synchronized (calls) {
            recoverCalls.add(requests);
        }
    }

    /**
     * Keys this store's ResolveKvData streams reported deleted, summed over every message sent (what an adviser must
     * report for the store: R11's counts are per message).
     */
    public long keysResolved() {
        return keysResolved.get();
    }

    void resolvedKeysSent(long keys) {
        keysResolved.addAndGet(keys);
    }

    /** Every RPC received, by method name, in order. */
    public List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The command list of every RecoverRegion call fully received, in order. */
    public List<List<RecoverRegionRequest>> recoverCalls() {
        synchronized (calls) {
            return List.copyOf(recoverCalls);
        }
    }

    @Override
    public synchronized void close() {
        stop();
        closed = true;
        releasePort();
        worker.shutdownNow();
    }
}
