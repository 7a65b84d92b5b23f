package io.phybr.mock;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.phybr.mock.agent.AgentReport;
import io.phybr.mock.agent.SeedAgent;
import io.phybr.mock.agent.SenderBuffers;
import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.check.Checker;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.gen.RandomHistory;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.proto.seed.RegionRecover;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A mock TiKV cluster for tests, in the style of OkHttp's MockWebServer: build it from a scenario
 * or a seed, point its seed-protocol agents at an adviser, await completion, then inspect the
 * commands each store received and the checker's verdict. Everything it starts is closed by
 * {@link #close()}; a channel or agent that does not stop is reported as a leak.
 *
 * <pre>{@code
 * try (MockCluster cluster = MockCluster.fromScenario(path)) {
 *     cluster.startAgents("127.0.0.1:" + port);
 *     cluster.awaitCompletion(Duration.ofSeconds(30));
 *     Verdict v = cluster.verdict(new AdviserResult(exitCode, diagnosis));
 * }
 * }</pre>
 */
public final class MockCluster implements AutoCloseable {
    private static final AtomicInteger OPEN_CHANNELS = new AtomicInteger();

    private final Scenario scenario;
    private final long seed;
    private final Backup backup;
    private final TreeMap<Long, StoreImage> stores;
    private final List<ManagedChannel> channels = Collections.synchronizedList(new ArrayList<>());
    private final Map<Long, AgentReport> reports = new ConcurrentHashMap<>();
    private final Map<Long, Future<?>> running = new TreeMap<>();
    private BiConsumer<Long, String> progress = (s, m) -> { };
    private ExecutorService executor;
    private SslContext agentTls;
    private boolean closed;

    private MockCluster(Scenario scenario, long seed) {
        this.scenario = scenario;
        this.seed = seed;
        this.backup = scenario.run();
        this.stores = backup.freshImages();
    }

    public static MockCluster fromScenario(Path file) {
        return new MockCluster(ScenarioParser.parse(file), 0);
    }

    public static MockCluster fromScenario(Scenario scenario) {
        return new MockCluster(scenario, 0);
    }

    /** A cluster from a scenario drawn from {@code seed} (the seed is printed in failure dumps). */
    public static MockCluster fromScenario(Scenario scenario, long seed) {
        return new MockCluster(scenario, seed);
    }

    /** A random history drawn from {@code seed}: the same seed always gives the same cluster. */
    public static MockCluster random(long seed, RandomHistory.Options options) {
        return new MockCluster(RandomHistory.generate(seed, options), seed);
    }

    public static MockCluster random(long seed) {
        return random(seed, RandomHistory.Options.defaults());
    }

    /** Channels opened by any MockCluster and not yet closed (0 after every cluster is closed). */
    public static int openChannels() {
        return OPEN_CHANNELS.get();
    }

    public Scenario scenario() {
        return scenario;
    }

    public long seed() {
        return seed;
    }

    public Backup backup() {
        return backup;
    }

    /** The store images the agents report from and apply commands to. */
    public Map<Long, StoreImage> stores() {
        return stores;
    }

    /**
     * Store ids whose agents run: every store except those scripted as absent and those whose TiKV refuses its data
     * at start ({@link StoreImage#bootFailure()}, R16): a tikv-phybr agent runs inside that TiKV, so it never connects.
     */
    public List<Long> agentStores() {
        return agentStores(scenario);
    }

    private List<Long> agentStores(Scenario faults) {
        List<Long> out = new ArrayList<>();
        for (long s : scenario.stores()) {
            StoreImage image = stores.get(s);
            if (!faults.hasFault(s, Fault.Absent.class) && (image == null || image.bootFailure() == null)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Receives one line of progress per agent event (store id, message). */
    public MockCluster onProgress(BiConsumer<Long, String> listener) {
        this.progress = listener;
        return this;
    }

    /** Starts one agent per present store against {@code target}: {@code host:port} or {@code inproc:NAME}. */
    /**
     * Makes the agents dial a TCP adviser over TLS with {@code clientContext} (the CA that signed the adviser's
     * certificate, and for mutual TLS the agents' own certificate); plaintext when never called. Before the start.
     */
    public synchronized MockCluster agentTls(SslContext clientContext) {
        if (executor != null) {
            throw new IllegalStateException("agents already started");
        }
        this.agentTls = clientContext;
        return this;
    }

    public synchronized void startAgents(String target) {
        startAgents(target, scenario);
    }

    /**
     * A second run of agents, as when the adviser was killed and an operator started it again: the same stores,
     * holding whatever the first agents applied, report afresh to {@code target}, with the agent faults of
     * {@code faults} (those of the first run were the scenario's). The first run's agents must have ended.
     */
    public synchronized void restartAgents(String target, Scenario faults) throws InterruptedException {
        if (executor == null) {
            throw new IllegalStateException("agents were never started");
        }
        if (running.values().stream().anyMatch(f -> !f.isDone())) {
            throw new IllegalStateException("the first run's agents are still running");
        }
        executor.shutdown();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the first run's agent threads did not stop");
        }
        executor = null;
        running.clear();
        reports.clear();
        startAgents(target, faults);
    }

    /**
     * Starts the agents with the agent faults of {@code faults} instead of the scenario's (e.g. one that holds the
     * adviser at a point for one run only); the history, and what the checker judges, stay the scenario's.
     */
    public synchronized void startAgents(String target, Scenario faults) {
        if (closed) {
            throw new IllegalStateException("the cluster is closed");
        }
        if (executor != null) {
            throw new IllegalStateException("agents already started");
        }
        Duration deadline = scenario.collectTimeout().plus(scenario.closeTimeout()).plusSeconds(20);
        List<Long> agentStores = agentStores(faults);
        executor = Executors.newFixedThreadPool(Math.max(1, agentStores.size()), r -> {
            Thread t = new Thread(r, "mock-agent");
            t.setDaemon(true);
            return t;
        });
        SslContext tls = agentTls;
        for (long s : agentStores) {
            SeedAgent agent = new SeedAgent(s, stores.get(s), faults.agentFaults(s), () -> open(target, tls), deadline,
                    progress);
            running.put(s, executor.submit(() -> {
                try {
                    reports.put(s, agent.run());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
        }
    }

    private ManagedChannel open(String target, SslContext tls) {
        ManagedChannel ch = target.startsWith("inproc:")
                ? InProcessChannelBuilder.forName(target.substring("inproc:".length())).directExecutor().build()
                : tls == null ? SenderBuffers.channel(target).usePlaintext().build()
                : SenderBuffers.channel(target).sslContext(tls).build();
        OPEN_CHANNELS.incrementAndGet();
        channels.add(ch);
        return ch;
    }

    /** Waits until every agent has ended; false when {@code timeout} passed first. */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        List<Future<?>> fs;
        synchronized (this) {
            if (executor == null) {
                throw new IllegalStateException("agents were never started");
            }
            fs = new ArrayList<>(running.values());
        }
        for (Future<?> f : fs) {
            long left = end - System.nanoTime();
            try {
                f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("an agent crashed: " + e.getCause(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }
        return true;
    }

    public List<RegionRecover> receivedCommands(long store) {
        AgentReport r = reports.get(store);
        return r == null ? List.of() : r.commands();
    }

    public Map<Long, AgentReport> agentReports() {
        return new TreeMap<>(reports);
    }

    /** The checker's verdict given how the adviser ended. */
    public Verdict verdict(AdviserResult adviser) {
        return Checker.check(scenario, seed, backup, stores, agentReports(), adviser);
    }

    /**
     * The verdict when the adviser's exit status is unknown (an external adviser): it is inferred
     * from what the agents saw — all closed: success; FAILED_PRECONDITION: refused; else timeout.
     */
    public Verdict verdict() {
        return verdict(inferAdviserResult());
    }

    public AdviserResult inferAdviserResult() {
        StringBuilder diag = new StringBuilder();
        boolean refused = false;
        boolean failed = false;
        for (AgentReport r : reports.values()) {
            if (r.errorCode() != null) {
                failed = true;
                refused |= r.refused();
                if (diag.indexOf(String.valueOf(r.errorDescription())) < 0) {
                    diag.append(diag.length() == 0 ? "" : " ").append(r.errorDescription());
                }
            }
        }
        int code = refused ? 3 : failed ? 4 : 0;
        return new AdviserResult(code, diag.toString());
    }

    /** The failure dump (seed, scenario, reports, commands, per-region table). */
    public String dump(AdviserResult adviser) {
        return Checker.dump(scenario, seed, backup, stores, agentReports(), adviser);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> leaks = new ArrayList<>();
        if (executor != null) {
            executor.shutdownNow();
        }
        List<ManagedChannel> all;
        synchronized (channels) {
            all = new ArrayList<>(channels);
        }
        for (ManagedChannel ch : all) {
            ch.shutdownNow();
        }
        try {
            for (ManagedChannel ch : all) {
                if (!ch.awaitTermination(5, TimeUnit.SECONDS)) {
                    leaks.add("channel " + ch + " did not terminate");
                } else {
                    OPEN_CHANNELS.decrementAndGet();
                }
            }
            if (executor != null && !executor.awaitTermination(5, TimeUnit.SECONDS)) {
                leaks.add("agent threads did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leaks.add("interrupted while closing");
        }
        if (!leaks.isEmpty()) {
            throw new IllegalStateException("mock cluster " + scenario.name() + " leaked: " + String.join("; ", leaks));
        }
    }
}
