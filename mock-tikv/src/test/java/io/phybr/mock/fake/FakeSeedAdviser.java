package io.phybr.mock.fake;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.phybr.contract.SeedHeaders;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.agent.SeedAgent;
import io.phybr.mock.check.AdviserResult;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.CloseRequest;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny in-process seed-protocol adviser for tests, with a pluggable planner. */
public final class FakeSeedAdviser implements Rehearsal.RunningAdviser {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Context.Key<String> STORE = Context.key("store");

    private final String name = "fake-adviser-" + NAMES.incrementAndGet();
    private final Server server;
    private final Set<Long> expected;
    private final TestPlanners.Planner planner;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Map<Long, List<RegionMeta>> reported = new TreeMap<>();
    private final Map<Long, StreamObserver<RegionRecover>> waiting = new HashMap<>();
    private final Map<Long, StreamObserver<CloseReply>> closers = new HashMap<>();
    private final CompletableFuture<AdviserResult> outcome = new CompletableFuture<>();
    private Map<Long, List<RegionRecover>> plan;
    private String refusal;

    public FakeSeedAdviser(Set<Long> expected, TestPlanners.Planner planner, Duration collectTimeout,
                           Duration closeTimeout) throws java.io.IOException {
        this.expected = expected;
        this.planner = planner;
        ServerInterceptor storeId = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                String id = headers.get(SeedHeaders.STORE_ID);
                return Contexts.interceptCall(Context.current().withValue(STORE, id), call, headers, next);
            }
        };
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(new Service(), storeId)).build().start();
        timer.schedule(() -> finish(new AdviserResult(4, "timeout: stores never reported: " + missing())),
                collectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        this.closeTimeout = closeTimeout;
    }

    private final Duration closeTimeout;

    private synchronized String missing() {
        java.util.TreeSet<Long> m = new java.util.TreeSet<>(expected);
        m.removeAll(reported.keySet());
        return m.toString();
    }

    public static Rehearsal.AdviserLauncher launcher(TestPlanners.Planner planner) {
        return s -> new FakeSeedAdviser(new java.util.TreeSet<>(s.stores()), planner, s.collectTimeout(),
                s.closeTimeout());
    }

    private synchronized void finish(AdviserResult r) {
        if (outcome.isDone()) {
            return;
        }
        if (plan == null && refusal == null) {
            for (StreamObserver<RegionRecover> o : waiting.values()) {
                o.onError(Status.DEADLINE_EXCEEDED.withDescription(r.diagnosis()).asRuntimeException());
            }
            waiting.clear();
        }
        // release every held close, as the real adviser does at its close timeout
        closers.values().forEach(o -> {
            o.onNext(CloseReply.newBuilder().setOk("timeout").build());
            o.onCompleted();
        });
        closers.clear();
        outcome.complete(r);
    }

    private final class Service extends PhybrGrpc.PhybrImplBase {
        @Override
        public StreamObserver<RegionMeta> recoverRegions(StreamObserver<RegionRecover> responses) {
            long store = Long.parseLong(STORE.get());
            List<RegionMeta> metas = new ArrayList<>();
            return new StreamObserver<>() {
                @Override
                public void onNext(RegionMeta value) {
                    metas.add(value);
                }

                @Override
                public void onError(Throwable t) {
                    // discarded; the store may report again
                }

                @Override
                public void onCompleted() {
                    synchronized (FakeSeedAdviser.this) {
                        if (refusal != null) {
                            responses.onError(Status.FAILED_PRECONDITION.withDescription(refusal).asRuntimeException());
                            return;
                        }
                        if (plan != null) {
                            send(store, responses);
                            return;
                        }
                        reported.put(store, metas);
                        waiting.put(store, responses);
                        if (reported.keySet().containsAll(expected)) {
                            try {
                                plan = planner.plan(reported);
                                waiting.forEach((s, o) -> send(s, o));
                                timer.schedule(() -> finish(new AdviserResult(4, "timeout: close")),
                                        closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (TestPlanners.Refused e) {
                                refusal = e.getMessage();
                                waiting.values().forEach(o -> o.onError(Status.FAILED_PRECONDITION
                                        .withDescription(refusal).asRuntimeException()));
                                outcome.complete(new AdviserResult(3, refusal));
                            }
                            waiting.clear();
                        }
                    }
                }
            };
        }

        private void send(long store, StreamObserver<RegionRecover> o) {
            plan.getOrDefault(store, List.of()).forEach(o::onNext);
            o.onCompleted();
        }

        @Override
        public void close(CloseRequest request, StreamObserver<CloseReply> responseObserver) {
            synchronized (FakeSeedAdviser.this) {
                closers.put(Long.parseLong(STORE.get()), responseObserver);
                if (closers.keySet().containsAll(expected)) {
                    closers.values().forEach(o -> {
                        o.onNext(CloseReply.newBuilder().setOk("bye").build());
                        o.onCompleted();
                    });
                    outcome.complete(new AdviserResult(0, ""));
                }
            }
        }
    }

    @Override
    public String target() {
        return "inproc:" + name;
    }

    @Override
    public AdviserResult awaitOutcome(Duration timeout) throws Exception {
        return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
