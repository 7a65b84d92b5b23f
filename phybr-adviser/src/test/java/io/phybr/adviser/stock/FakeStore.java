package io.phybr.adviser.stock;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import io.phybr.proto.recoverdata.RecoverRegionResponse;
import io.phybr.proto.recoverdata.RegionMeta;
import io.phybr.proto.recoverdata.ResolveKvDataRequest;
import io.phybr.proto.recoverdata.ResolveKvDataResponse;
import io.phybr.proto.recoverdata.WaitApplyRequest;
import io.phybr.proto.recoverdata.WaitApplyResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One scripted stock-TiKV store on an in-process gRPC server, with only the semantics these unit tests need, each
 * as real TiKV has it: RecoverRegion answers once every forced leader won and hangs while one cannot (R3), a newer
 * RecoverRegion or a ReadRegionMeta aborts an older one (R6), a WaitApply that lost its client stays pending and a
 * retry answers at once while it does (R10), a restart drops leaders and pending waits and changes the start
 * timestamp PD shows (R9), ResolveKvData counts per message (R11). The full model is mock-tikv's.
 */
final class FakeStore implements AutoCloseable {
    enum WaitMode { ANSWER, DROP_FIRST, HANG }

    final long id;
    final String address;
    private final List<RegionMeta> metas = new ArrayList<>();
    private Server server;
    private final Service service = new Service();
    private boolean closed;
    private final ManagedChannel channel;
    private final AtomicLong startTs;
    private final long firstStartTs;
    final Set<Long> cannotWin = ConcurrentHashMap.newKeySet();
    private final Set<Long> leading = ConcurrentHashMap.newKeySet();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<List<RecoverRegionRequest>> recoverCalls = Collections.synchronizedList(new ArrayList<>());
    /** Every RecoverRegion of every store in order: "store:start" when it arrives, "store:[forced regions]" once read. */
    private final List<String> journal;
    volatile WaitMode waitMode = WaitMode.ANSWER;
    /** WaitApply answers only once this store restarted and leads again (its followers wait for leaders there, R9). */
    volatile FakeStore waitsOnLeadersOf;
    volatile List<long[]> resolveMessages = List.of(new long[] {0, 0});
    private volatile boolean pendingWait;
    private StreamObserver<RecoverRegionResponse> activeRecover;
    private final List<StreamObserver<WaitApplyResponse>> hanging = Collections.synchronizedList(new ArrayList<>());

    FakeStore(long id, List<String> journal) throws IOException {
        this.id = id;
        this.journal = journal;
        this.address = "fake-" + id + "-" + UUID.randomUUID();
        this.startTs = new AtomicLong(1_700_000_000L + id);
        this.firstStartTs = startTs.get();
        this.server = serve();
        this.channel = InProcessChannelBuilder.forName(address).build();
    }

    FakeStore replica(long region, long lastLogTerm, long lastIndex, String start, String end) {
        metas.add(RegionMeta.newBuilder().setRegionId(region).setPeerId(region * 10 + 3).setLastLogTerm(lastLogTerm)
                .setLastIndex(lastIndex).setVersion(1).setStartKey(ByteString.copyFromUtf8(start))
                .setEndKey(ByteString.copyFromUtf8(end)).build());
        return this;
    }

    ManagedChannel channel() {
        return channel;
    }

    long startTimestamp() {
        return startTs.get();
    }

    boolean leads(long region) {
        return leading.contains(region);
    }

    int calls(String rpc) {
        synchronized (calls) {
            return (int) calls.stream().filter(rpc::equals).count();
        }
    }

    /** The process restarts: forced leaders and pending waits are gone; PD sees a new start timestamp. */
    synchronized void restart() {
        leading.clear();
        pendingWait = false;
        startTs.incrementAndGet();
        if (activeRecover != null) {
            fail(activeRecover, Status.UNAVAILABLE);
            activeRecover = null;
        }
        synchronized (hanging) {
            hanging.forEach(o -> fail(o, Status.UNAVAILABLE));
            hanging.clear();
        }
    }

