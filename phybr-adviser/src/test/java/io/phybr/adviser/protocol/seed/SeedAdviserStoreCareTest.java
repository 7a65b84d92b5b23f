package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Plan;
import io.phybr.contract.ExitCode;
import io.phybr.mock.agent.StoreClient;
import io.phybr.mock.net.FaultProxy;
import io.phybr.mock.net.NetFault;
import io.phybr.proto.seed.RegionRecover;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12 for {@code serve} (protocol A): the care {@code recover} takes of stores that are late, missing, claimed
 * twice or restarted, with every wait bounded. Each case is one store's story on loopback (or in-process) gRPC.
 */
class SeedAdviserStoreCareTest {
    enum Transport { LOOPBACK, IN_PROCESS }

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    private Transport transport;
    private String inProcessName;
    private SeedAdviser adviser;
    private FaultProxy proxy;

    @AfterEach
    void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
        assertThat(FaultProxy.live()).as("proxies left running").isZero();
    }

    private void start(Transport t, Consumer<SeedAdviser.Builder> config) throws IOException {
        transport = t;
        SeedAdviser.Builder b = SeedAdviser.builder().collectTimeout(WAIT).closeTimeout(WAIT);
        if (t == Transport.LOOPBACK) {
            b.listen("127.0.0.1:0");
        } else {
            inProcessName = "seed-care-" + UUID.randomUUID();
            b.inProcess(inProcessName);
        }
        config.accept(b);
        adviser = cleanup.register(b.build());
        adviser.start();
    }

    private ManagedChannel channel() {
        return cleanup.register(transport == Transport.LOOPBACK
                ? NettyChannelBuilder.forAddress("127.0.0.1", adviser.port()).usePlaintext().build()
                : InProcessChannelBuilder.forName(inProcessName).build());
    }

    private Outcome outcome() throws InterruptedException {
        return adviser.awaitOutcome(WAIT).orElseThrow(() -> new AssertionError("no outcome in " + WAIT));
    }

    /**
     * Two agents claim store 1 (a copy-pasted configuration): the second is refused with ALREADY_EXISTS naming
     * both, and — since the one that reported may be the wrong TiKV — nothing is planned. The collect timeout
     * ends the session naming the store, both connections and what to do; nothing was sent (exit 4).
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreClaimedByTwoAgentsIsNeverPlannedAndTheTimeoutNamesIt(Transport t) throws Exception {
        Layout layout = Layout.simple(2, 20);
        start(t, b -> b.storeIds(1, 2).collectTimeout(Duration.ofMillis(1500)));
        StoreClient one = StoreClient.open(channel(), 1L);
        await().atMost(WAIT).until(() -> adviser.metasSoFar(1) == 0);
        Status refused = StoreClient.report(channel(), 1L, layout.of(2)).status();
        assertThat(refused.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        one.sendAll(layout.of(1), true);
        StoreClient two = StoreClient.report(channel(), 2L, layout.of(2));

        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(o.plan()).isEmpty();
        assertThat(o.diagnosis().orElseThrow()).contains("1 of 2 stores finished reporting (store 2)")
                .contains("store 1 reported").contains("was claimed again while it reported, by "
                        + (t == Transport.LOOPBACK ? "a connection (from /127.0.0.1:" : "an in-process connection"))
                .contains("two agents may run with store id 1").contains("No command was sent to any store");
        assertThat(one.received()).isEmpty();
        assertThat(two.received()).isEmpty();
    }

    /**
     * Store 1's agent host vanishes mid-report without a FIN or RST (a black hole between it and the adviser), and
     * the restarted agent comes back on a new connection. grpc's server default would keep the dead stream open for
     * two hours and refuse the restarted agent all that time (ALREADY_EXISTS); the adviser's keepalive drops the
     * silent connection, the store's partial report goes with it, and the restarted agent is planned with.
     *
     * <p>grpc-java clamps a server's keepalive time to at least 10 s, so this test waits ~10 s: it runs only with
     * {@code -Dphybr.slow=true} (measured 10.4 s), keeping the CI suite's time.
     */
    @Test
    @EnabledIfSystemProperty(named = "phybr.slow", matches = "true")
    void aRestartedAgentWhoseOldConnectionWentSilentIsAdmittedOnceKeepaliveDropsIt() throws Exception {
        Layout layout = Layout.simple(2, 30);
        Plan expected = layout.plan();
        start(Transport.LOOPBACK, b -> b.storeIds(1, 2).keepAlive(Duration.ofSeconds(10), Duration.ofMillis(300)));
        proxy = FaultProxy.start("127.0.0.1:" + adviser.port());
        String[] hostPort = proxy.address().split(":");
        ManagedChannel viaProxy = cleanup.register(NettyChannelBuilder
                .forAddress(hostPort[0], Integer.parseInt(hostPort[1])).usePlaintext().build());
        StoreClient dying = StoreClient.open(viaProxy, 1L);
        dying.send(layout.of(1).subList(0, 10));
        await().atMost(WAIT).until(() -> adviser.metasSoFar(1) == 10);
        // The host is gone: nothing passes either way any more, and no FIN or RST ever comes.
        proxy.inject(new NetFault.Stall(NetFault.Direction.UPSTREAM, 0, NetFault.Connections.ALL));
        proxy.inject(new NetFault.Stall(NetFault.Direction.DOWNSTREAM, 0, NetFault.Connections.ALL));
        // The proxy's pumps notice a fault only after their blocked read returns: one more exchange on the dying
        // connection (a second claim, refused) moves both into the black hole before the adviser's first ping.
        assertThat(StoreClient.open(viaProxy, 1L).status().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(20)).until(() -> adviser.metasSoFar(1) == -1);
        System.err.println("silent connection dropped after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        StoreClient restarted = StoreClient.report(channel(), 1L, layout.of(1));
        StoreClient two = StoreClient.report(channel(), 2L, layout.of(2));
        assertThat(restarted.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 1));
        assertThat(two.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 2));
        assertThat(dying.received()).isEmpty();
    }

    /**
     * A store that reports late — long after the others — is waited for (within the collect timeout) and planned
     * with: nothing is planned or sent while it is missing.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aLateStoreIsWaitedForAndPlannedWith(Transport t) throws Exception {
        Layout layout = Layout.random(11, 3, 60);
        Plan expected = layout.plan();
        start(t, b -> b.storeIds(1, 2, 3));
        StoreClient one = StoreClient.report(channel(), 1L, layout.of(1));
        StoreClient two = StoreClient.report(channel(), 2L, layout.of(2));
        await().atMost(WAIT).until(() -> adviser.reportedStores().length == 2);
        assertThat(adviser.outcome()).isEmpty();
        assertThat(one.received()).isEmpty();
        StoreClient three = StoreClient.report(channel(), 3L, layout.of(3));
        assertThat(one.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 1));
        assertThat(two.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 2));
        assertThat(three.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(expected, 3));
    }

    /**
     * A store restarts after it applied and closed, before the others closed: it reports again, gets exactly the
     * same commands (applying them twice leaves the same state: every command sets term and silence, none toggles),
     * closes again — and the barrier counts it once.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreRestartedAfterItClosedGetsTheSameCommandsAndCountsOnce(Transport t) throws Exception {
        Layout layout = Layout.random(12, 3, 60);
        Plan expected = layout.plan();
        start(t, b -> b.storeIds(1, 2, 3));
        StoreClient one = StoreClient.report(channel(), 1L, layout.of(1));
        StoreClient two = StoreClient.report(channel(), 2L, layout.of(2));
        StoreClient three = StoreClient.report(channel(), 3L, layout.of(3));
        List<RegionRecover> first = two.allCommands().get();
        assertThat(first).containsExactlyElementsOf(Layout.commandsOf(expected, 2));
        var closeTwo = StoreClient.close(channel(), 2L, true);
        await().atMost(WAIT).until(() -> adviser.closedStores().length == 1);

        StoreClient again = StoreClient.report(channel(), 2L, layout.of(2));
        assertThat(again.allCommands().get()).containsExactlyElementsOf(first);
        var closeTwoAgain = StoreClient.close(channel(), 2L, true);
        one.allCommands().get();
        three.allCommands().get();
        StoreClient.close(channel(), 1L, true);
        StoreClient.close(channel(), 3L, true).get();
        closeTwo.get();
        closeTwoAgain.get();
        Outcome o = outcome();
        assertThat(o.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(adviser.closedStores()).containsExactly(1, 2, 3);
        assertThat(o.verdict()).contains("(" + expected.commandCount() + " commands)");
    }
}
