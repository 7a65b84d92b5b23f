package io.phybr.adviser.protocol.seed;


import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Plan;
import io.phybr.proto.seed.CloseReply;
import io.phybr.mock.agent.StoreClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.provider.Arguments;

/**
 * A seed-protocol adviser over loopback TCP (ephemeral ports) or in-process channels, closed with every channel after
 * each test ({@link GrpcCleanup}); agents as {@link StoreClient}s. {@link SeedAdviserTest} and
 * {@link SeedAdviserCloseTest} run on it.
 */
abstract class SeedAdviserFixture {
    enum Transport { LOOPBACK, IN_PROCESS }

    static final Duration WAIT = Duration.ofSeconds(30);
    /** One random seed per run besides the fixed ones; printed in the test name, replay with -Dphybr.seed=N. */
    static final long RANDOM_SEED = Long.getLong("phybr.seed", System.nanoTime());

    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    Transport transport;
    String inProcessName;
    SeedAdviser adviser;

    SeedAdviser start(Transport t, Consumer<SeedAdviser.Builder> config) throws IOException {
        transport = t;
        SeedAdviser.Builder b = SeedAdviser.builder().collectTimeout(WAIT).closeTimeout(WAIT);
        if (t == Transport.LOOPBACK) {
            b.listen("127.0.0.1:0");
        } else {
            inProcessName = "seed-adviser-test-" + UUID.randomUUID();
            b.inProcess(inProcessName);
        }
        config.accept(b);
        adviser = cleanup.register(b.build());
        return adviser.start();
    }

    /** A new connection, as each agent has its own. */
    ManagedChannel channel() {
        ManagedChannel ch = transport == Transport.LOOPBACK
                ? NettyChannelBuilder.forAddress("127.0.0.1", adviser.port()).usePlaintext().build()
                : InProcessChannelBuilder.forName(inProcessName).build();
        return cleanup.register(ch);
    }

    Outcome outcome() throws InterruptedException {
        return adviser.awaitOutcome(WAIT).orElseThrow(() -> new AssertionError("no outcome in " + WAIT));
    }

    /** Every store reports its layout (in parallel), returns the clients. */
    Map<Long, StoreClient> reportAll(Layout layout) {
        Map<Long, StoreClient> clients = new TreeMap<>();
        layout.byStore.forEach((s, metas) -> clients.put(s, StoreClient.report(channel(), s, metas)));
        return clients;
    }

    Map<Long, CompletableFuture<CloseReply>> closeAll(Iterable<Long> stores) {
        Map<Long, CompletableFuture<CloseReply>> out = new TreeMap<>();
        for (long s : stores) {
            out.put(s, StoreClient.close(channel(), s, true));
        }
        return out;
    }

    static Stream<Arguments> transportsAndSeeds() {
        List<Arguments> out = new ArrayList<>();
        for (Transport t : Transport.values()) {
            for (long seed : new long[] {1, 2, RANDOM_SEED}) {
                out.add(Arguments.of(t, seed));
            }
        }
        return out.stream();
    }

    static String jsonl(Plan p) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        p.writeJsonLines(b);
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