    /**
     * R9 as TiKV boots: the process restarts and PD shows its new start timestamp at once, but its gRPC port serves
     * only {@code gap} later (raft_server.rs registers with PD in {@code init_servers}; the server starts in
     * {@code run_server}): a call in the gap finds no server and reaches nothing.
     */
    void restartServingAfter(java.time.Duration gap) throws InterruptedException {
        Server old;
        synchronized (this) {
            old = server;
            server = null;
        }
        restart();
        old.shutdownNow();
        old.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        Thread boot = new Thread(() -> {
            java.util.concurrent.locks.LockSupport.parkNanos(gap.toNanos());
            synchronized (this) {
                if (!closed) {
                    try {
                        server = serve();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        }, "fake-boot-" + id);
        boot.setDaemon(true);
        boot.start();
    }

    private Server serve() throws IOException {
        return InProcessServerBuilder.forName(address).addService(service).build().start();
    }

    private static void fail(StreamObserver<?> o, Status s) {
        try {
            o.onError(s.withDescription("fake store").asRuntimeException());
        } catch (RuntimeException ignored) {
            // already closed
        }
    }

    private synchronized void supersede(StreamObserver<RecoverRegionResponse> now) {
        if (activeRecover != null) {
            fail(activeRecover, Status.ABORTED);
        }
        activeRecover = now;
    }

    private synchronized boolean finish(StreamObserver<RecoverRegionResponse> obs) {
        if (activeRecover != obs) {
            return false;
        }
        activeRecover = null;
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        Server s;
        synchronized (this) {
            closed = true;
            s = server;
        }
        channel.shutdownNow();
        channel.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        if (s != null) {
            s.shutdownNow();
            s.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private final class Service extends RecoverDataGrpc.RecoverDataImplBase {
        @Override
        public void readRegionMeta(ReadRegionMetaRequest request, StreamObserver<RegionMeta> obs) {
            calls.add("ReadRegionMeta");
            synchronized (FakeStore.this) {
                if (activeRecover != null) {
                    fail(activeRecover, Status.ABORTED);
                    activeRecover = null;
                }
            }
            metas.forEach(obs::onNext);
            obs.onCompleted();
        }

        @Override
        public StreamObserver<RecoverRegionRequest> recoverRegion(StreamObserver<RecoverRegionResponse> obs) {
            calls.add("RecoverRegion");
            journal.add(id + ":start"); // TiKV aborts the older call here, when the newer one arrives (R6)
            supersede(obs);
            List<RecoverRegionRequest> reqs = new ArrayList<>();
            return new StreamObserver<>() {
                @Override
                public void onNext(RecoverRegionRequest r) {
                    reqs.add(r);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    recoverCalls.add(List.copyOf(reqs));
                    journal.add(id + ":" + reqs.stream().filter(RecoverRegionRequest::getAsLeader)
                            .map(r -> Long.toString(r.getRegionId())).toList());
                    boolean hangs = false;
                    for (RecoverRegionRequest r : reqs) {
                        if (r.getAsLeader() && cannotWin.contains(r.getRegionId())) {
                            hangs = true; // LeaderKeeper campaigns forever; no answer, no error (R3)
                        } else if (r.getAsLeader()) {
                            leading.add(r.getRegionId());
                        }
                    }
                    if (!hangs && finish(obs)) {
                        obs.onNext(RecoverRegionResponse.newBuilder().setStoreId(id).build());
                        obs.onCompleted();
                    }
                }
            };
        }

        @Override
        public void waitApply(WaitApplyRequest request, StreamObserver<WaitApplyResponse> obs) {
            calls.add("WaitApply");
            if (pendingWait) {
                obs.onNext(WaitApplyResponse.getDefaultInstance()); // Duplicated: success at once (R10)
                obs.onCompleted();
                return;
            }
            switch (waitMode) {
                case DROP_FIRST -> {
                    waitMode = WaitMode.ANSWER;
                    pendingWait = true; // the first wait stays pending on the store
                    fail(obs, Status.UNAVAILABLE);
                }
                case HANG -> hanging.add(obs);
                default -> {
                    FakeStore other = waitsOnLeadersOf;
                    if (other == null) {
                        obs.onNext(WaitApplyResponse.getDefaultInstance());
                        obs.onCompleted();
                        return;
                    }
                    Thread t = new Thread(() -> {
                        long until = System.nanoTime() + 20_000_000_000L;
                        while ((other.startTs.get() == other.firstStartTs || other.leading.isEmpty()) && System.nanoTime() < until) {
                            Thread.onSpinWait();
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                        }
                        obs.onNext(WaitApplyResponse.getDefaultInstance());
                        obs.onCompleted();
                    }, "fake-wait-" + id);
                    t.setDaemon(true);
                    t.start();
                }
            }
        }

        @Override
        public void resolveKvData(ResolveKvDataRequest request, StreamObserver<ResolveKvDataResponse> obs) {
            calls.add("ResolveKvData");
            for (long[] m : resolveMessages) {
                obs.onNext(ResolveKvDataResponse.newBuilder().setStoreId(id).setResolvedKeyCount(m[0])
                        .setCurrentCommitTs(m[1]).build());
            }
            obs.onCompleted();
        }
    }
}
