package io.phybr.mock.agent;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.phybr.contract.SeedHeaders;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.CloseRequest;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.proto.seed.RegionRecover;
import io.phybr.proto.seed.ResolvedReply;
import io.phybr.proto.seed.ResolvedRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scripted seed-protocol agent for tests of an adviser, one call at a time: one
 * {@code recover_regions} stream of one store (send metas honouring flow control, half-close,
 * cancel like a crash, read the commands and the status it ended with), plus the {@code close}
 * and {@code resolve} calls. Unlike {@link SeedAgent}, which plays a store of a scenario to the
 * end, it does only what the test tells it to, so a test can stop between any two messages.
 * The caller owns the channel and closes it.
 */
public final class StoreClient implements ClientResponseObserver<RegionMeta, RegionRecover> {
    private final List<RegionRecover> commands = new ArrayList<>();
    private final CompletableFuture<List<RegionRecover>> done = new CompletableFuture<>();
    private ClientCallStreamObserver<RegionMeta> requests;
    private Iterator<RegionMeta> pending;
    private boolean halfCloseWhenSent;

    private StoreClient() {
    }

    /** Channel that sends {@code phybr-store-id} when {@code store} is not null. */
    public static Channel as(Channel ch, Long store) {
        if (store == null) {
            return ch;
        }
        Metadata md = new Metadata();
        md.put(SeedHeaders.STORE_ID, Long.toString(store));
        return ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(md));
    }

    /** Opens a {@code recover_regions} stream as {@code store} (none: the adviser admits by arrival order). */
    public static StoreClient open(Channel ch, Long store) {
        StoreClient c = new StoreClient();
        PhybrGrpc.newStub(as(ch, store)).withDeadlineAfter(60, TimeUnit.SECONDS).recoverRegions(c);
        return c;
    }

    /** Opens a stream, reports every meta (honouring flow control) and half-closes. */
    public static StoreClient report(Channel ch, Long store, List<RegionMeta> metas) {
        StoreClient c = open(ch, store);
        c.sendAll(metas, true);
        return c;
    }

    /** gRPC's hook: not for callers. */
    @Override
    public void beforeStart(ClientCallStreamObserver<RegionMeta> r) {
        requests = r;
        r.setOnReadyHandler(this::pump);
    }

    /** Queues metas; they go out as fast as flow control allows, then the stream half-closes if asked. */
    public void sendAll(List<RegionMeta> metas, boolean halfClose) {
        sendAll(metas.iterator(), halfClose);
    }

    /** Like {@link #sendAll(List, boolean)} for metas made on the fly (large reports). */
    public synchronized void sendAll(Iterator<RegionMeta> metas, boolean halfClose) {
        pending = metas;
        halfCloseWhenSent = halfClose;
        pumpLocked();
    }

    private synchronized void pump() {
        pumpLocked();
    }

    private void pumpLocked() {
        if (pending == null || done.isDone()) {
            return;
        }
        while (pending.hasNext() && requests.isReady()) {
            requests.onNext(pending.next());
        }
        if (!pending.hasNext()) {
            pending = null;
            if (halfCloseWhenSent) {
                requests.onCompleted();
            }
        }
    }

    /** Sends metas immediately regardless of readiness (small lists only). */
    public synchronized void send(List<RegionMeta> metas) {
        metas.forEach(requests::onNext);
    }

    /** Ends the report: the adviser may plan once every store did. */
    public synchronized void halfClose() {
        requests.onCompleted();
    }

    /** What a crashing agent does. */
    public synchronized void cancel() {
        requests.cancel("test agent crashed", null);
    }

    @Override
    public synchronized void onNext(RegionRecover value) {
        commands.add(value);
    }

    @Override
    public void onError(Throwable t) {
        done.completeExceptionally(t);
    }

    @Override
    public synchronized void onCompleted() {
        done.complete(List.copyOf(commands));
    }

    /**
     * Completes with every command once the adviser completes the stream, exceptionally on an error status. A view:
     * completing it does not end the stream.
     */
    public CompletableFuture<List<RegionRecover>> allCommands() {
        return done.copy();
    }

    /** The commands received so far. */
    public synchronized List<RegionRecover> received() {
        return List.copyOf(commands);
    }

    /** The status the stream ended with (OK when completed normally); waits up to 30 s. */
    public Status status() {
        try {
            done.get(30, TimeUnit.SECONDS);
            return Status.OK;
        } catch (java.util.concurrent.ExecutionException e) {
            return Status.fromThrowable(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("the adviser did not end the stream in 30 s", e);
        }
    }

    /** A {@code close(workdone)} call as {@code store}; completes with the reply, exceptionally on an error status. */
    public static CompletableFuture<CloseReply> close(Channel ch, Long store, boolean workdone) {
        CompletableFuture<CloseReply> f = new CompletableFuture<>();
        PhybrGrpc.newStub(as(ch, store)).withDeadlineAfter(60, TimeUnit.SECONDS)
                .close(CloseRequest.newBuilder().setWorkdone(workdone).build(), observer(f));
        return f;
    }

    /** A {@code resolve} call; completes with the reply, exceptionally on an error status. */
    public static CompletableFuture<ResolvedReply> resolve(Channel ch) {
        CompletableFuture<ResolvedReply> f = new CompletableFuture<>();
        PhybrGrpc.newStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS)
                .resolve(ResolvedRequest.newBuilder().setStart(1).build(), observer(f));
        return f;
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                f.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                f.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                f.complete(null);
            }
        };
    }

    /** The status a call ended with (OK when it answered); waits up to 30 s. */
    public static Status statusOf(CompletableFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
            return Status.OK;
        } catch (java.util.concurrent.ExecutionException e) {
            return Status.fromThrowable(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("no answer in 30 s", e);
        }
    }
}
