package io.phybr.adviser.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's trust decision over the CAs of {@code --ca}, with the refusal explained: the JDK says "PKIX path
 * building failed" for a certificate from another CA and for an expired one alike, and names neither the peer
 * nor the file. This wrapper keeps every decision of the delegate (chain, hostname when the engine asks for it)
 * and only rewrites why it refused, as a {@link TlsRefusal}; it also hands the text to {@code refused} so that a
 * server (which has nobody to tell) can log it and put it in its diagnosis.
 */
final class CheckedTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final Path caFile;
    private final Consumer<String> refused;

    CheckedTrust(X509ExtendedTrustManager delegate, Path caFile, Consumer<String> refused) {
        this.delegate = delegate;
        this.caFile = caFile;
        this.refused = refused;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refuse(engine == null || engine.getPeerHost() == null ? "a client" : "the client " + peer(engine), chain, e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refuse(peer(engine), chain, e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw refuse("the client " + peer(socket), chain, e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw refuse(peer(socket), chain, e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refuse("the client", chain, e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refuse("the server", chain, e);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    private TlsRefusal refuse(String who, X509Certificate[] chain, CertificateException e) {
        String text = who + " " + why(chain, e);
        refused.accept(text);
        return new TlsRefusal(text, e);
    }

    private String why(X509Certificate[] chain, CertificateException e) {
        if (chain == null || chain.length == 0) {
            return "presented no certificate";
        }
        X509Certificate leaf = chain[0];
        Date now = Date.from(Instant.now());
        for (X509Certificate c : chain) {
            if (now.after(c.getNotAfter())) {
                return "presented the certificate " + Certificates.subject(leaf) + (c == leaf ? "" : " whose chain holds "
                        + Certificates.subject(c) + ",") + " which expired on " + c.getNotAfter().toInstant();
            }
            if (now.before(c.getNotBefore())) {
                return "presented the certificate " + Certificates.subject(c) + ", not valid before "
                        + c.getNotBefore().toInstant() + " (is one of the clocks wrong?)";
            }
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("subject alternative") || m.contains("No name matching") || m.contains("No subject")) {
            return "presented the certificate " + Certificates.subject(leaf) + ", which does not name the address"
                    + " dialled (" + m + ")";
        }
        return "presented the certificate " + Certificates.subject(leaf) + " issued by " + Certificates.issuer(leaf)
                + ", which no CA in --ca " + caFile + " signed";
    }

    private static String peer(SSLEngine engine) {
        return engine == null || engine.getPeerHost() == null ? "peer"
                : engine.getPeerHost() + (engine.getPeerPort() > 0 ? ":" + engine.getPeerPort() : "");
    }

    private static String peer(Socket s) {
        return s == null || s.getRemoteSocketAddress() == null ? "peer" : String.valueOf(s.getRemoteSocketAddress());
    }
}
