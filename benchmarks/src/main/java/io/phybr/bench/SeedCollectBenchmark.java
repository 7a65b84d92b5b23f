package io.phybr.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.stub.ClientCalls;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.mock.agent.MetaBytes;
import io.phybr.mock.agent.ReportStream;
import io.phybr.mock.agent.SenderBuffers;
import io.phybr.mock.agent.StoreClient;
import io.phybr.proto.seed.PhybrGrpc;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Seed-protocol collection over loopback TCP, 3 stores streaming {@code recover_regions} at once, one connection
 * each; one op = every meta of every store received ({@code 3 * regions} metas; divide by the time for the rate).
 * Planning, commands and the close barrier happen after the op (in the tear-down), so they are not measured.
 *
 * <p>Which end limits is shown by a 2×2: {@code sender} = {@code mock} (mock-tikv's seed agent's sender,
 * {@link ReportStream}, each meta encoded as the agent encodes its peers, from a thread per store) or {@code bytes}
 * (pre-serialized messages: no encoding, grpc-java's per-message send cost only) or {@code wire} (pre-built HTTP/2
 * frames: next to no sender cost);
 * {@code receiver} = {@code adviser} (the real {@link SeedAdviser}: fast decode into its table) or {@code sink}
 * (a server that only counts the messages). bytes→adviser is the adviser's side alone, mock→sink the mock's side
 * alone, bytes→sink gRPC's own floor.
 */
public class SeedCollectBenchmark extends CollectionGrid {
    private ReplicaTable table;
    private WireBytes[] wire;
    /** The wire sender's stores' whole message streams, and its event loop. */
    private byte[][] framed;
    private EventLoopGroup wireLoop;

    private SeedAdviser adviser;
    private RunRecorder recorder = RunRecorder.none();
    private CountingSink sink;
    private ManagedChannel[] channels;
    private CompletableFuture<?>[] streams;

    @Setup(Level.Trial)
    public void layout() throws IOException {
        table = Layouts.realistic(7, regions, STORES, false);
        if (sender.equals("bytes")) {
            wire = new WireBytes[STORES];
            for (int s = 0; s < STORES; s++) {
                wire[s] = WireBytes.of(table, s + 1, false);
            }
        } else if (sender.equals("wire")) {
            framed = new byte[STORES][];
            for (int s = 0; s < STORES; s++) {
                framed[s] = Http2Wire.framed(WireBytes.of(table, s + 1, false));
            }
            wireLoop = Http2Wire.group();
        }
    }

