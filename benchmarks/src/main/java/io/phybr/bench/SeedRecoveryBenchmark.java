package io.phybr.bench;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.contract.SeedHeaders;
import io.phybr.mock.agent.StoreClient;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole seed-protocol recovery over loopback TCP: 3 agents stream every region meta of their
 * store into the adviser, the adviser plans, streams each store its commands, and all agents pass
 * the close barrier. One op = one recovery of {@code regions} regions (3 replicas each); divide
 * {@code 3 * regions} by the time for the collection rate.
 */
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class SeedRecoveryBenchmark extends LoopbackBenchmark {
    private ReplicaTable table;

    private CpuMeter cpu;
    private Marks marks;

    @Setup(Level.Trial)
    public void setUp() {
        table = Layouts.realistic(7, regions, 3, false);
    }

    /**
     * The process's CPU per replica over each recovery (one op per iteration), printed beside JMH's wall time: on a
     * shared machine it is the steadier figure. Agents and adviser share the JVM and grpc's event loops, so it is
     * both ends together; the adviser's log splits the wall time into collect, plan and commands + close.
     */
    @Setup(Level.Iteration)
    public void startCpu() {
        cpu = new CpuMeter();
    }

    @TearDown(Level.Iteration)
    public void printCpu() {
        cpu.print(table.size());
        System.out.println(marks.line());
    }

    @Benchmark
    public Outcome recover() throws Exception {
        try (SeedAdviser adviser = SeedAdviser.builder().listen("127.0.0.1:0").storeIds(1, 2, 3)
                .collectTimeout(Duration.ofMinutes(5)).closeTimeout(Duration.ofMinutes(5))
                .policy(Policy.SEED).build().start()) {
            Marks m = new Marks();
            marks = m;
            ManagedChannel[] channels = new ManagedChannel[3];
            try {
                CompletableFuture<?>[] agents = new CompletableFuture<?>[3];
                for (int s = 0; s < 3; s++) {
                    channels[s] = NettyChannelBuilder.forAddress("127.0.0.1", adviser.port()).usePlaintext()
                            .maxInboundMessageSize(64 << 20).build();
                    agents[s] = new Agent(channels[s], s + 1, table, m).run();
                }
                CompletableFuture.allOf(agents).get(5, TimeUnit.MINUTES);
                m.end();
                Outcome outcome = adviser.awaitOutcome();
                if (!outcome.ok()) {
                    throw new IllegalStateException("recovery failed: " + outcome.verdict());
                }
                return outcome;
            } finally {
                for (ManagedChannel ch : channels) {
                    if (ch != null) {
                        ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    /**
     * Wall and process CPU time at the op's start, when the first command reached any agent (the adviser had
     * collected every report and planned: it sends nothing before) and when every agent passed the close barrier:
     * collect + plan vs commands + close, from outside the adviser, in every iteration.
     */
    static final class Marks {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final long wall0 = System.nanoTime();
        private final long cpu0 = OS.getProcessCpuTime();
        private final AtomicBoolean commanded = new AtomicBoolean();
        private volatile long wall1;
        private volatile long cpu1;
        private long wall2;
        private long cpu2;

        void firstCommand() {
            if (commanded.compareAndSet(false, true)) {
                cpu1 = OS.getProcessCpuTime();
                wall1 = System.nanoTime();
            }
        }

        void end() {
            wall2 = System.nanoTime();
            cpu2 = OS.getProcessCpuTime();
        }

        String line() {
            return String.format(Locale.ROOT,
                    "[phases] collect + plan %.2f s wall, %.2f s CPU; commands + close %.2f s wall, %.2f s CPU",
                    (wall1 - wall0) / 1e9, (cpu1 - cpu0) / 1e9, (wall2 - wall1) / 1e9, (cpu2 - cpu1) / 1e9);
        }
    }

    /** One store's agent: streams its rows of the table with flow control, counts commands, closes. */
    static final class Agent implements ClientResponseObserver<RegionMeta, RegionRecover> {
        private static final int COMMAND_WINDOW = 1024;
        private final ManagedChannel raw;
        private final io.grpc.Channel channel;
        private final long store;
        private final ReplicaTable table;
        private final Marks marks;
        private final CompletableFuture<Long> streamDone = new CompletableFuture<>();
        private ClientCallStreamObserver<RegionMeta> requests;
        private int next;
        private long commands;

        Agent(ManagedChannel channel, long store, ReplicaTable table, Marks marks) {
            Metadata md = new Metadata();
            md.put(SeedHeaders.STORE_ID, Long.toString(store));
            this.raw = channel;
            this.channel = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
            this.store = store;
            this.table = table;
            this.marks = marks;
        }

        CompletableFuture<CloseReply> run() {
            PhybrGrpc.newStub(channel).recoverRegions(this);
            // StoreClient.close names the store itself: the raw channel, not the one that already carries the header.
            return streamDone.thenCompose(n -> StoreClient.close(raw, store, true));
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<RegionMeta> r) {
            requests = r;
            // Commands are asked for in batches, as a real agent would, so that the client side
            // does not hand each message to the application thread one request at a time.
            r.disableAutoRequestWithInitial(COMMAND_WINDOW);
            r.setOnReadyHandler(this::pump);
        }

        private synchronized void pump() {
            int n = table.size();
            while (next < n && requests.isReady()) {
                int i = next++;
                if (table.store(i) != store) {
                    continue;
                }
                requests.onNext(RegionMeta.newBuilder().setRegionId(table.regionId(i)).setAppliedIndex(table.index(i))
                        .setTerm(table.term(i)).setVersion(table.version(i)).setTombstone(table.tombstone(i))
                        .setStartKey(ByteString.copyFrom(table.startKey(i))).setEndKey(ByteString.copyFrom(table.endKey(i)))
                        .build());
            }
            if (next == n) {
                next++;
                requests.onCompleted();
            }
        }

        @Override
        public void onNext(RegionRecover value) {
            if (commands == 0) {
                marks.firstCommand();
            }
            if (++commands % (COMMAND_WINDOW / 2) == 0) {
                requests.request(COMMAND_WINDOW / 2);
            }
        }

        @Override
        public void onError(Throwable t) {
            streamDone.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            streamDone.complete(commands);
        }
    }
}
