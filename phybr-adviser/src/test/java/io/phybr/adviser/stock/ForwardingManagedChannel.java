package io.phybr.adviser.stock;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;

/**
 * A test's view of a store channel: its lifecycle (shutdown, termination, {@link #enterIdle}) is the real channel's,
 * its calls go through {@code calls} (the channel itself, or the channel behind interceptors that count them).
 */
class ForwardingManagedChannel extends ManagedChannel {
    private final ManagedChannel delegate;
    private final Channel calls;

    ForwardingManagedChannel(ManagedChannel delegate, Channel calls) {
        this.delegate = delegate;
        this.calls = calls;
    }

    @Override
    public void enterIdle() {
        delegate.enterIdle();
    }

    @Override
    public ManagedChannel shutdown() {
        delegate.shutdown();
        return this;
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
        delegate.shutdownNow();
        return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public <Q, A> ClientCall<Q, A> newCall(MethodDescriptor<Q, A> method, CallOptions options) {
        return calls.newCall(method, options);
    }

    @Override
    public String authority() {
        return delegate.authority();
    }
}
