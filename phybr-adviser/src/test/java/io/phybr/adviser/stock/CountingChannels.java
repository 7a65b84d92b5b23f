package io.phybr.adviser.stock;

import io.grpc.Status;

/**
 * The adviser's channels, counting its ReadRegionMeta calls in flight across every store: from the call's start
 * to its close, as the adviser sees it. (Counting on the store's side, by how far a stream had read its peers,
 * stopped measuring when the mock began reading peers in runs ahead of sending them.)
 */
final class CountingChannels implements StoreChannels {
    private final StoreChannels inner;
    private final java.util.concurrent.atomic.AtomicInteger now;
    private final java.util.concurrent.atomic.AtomicInteger max;

    CountingChannels(StoreChannels inner, java.util.concurrent.atomic.AtomicInteger now,
                     java.util.concurrent.atomic.AtomicInteger max) {
        this.inner = inner;
        this.now = now;
        this.max = max;
    }

    @Override
    public io.grpc.ManagedChannel open(io.phybr.adviser.pd.PdStore store) {
        io.grpc.ManagedChannel ch = inner.open(store);
        io.grpc.Channel counted = io.grpc.ClientInterceptors.intercept(ch, new io.grpc.ClientInterceptor() {
            @Override
            public <Q, A> io.grpc.ClientCall<Q, A> interceptCall(io.grpc.MethodDescriptor<Q, A> method,
                                                                 io.grpc.CallOptions options, io.grpc.Channel next) {
                io.grpc.ClientCall<Q, A> call = next.newCall(method, options);
                if (!method.getBareMethodName().equals("ReadRegionMeta")) {
                    return call;
                }
                return new io.grpc.ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                    @Override
                    public void start(Listener<A> listener, io.grpc.Metadata headers) {
                        max.accumulateAndGet(now.incrementAndGet(), Math::max);
                        super.start(new io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                                listener) {
                            @Override
                            public void onClose(Status status, io.grpc.Metadata trailers) {
                                now.decrementAndGet();
                                super.onClose(status, trailers);
                            }
                        }, headers);
                    }
                };
            }
        });
        return new ForwardingManagedChannel(ch, counted);
    }
}
