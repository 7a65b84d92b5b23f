package io.phybr.mock.agent;

import io.grpc.ManagedChannel;

/**
 * Internal (not API): how {@link io.phybr.mock.MockCluster} hands a {@link SeedAgent} its channels.
 *
 * <p>Opens a channel to the adviser; whoever implements it tracks and closes what it opened.
 */
@FunctionalInterface
public interface ChannelFactory {
    ManagedChannel open();
}
