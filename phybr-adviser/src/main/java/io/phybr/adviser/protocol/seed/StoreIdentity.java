package io.phybr.adviser.protocol.seed;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.phybr.contract.SeedHeaders;
import java.net.SocketAddress;

/**
 * Carries who is calling into the service methods: the {@code phybr-store-id} header ({@link SeedHeaders}) (raw text,
 * parsed and judged by the adviser so that a bad value gets a precise error) and the peer address.
 */
public final class StoreIdentity implements ServerInterceptor {
    static final Context.Key<String> STORE_ID = Context.key("phybr-store-id");
    static final Context.Key<SocketAddress> REMOTE = Context.key("phybr-remote-addr");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                        ServerCallHandler<Q, R> next) {
        String id = headers.get(SeedHeaders.STORE_ID);
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        Context ctx = Context.current().withValues(STORE_ID, id, REMOTE, remote);
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    /**
     * Parses a header value: a decimal store id in 1..2^63-1.
     *
     * @return the id, or -1 when the value is not one
     */
    static long parse(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.length() > 19) {
            return -1;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            long id = Long.parseLong(v);
            return id > 0 ? id : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
