package io.phybr.adviser.tls;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Mutual TLS for {@code serve}, with the refusal said: the server asks for a client certificate and verifies any
 * one given during the handshake ({@link CheckedTrust}); a client that gave none is refused here, per call, with
 * UNAUTHENTICATED and a text naming the CA file — instead of a handshake alert the agent logs as "connection
 * closed" and the adviser never hears of. (A TLS client offers no certificate when the CA names the server asks
 * for do not include its issuer, so "signed by another CA" usually arrives here as "no certificate".)
 */
public final class ClientCertificateRequired implements ServerInterceptor {
    private final Path caFile;
    private final Consumer<String> refused;

    public ClientCertificateRequired(Path caFile, Consumer<String> refused) {
        this.caFile = caFile;
        this.refused = refused;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        Certificate[] chain = null;
        if (session != null) {
            try {
                chain = session.getPeerCertificates();
            } catch (SSLPeerUnverifiedException e) {
                chain = null;
            }
        }
        if (chain == null || chain.length == 0) {
            String text = "the client " + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)
                    + " presented no certificate signed by a CA in --ca " + caFile + " (the adviser requires one)";
            refused.accept(text);
            call.close(Status.UNAUTHENTICATED.withDescription(text), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
