package io.phybr.adviser.pd;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.phybr.adviser.tls.PemFiles;
import io.phybr.adviser.tls.TlsFileException;
import io.phybr.adviser.tls.TrustedCas;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * TLS in the TiDB tools' style: {@code --ca} (PEM CA bundle), {@code --cert} (PEM certificate chain) and
 * {@code --key} (PEM private key: PKCS#8, PKCS#1 or SEC1 EC, read by {@link PemFiles}); the older
 * {@code --ca-path/--cert-path/--key-path} are aliases. The same files secure the PD HTTP calls (JDK
 * {@link SSLContext}), the TiKV gRPC channels and {@code serve}'s gRPC server (netty {@link SslContext}).
 * Certificate and key are optional together for a client (server-auth only TLS); a server needs them, and
 * requires its clients' certificates (as TiKV does: {@code RequestAndRequireClientCertificateAndVerify}).
 * The files are checked when a context is made, before anything is sent: a certificate not valid now, a key that is
 * not the certificate's, or an expired CA is refused naming the flag and the file.
 */
public record TlsConfig(Path ca, Path cert, Path key) {
    public TlsConfig {
        if (ca == null) {
            throw new IllegalArgumentException("TLS needs --ca (alias --ca-path)");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --key go together (aliases --cert-path, --key-path)");
        }
    }

    /** The files, read and checked. */
    private record Material(List<X509Certificate> cas, List<X509Certificate> chain, PrivateKey key) {}

    private Material load() throws TlsFileException {
        Instant now = Instant.now();
        List<X509Certificate> cas = PemFiles.certificates("--ca", ca);
        // A bundle may hold expired CAs beside valid ones (the system bundles do): only a bundle with no CA valid
        // now is refused; path building simply never uses the expired ones.
        TlsFileException firstInvalid = null;
        int valid = 0;
        for (X509Certificate c : cas) {
            try {
                PemFiles.checkValid("--ca", ca, c, now);
                valid++;
            } catch (TlsFileException e) {
                firstInvalid = firstInvalid == null ? e : firstInvalid;
            }
        }
        if (valid == 0) {
            throw firstInvalid;
        }
        if (cert == null) {
            return new Material(cas, List.of(), null);
        }
        List<X509Certificate> chain = PemFiles.certificates("--cert", cert);
        PemFiles.checkValid("--cert", cert, chain.get(0), now);
        PrivateKey k = PemFiles.privateKey("--key", key);
        PemFiles.checkPair(cert, chain.get(0), key, k);
        return new Material(cas, chain, k);
    }

    /** For the gRPC channels to TiKV; a file that cannot be used is a {@link TlsFileException} naming it. */
    public SslContext grpcContext() throws IOException {
        Material m = load();
        SslContextBuilder b = GrpcSslContexts.forClient().trustManager(TrustedCas.manager(ca, m.cas(), refused -> { }));
        if (m.key() != null) {
            b.keyManager(m.key(), m.chain().toArray(new X509Certificate[0]));
        }
        return build(b);
    }

    /**
     * For {@code serve}'s gRPC server: its own certificate, and every client must present one signed by a CA of
     * {@code --ca} (with {@link io.phybr.adviser.tls.ClientCertificateRequired} on the service). Each refused client is told to {@code refused} (one sentence naming it and why), since a server
     * has nobody else to tell.
     */
    public SslContext grpcServerContext(Consumer<String> refused) throws IOException {
        if (cert == null) {
            throw new TlsFileException("serving TLS needs --cert and --key (the adviser's own certificate and key)"
                    + " beside --ca " + ca);
        }
        Material m = load();
        SslContextBuilder b = GrpcSslContexts.configure(
                SslContextBuilder.forServer(m.key(), m.chain().toArray(new X509Certificate[0])))
                .trustManager(TrustedCas.manager(ca, m.cas(), refused))
                // a certificate given is verified in the handshake; a missing one is refused per call, with a
                // reason the agent can read (io.phybr.adviser.tls.ClientCertificateRequired)
                .clientAuth(ClientAuth.OPTIONAL);
        return build(b);
    }

    private SslContext build(SslContextBuilder b) throws TlsFileException {
        try {
            return b.build();
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException("--ca " + ca + (cert == null ? "" : ", --cert " + cert + ", --key " + key)
                    + ": the TLS library refused them (" + e.getMessage() + ")", e);
        }
    }

    /** For the HTTP calls to PD. */
    public SSLContext sslContext() throws IOException, GeneralSecurityException {
        Material m = load();
        KeyManagerFactory kmf = null;
        if (m.key() != null) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("client", m.key(), pw, m.chain().toArray(new X509Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(),
                new TrustManager[] {TrustedCas.manager(ca, m.cas(), refused -> { })}, null);
        return ctx;
    }
}
