package io.phybr.contract;

import io.grpc.Metadata;

/**
 * gRPC metadata of the seed protocol ({@code phybr.Phybr}), defined once for both sides: the agents
 * (mock-tikv's {@code SeedAgent}, tikv-phybr) send it, the adviser's {@code StoreIdentity} reads it.
 */
public final class SeedHeaders {
    /** Names the calling agent's store: a decimal store id in 1..2^63-1, sent on every stream. */
    public static final Metadata.Key<String> STORE_ID =
            Metadata.Key.of("phybr-store-id", Metadata.ASCII_STRING_MARSHALLER);

    private SeedHeaders() {
    }
}
