package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.phybr.mock.MockCluster;
import io.phybr.mock.agent.AgentReport;
import io.phybr.mock.net.FaultProxy;
import io.phybr.mock.net.NetFault;
import io.phybr.mock.net.NetFault.Connections;
import io.phybr.mock.net.NetFault.Direction;
import io.phybr.mock.pd.MockPd;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14: network faults on real sockets between the real jar and its peers — PD over HTTP, stock stores over
 * gRPC ({@code recover}), seed agents over gRPC ({@code serve}) — through {@link FaultProxy}. Every call must be
 * bounded end to end: each case ends in recovery or a named diagnosis within the bound its flags give, measured
 * here, and a failed run leaves PD as the operator had it and sends no store a half plan.
 */
@ExtendWith(DumpsClusterOnFailure.class)
class NetworkFaultIT {
    private static final long RESOLVED_TS = StockFixture.RESOLVED_TS;

    @TempDir
    Path tmp;

    private MockStockCluster cluster;
    private final List<FaultProxy> proxies = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        proxies.forEach(FaultProxy::close);
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        assertThat(FaultProxy.live()).as("proxies left open").isZero();
        assertThat(MockStockStore.liveServers()).as("mock store servers left running").isZero();
        assertThat(MockCluster.openChannels()).as("agent channels left open").isZero();
    }

    private StockFixture startStock(long seed) throws Exception {
        StockFixture f = StockFixture.start(40, seed);
        cluster = f.cluster;
        return f;
    }

    private FaultProxy proxy(String to) throws Exception {
        FaultProxy p = FaultProxy.start(to);
        proxies.add(p);
        return p;
    }

    /** PD lists store {@code id} at the proxy's address: the adviser reaches that store only through it. */
    private FaultProxy proxyStore(long id) throws Exception {
        FaultProxy p = proxy(cluster.store(id).address());
        List<MockPd.Store> listed = new ArrayList<>();
        for (MockStockStore s : cluster.stores()) {
            listed.add(MockPd.Store.tikv(s.storeId(), s.storeId() == id ? p.address() : s.address()));
        }
        cluster.pd().setStores(listed);
        return p;
    }

    /**
     * {@code --finish resolve}: the recovered cases check the stores' data physically (newer writes deleted), which
     * is the resolve finish's result; a flashback finish writes rollback versions instead (FlashbackFinishTest).
     */
    private RecoverProcess recover(String pd, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("recover", "--finish", "resolve", "--pd", pd, "--resolved-ts", Long.toString(RESOLVED_TS),
                "--expected-stores", "3", "--retry-backoff", "50ms", "--no-record"));
        args.addAll(List.of(extra));
        return RecoverProcess.start(tmp, args.toArray(String[]::new));
    }

    /** Runs to the exit, which must come within {@code bound}; returns the exit code. */
    private static int exitWithin(RecoverProcess p, Duration bound) throws Exception {
        long t0 = System.nanoTime();
        int code = p.await(bound.plusSeconds(30)); // a hang fails the test there, with the stderr
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("network fault: exit " + code + " after " + took.toMillis() + " ms (bound " + bound + ")");
        assertThat(took).as("end to end, against the bound the flags give").isLessThan(bound);
        return code;
    }

    @Test
    void aPdThatAcceptsAndNeverAnswersEndsRecoverWithinItsTimeouts() throws Exception {
        startStock(1);
        FaultProxy pd = proxy(cluster.pdAddress());
        pd.inject(new NetFault.Stall(Direction.DOWNSTREAM, 0, Connections.ALL)); // a black hole: no byte back
        try (RecoverProcess p = recover(pd.address(), "--pd-timeout", "2s", "--max-attempts", "2")) {
            // the marker check, retried: 2 attempts x 2 s, plus the exit hook's bounded restore attempt
            assertThat(exitWithin(p, Duration.ofSeconds(40))).isEqualTo(5);
            assertThat(p.err()).contains("PD").contains(pd.address());
        }
        assertThat(pd.fired()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aPdThatResetsEveryConnectionIsNamedAtOnce() throws Exception {
        startStock(2);
        PdState before = cluster.pd().state();
        FaultProxy pd = proxy(cluster.pdAddress());
        pd.inject(new NetFault.Reset(Direction.DOWNSTREAM, 0, Connections.ALL));
        try (RecoverProcess p = recover(pd.address(), "--pd-timeout", "5s", "--max-attempts", "2")) {
            assertThat(exitWithin(p, Duration.ofSeconds(30))).isEqualTo(5);
            assertThat(p.err()).contains(pd.address());
        }
        assertThat(cluster.pd().state().diff(before)).as("PD untouched").isEmpty();
    }

    @Test
    void aStoreCutOffMidCollectIsNamedInBoundedTimeAndPdIsPutBack() throws Exception {
        // tikv#13955: the store's connection goes silent mid-stream (no FIN, no RST) for longer than any keepalive
        startStock(3);
        PdState before = cluster.pd().state();
        FaultProxy store2 = proxyStore(2);
        store2.inject(new NetFault.Stall(Direction.DOWNSTREAM, 300, Connections.ALL));
        try (RecoverProcess p = recover(cluster.pdAddress(), "--collect-timeout", "4s", "--max-attempts", "2")) {
            int code = exitWithin(p, Duration.ofSeconds(40));
            assertThat(code).as(p.err()).isIn(4, 5);
            assertThat(p.err()).contains("store 2");
        }
        assertThat(store2.fired()).isGreaterThanOrEqualTo(1);
        cluster.stores().forEach(s -> assertThat(s.calls()).as("no plan sent").doesNotContain("RecoverRegion"));
        assertThat(cluster.pd().state().withoutAllocId().diff(before.withoutAllocId())).as("PD put back").isEmpty();
    }

    @Test
    void slowBytesFromAStoreStillRecover() throws Exception {
        StockFixture fixture = startStock(4);
        FaultProxy store3 = proxyStore(3);
        store3.inject(new NetFault.Slow(Direction.DOWNSTREAM, 0, Connections.ALL, 256, Duration.ofMillis(2)));
        try (RecoverProcess p = recover(cluster.pdAddress())) {
            assertThat(exitWithin(p, Duration.ofSeconds(60))).as(p.err()).isZero();
        }
        assertThat(store3.fired()).isGreaterThanOrEqualTo(1);
        fixture.assertRecovered();
    }

    @Test
    void aConnectionHalfClosedAtTheStartIsRetriedOnANewOne() throws Exception {
        StockFixture fixture = startStock(5);
        FaultProxy store1 = proxyStore(1);
        // the adviser's first connection to store 1 loses its upstream half before a byte passes
        store1.inject(new NetFault.HalfClose(Direction.UPSTREAM, 0, Connections.only(1)));
        try (RecoverProcess p = recover(cluster.pdAddress(), "--max-attempts", "5")) {
            assertThat(exitWithin(p, Duration.ofSeconds(60))).as(p.err()).isZero();
        }
        assertThat(store1.connections()).isGreaterThanOrEqualTo(2);
        fixture.assertRecovered();
    }

    @Test
    void serveBoundsAnAgentWhoseConnectionGoesSilentAndSendsNothing() throws Exception {
        var scenario = ScenarioParser.parse(Path.of(System.getProperty("phybr.scenarios.dir"), "lagging-follower.scn"))
                .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(3));
        AdviserProcess serve = AdviserProcess.start(scenario, tmp);
        closeables.add(serve);
        FaultProxy net = proxy(serve.target());
        net.inject(new NetFault.Stall(Direction.UPSTREAM, 0, Connections.only(1))); // the first agent to dial
        MockCluster mock = MockCluster.fromScenario(scenario);
        closeables.add(mock);
        long t0 = System.nanoTime();
        mock.startAgents(net.address());
        var outcome = serve.awaitOutcome(Duration.ofSeconds(40));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("network fault: serve exit " + outcome.exitCode() + " after " + took.toMillis() + " ms");
        assertThat(outcome.exitCode()).as(outcome.diagnosis()).isEqualTo(4);
        assertThat(outcome.diagnosis()).contains("store");
        assertThat(took).as("collect timeout 3 s, end to end").isLessThan(Duration.ofSeconds(20));
        mock.awaitCompletion(Duration.ofSeconds(30));
        for (AgentReport r : reports(mock)) {
            assertThat(r.commands()).as("store %d got part of a plan", r.store()).isEmpty();
        }
    }

    @Test
    void serveRecoversThroughASlowLorisAgent() throws Exception {
        var scenario = ScenarioParser.parse(Path.of(System.getProperty("phybr.scenarios.dir"), "lagging-follower.scn"))
                .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(20));
        AdviserProcess serve = AdviserProcess.start(scenario, tmp);
        closeables.add(serve);
        FaultProxy net = proxy(serve.target());
        net.inject(new NetFault.Slow(Direction.UPSTREAM, 0, Connections.ALL, 16, Duration.ofMillis(1)));
        MockCluster mock = MockCluster.fromScenario(scenario);
        closeables.add(mock);
        mock.startAgents(net.address());
        var outcome = serve.awaitOutcome(Duration.ofSeconds(60));
        assertThat(mock.awaitCompletion(Duration.ofSeconds(30))).isTrue();
        assertThat(outcome.exitCode()).as(outcome.diagnosis()).isZero();
        assertThat(mock.verdict(outcome).pass()).as(mock.verdict(outcome).toString()).isTrue();
        assertThat(net.fired()).isGreaterThanOrEqualTo(1);
    }

    private static List<AgentReport> reports(MockCluster mock) {
        return mock.agentReports().values().stream().toList();
    }
}
