package io.phybr.mock.agent;

import io.grpc.ManagedChannel;

/** Opens a channel to the adviser; whoever implements it tracks and closes what it opened. */
@FunctionalInterface
public interface ChannelFactory {
    ManagedChannel open();
}
