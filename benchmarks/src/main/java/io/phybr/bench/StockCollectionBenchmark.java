package io.phybr.bench;

import io.phybr.contract.dump.StockReport;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.RunRecorder;
import io.phybr.adviser.record.StoreRecording;
import io.phybr.adviser.stock.MetaReader;
import io.phybr.adviser.stock.StoreChannels;
import io.phybr.bench.WireBytes.Slice;
import io.phybr.bench.WireBytes.SliceMarshaller;
import io.phybr.mock.gen.LayoutGenerator;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.LocalPeer;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Stock-TiKV collection over loopback TCP: ReadRegionMeta from 3 stores at once, one channel each (as
 * {@code recover} opens them); one op = every meta of every store in the adviser's tables ({@code 3 * regions}
 * metas). The same 2×2 as {@link SeedCollectBenchmark}: {@code sender} = {@code mock} (mock-tikv's stock store,
 * RecoverDataService, building a RegionMeta per peer) or {@code bytes} (servers streaming pre-serialized metas);
 * {@code receiver} = {@code adviser} ({@link MetaReader}: the collect phase's call, fast decode into a table per
 * store, tables merged in store order as CollectAndPlan does) or {@code sink} (a client that only counts).
 */
public class StockCollectionBenchmark extends CollectionGrid {
    private long expected;
    private MockStockCluster cluster;
    private final List<Server> servers = new ArrayList<>();
    /** The wire sender's stores and their event loop. */
    private final List<io.grpc.netty.shaded.io.netty.channel.Channel> wireStores = new ArrayList<>();
    private EventLoopGroup wireLoop;
    private final ManagedChannel[] channels = new ManagedChannel[STORES];
    private ExecutorService pool;
    /** The bytes stores' sending threads. */
    private final ExecutorService senders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bytes-store");
        t.setDaemon(true);
        return t;
    });

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        String[] addresses = new String[STORES];
        if (sender.equals("mock")) {
            List<InMemoryStoreBackend> backends = new ArrayList<>();
            for (long s = 1; s <= STORES; s++) {
                backends.add(new InMemoryStoreBackend(s));
            }
            long[] count = new long[1];
            new LayoutGenerator(7, regions, STORES, 3, 0.05).generate((StockReport r) -> {
                count[0]++;
                backends.get((int) r.store() - 1).addPeer(LocalPeer.of(r.regionId()).peers(r.peerId())
                        .lastLogTerm(r.lastLogTerm()).lastIndex(r.lastIndex()).commitIndex(r.commitIndex())
                        .version(r.version()).range(r.startKey(), r.endKey()).build(), r.lastIndex());
            });
            expected = count[0];
            cluster = MockStockCluster.builder(backends).start();
            for (int s = 0; s < STORES; s++) {
                addresses[s] = cluster.store(s + 1).address();
            }
        } else if (sender.equals("wire")) {
            ReplicaTable table = Layouts.realistic(7, regions, STORES, true);
            expected = table.size();
            wireLoop = Http2Wire.group();
            for (int s = 0; s < STORES; s++) {
                io.grpc.netty.shaded.io.netty.channel.Channel store = Http2Wire.server(wireLoop,
                        Http2Wire.framed(WireBytes.of(table, s + 1, true)));
                wireStores.add(store);
                addresses[s] = "127.0.0.1:" + ((InetSocketAddress) store.localAddress()).getPort();
            }
        } else {
            ReplicaTable table = Layouts.realistic(7, regions, STORES, true);
            expected = table.size();
            for (int s = 0; s < STORES; s++) {
                Server server = bytesStore(WireBytes.of(table, s + 1, true));
                servers.add(server);
                addresses[s] = "127.0.0.1:" + server.getPort();
            }
        }
        for (int s = 0; s < STORES; s++) {
            channels[s] = StoreChannels.netty(null).open(new PdStore(s + 1, addresses[s], false, "Up"));
        }
        pool = Executors.newFixedThreadPool(STORES);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        pool.shutdownNow();
        senders.shutdownNow();
        for (ManagedChannel ch : channels) {
            ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
        }
        for (io.grpc.netty.shaded.io.netty.channel.Channel c : wireStores) {
            c.close().await(10, TimeUnit.SECONDS);
        }
        if (wireLoop != null) {
            wireLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /** The op's recording, deleted after it. */
    private RunRecorder recording = RunRecorder.none();

    @TearDown(Level.Invocation)
    public void deleteRecording() throws IOException {
        Recordings.delete(recording);
        recording = RunRecorder.none();
    }

    @Benchmark
    public long collect() throws Exception {
        CpuMeter cpu = new CpuMeter();
        long metas;
        if (receiver.equals("adviser")) {
            RunRecorder recorder = record.equals("on") ? Recordings.open("recover", Protocol.STOCK) : RunRecorder.none();
            List<Future<ReplicaTable>> tables = new ArrayList<>();
            for (int s = 0; s < STORES; s++) {
                int store = s;
                StoreRecording rec = recorder.store(store + 1);
                tables.add(pool.submit(() -> {
                    ReplicaTable t = MetaReader.read(channels[store], store + 1, TIMEOUT, rec);
                    rec.complete();
                    return t;
                }));
            }
            List<ReplicaTable> got = new ArrayList<>();
            long total = 0;
            for (Future<ReplicaTable> f : tables) {
                got.add(f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                total += got.get(got.size() - 1).size();
            }
            ReplicaTable all = new ReplicaTable((int) total); // merged in store order, as CollectAndPlan does
            for (ReplicaTable t : got) {
                all.appendAll(t);
            }
            metas = all.size();
            Recordings.finish(recorder); // in the op: collection ends with the recording on disk
            recording = recorder;
        } else {
            List<CompletableFuture<Long>> counts = new ArrayList<>();
            for (int s = 0; s < STORES; s++) {
                counts.add(count(channels[s], s + 1));
            }
            metas = 0;
            for (CompletableFuture<Long> c : counts) {
                metas += c.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        cpu.print(metas);
        if (metas != expected) {
            throw new IllegalStateException("received " + metas + " metas of " + expected);
        }
        return metas;
    }

    private static final MethodDescriptor<ReadRegionMetaRequest, Slice> RAW = RecoverDataGrpc.getReadRegionMetaMethod()
            .toBuilder(RecoverDataGrpc.getReadRegionMetaMethod().getRequestMarshaller(), new SliceMarshaller()).build();

    /** The sink: ReadRegionMeta with every message skipped, flow control as the adviser's. */
    private static CompletableFuture<Long> count(ManagedChannel ch, long store) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        ClientCalls.asyncServerStreamingCall(ch.newCall(RAW, CallOptions.DEFAULT.withExecutor(com.google.common.util.concurrent.MoreExecutors.directExecutor())),
                ReadRegionMetaRequest.newBuilder().setStoreId(store).build(),
                new ClientResponseObserver<ReadRegionMetaRequest, Slice>() {
                    private ClientCallStreamObserver<ReadRegionMetaRequest> call;
                    private long n;
                    private int unrequested;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<ReadRegionMetaRequest> c) {
                        call = c;
                        c.disableAutoRequestWithInitial(16384);
                    }

                    @Override
                    public void onNext(Slice value) {
                        n++;
                        if (++unrequested >= 8192) {
                            call.request(unrequested);
                            unrequested = 0;
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(n);
                    }
                });
        return done;
    }

    /**
     * A store that answers ReadRegionMeta with its pre-serialized metas as fast as flow control allows, from a thread
     * of its own that waits while the transport is not ready — the mock's threading (RecoverDataService's worker),
     * minus its per-message work, so the two senders differ only in what they do per message.
     */
    private Server bytesStore(WireBytes wire) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder(RecoverDataGrpc.SERVICE_NAME)
                .addMethod(RAW, ServerCalls.asyncServerStreamingCall((req, obs) -> {
                    ServerCallStreamObserver<Slice> out = (ServerCallStreamObserver<Slice>) obs;
                    Object ready = new Object();
                    boolean[] cancelled = {false};
                    out.setOnCancelHandler(() -> cancelled[0] = true);
                    out.setOnReadyHandler(() -> {
                        synchronized (ready) {
                            ready.notifyAll();
                        }
                    });
                    senders.execute(() -> {
                        Slice slice = new Slice();
                        for (int k = 0; k < wire.count(); k++) {
                            while (!out.isReady()) {
                                if (cancelled[0]) {
                                    return;
                                }
                                synchronized (ready) {
                                    try {
                                        ready.wait(1);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            }
                            out.onNext(slice.at(wire, k));
                        }
                        out.onCompleted();
                    });
                })).build();
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build()
                .start();
    }
}