    @TearDown(Level.Trial)
    public void stopLoop() throws InterruptedException {
        agents.shutdownNow();
        senderLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        if (wireLoop != null) {
            wireLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    @Setup(Level.Invocation)
    public void start() throws IOException {
        if (receiver.equals("adviser")) {
            recorder = record.equals("on") ? Recordings.open("serve", Protocol.SEED) : RunRecorder.none();
            adviser = SeedAdviser.builder().listen("127.0.0.1:0").storeIds(1, 2, 3).collectTimeout(TIMEOUT)
                    .closeTimeout(TIMEOUT).policy(Policy.SEED).recorder(recorder).build().start();
            port = adviser.port();
        } else {
            sink = new CountingSink();
            port = sink.server.getPort();
        }
        channels = new ManagedChannel[STORES];
        streams = new CompletableFuture<?>[STORES];
        for (int s = 0; s < STORES; s++) {
            // The mock's agents' channel (SenderBuffers), on event loops of their own only so that the [cpu] line can
            // tell the senders' loops from the receiver's (no difference in rate measured against grpc's shared ones).
            channels[s] = SenderBuffers.channel("127.0.0.1:" + port).usePlaintext().eventLoopGroup(senderLoops)
                    .channelType(SenderLoops.channelType()).build();
        }
    }

    private int port;

    @Benchmark
    public long collect() throws Exception {
        CpuMeter cpu = new CpuMeter();
        for (int s = 0; s < STORES; s++) {
            long store = s + 1;
            if (sender.equals("wire")) {
                streams[s] = Http2Wire.call(wireLoop, port, "/" + PhybrGrpc.getRecoverRegionsMethod().getFullMethodName(),
                        store, framed[s]);
            } else if (sender.equals("mock")) {
                streams[s] = mockAgent(channels[s], store);
            } else {
                BytesAgent a = new BytesAgent(wire[s]);
                ClientCalls.asyncBidiStreamingCall(StoreClient.as(channels[s], store)
                        .newCall(BytesAgent.METHOD, CallOptions.DEFAULT), a);
                streams[s] = a.done;
            }
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (receiver.equals("adviser") ? adviser.reportedStores().length < STORES : sink.completed() < STORES) {
            for (CompletableFuture<?> f : streams) {
                if (f.isCompletedExceptionally()) {
                    f.join(); // throws: a sender failed
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("collection did not finish in " + TIMEOUT);
            }
            LockSupport.parkNanos(2_000_000); // a few ms late on a ~3 s op; polling every 0.2 ms cost ~0.1 µs per meta
        }
        long metas = receiver.equals("adviser") ? metasOf(adviser) : sink.metas.get();
        cpu.print(metas);
        if (metas != table.size()) {
            throw new IllegalStateException("received " + metas + " metas of " + table.size());
        }
        return metas;
    }

    private static long metasOf(SeedAdviser a) {
        long n = 0;
        for (long s = 1; s <= STORES; s++) {
            n += a.metasSoFar(s);
        }
        return n;
    }

    /** The rest of the recovery (plan, commands, close barrier) runs here, unmeasured, so the next op starts clean. */
    @TearDown(Level.Invocation)
    public void finish() throws Exception {
        try {
            if (adviser != null) {
                CompletableFuture.allOf(streams).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                CompletableFuture<?>[] closes = new CompletableFuture<?>[STORES];
                for (int s = 0; s < STORES; s++) {
                    closes[s] = StoreClient.close(channels[s], (long) s + 1, true);
                }
                CompletableFuture.allOf(closes).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                Outcome outcome = adviser.awaitOutcome();
                if (!outcome.ok()) {
                    throw new IllegalStateException("recovery failed: " + outcome.verdict());
                }
            }
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            if (adviser != null) {
                adviser.close();
                adviser = null;
            }
            RunRecorder r = recorder;
            recorder = RunRecorder.none();
            Recordings.finish(r);
            Recordings.delete(r);
            if (sink != null) {
                sink.server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                sink = null;
            }
        }
    }

    private final EventLoopGroup senderLoops = SenderLoops.group();

    /** The agents' sending threads (mock-tikv's seed agent sends from a thread of its own). */
    private final ExecutorService agents = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mock-agent");
        t.setDaemon(true);
        return t;
    });

    /**
     * A store's report as mock-tikv's seed agent sends it: its {@link ReportStream}, each meta encoded by
     * {@link MetaBytes} as the agent encodes its peers, sent as flow control allows, then half-closed; completes when
     * the adviser ends the stream.
     */
    private CompletableFuture<Void> mockAgent(ManagedChannel ch, long store) {
        ReportStream rs = ReportStream.open(StoreClient.as(ch, store), TIMEOUT);
        return CompletableFuture.runAsync(() -> {
            for (Iterator<byte[]> it = new Metas(table, store); it.hasNext(); ) {
                if (!rs.send(it.next())) {
                    return;
                }
            }
            rs.halfClose();
        }, agents).thenCompose(v -> rs.done()).thenAccept(st -> {
            if (!st.isOk()) {
                throw st.asRuntimeException();
            }
        });
    }

    /** The store's rows as encoded RegionMeta messages, made one by one as the mock's agent makes them. */
    static final class Metas implements Iterator<byte[]> {
        private final ReplicaTable t;
        private final long store;
        private int next;

        Metas(ReplicaTable t, long store) {
            this.t = t;
            this.store = store;
            skip();
        }

        private void skip() {
            while (next < t.size() && t.store(next) != store) {
                next++;
            }
        }

        @Override
        public boolean hasNext() {
            return next < t.size();
        }

        @Override
        public byte[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int i = next++;
            skip();
            return MetaBytes.seed(t.regionId(i), t.index(i), t.term(i), t.version(i), t.tombstone(i), t.startKey(i),
                    t.endKey(i));
        }
    }
}
