package io.phybr.mock.agent;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionRecover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One store's {@code recover_regions} stream as the mock's seed agent sends it: pre-encoded metas ({@link MetaBytes},
 * garbage included, reaching the wire unchanged) from the sending thread, each once the stream is ready (grpc flow
 * control, {@link ReadyGate}: a slow adviser holds the agent back, nothing piles up in memory), the adviser's commands
 * collected as they come. {@link SeedAgent} plays its faults through it (a crash or reset after n metas, a slow
 * agent); a benchmark or test author streams a store's metas through it as the mock's agent would (the collection
 * benchmark: a million per store): open, {@link #send} each from one thread, {@link #halfClose}, await {@link #done}.
 */
public final class ReportStream implements ClientResponseObserver<byte[], RegionRecover> {
    private static final MethodDescriptor<byte[], RegionRecover> METHOD = PhybrGrpc.getRecoverRegionsMethod()
            .toBuilder(MetaBytes.MARSHALLER, PhybrGrpc.getRecoverRegionsMethod().getResponseMarshaller()).build();

    /** Guarded by itself (not copy-on-write: a million-region store gets a million commands). */
    private final List<RegionRecover> commands = new ArrayList<>();
    private final CompletableFuture<Status> done = new CompletableFuture<>();
    private ClientCallStreamObserver<byte[]> out;
    private ReadyGate ready;

    private ReportStream() {
    }

    /**
     * Opens the stream on {@code ch} (which says the store id, e.g. {@link StoreClient#as}), bounded by
     * {@code deadline}. Send from one thread only.
     */
    public static ReportStream open(Channel ch, Duration deadline) {
        ReportStream s = new ReportStream();
        ClientCalls.asyncBidiStreamingCall(ch.newCall(METHOD, CallOptions.DEFAULT.withOnReadyThreshold(ReadyGate.THRESHOLD)
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)), s);
        return s;
    }

    /** gRPC's hook: not for callers. */
    @Override
    public void beforeStart(ClientCallStreamObserver<byte[]> r) {
        out = r;
        ready = new ReadyGate(r);
    }

    /** Sends one meta once the stream is ready; false, sending nothing, if the stream ended meanwhile. */
    public boolean send(byte[] meta) {
        ready.await(meta.length, done::isDone);
        if (done.isDone() || Thread.currentThread().isInterrupted()) {
            return false;
        }
        out.onNext(meta);
        return true;
    }

    /** Ends the report: the adviser may plan once every store did. */
    public void halfClose() {
        out.onCompleted();
    }

    /** Breaks the stream off as an agent that goes away does (the adviser sees it cancelled). */
    public void breakOff(String why) {
        out.onError(Status.CANCELLED.withDescription(why).asException());
    }

    /** Cancels the call (the agent gave up waiting). */
    public void cancel(String why) {
        out.cancel(why, null);
    }

    /** Completes with the status the stream ended with: OK when the adviser completed it. */
    public CompletableFuture<Status> done() {
        return done;
    }

    /** The commands received so far. */
    public List<RegionRecover> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    @Override
    public void onNext(RegionRecover value) {
        synchronized (commands) {
            commands.add(value);
        }
    }

    @Override
    public void onError(Throwable t) {
        done.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        done.complete(Status.OK);
    }
}
