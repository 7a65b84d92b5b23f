package io.phybr.adviser.pd;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS in the TiDB tools' style: {@code --ca} (PEM CA bundle), {@code --cert} (PEM client
 * certificate chain) and {@code --key} (PEM PKCS#8 private key, {@code BEGIN PRIVATE KEY}); the older
 * {@code --ca-path/--cert-path/--key-path} are aliases.
 * The same files secure the PD HTTP calls (JDK {@link SSLContext}) and the TiKV gRPC channels
 * (netty {@link SslContext}). Certificate and key are optional together (server-auth only TLS).
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

    /** For the gRPC channels to TiKV. */
    public SslContext grpcContext() throws IOException {
        var b = GrpcSslContexts.forClient().trustManager(ca.toFile());
        if (cert != null) {
            b.keyManager(cert.toFile(), key.toFile());
        }
        return b.build();
    }

    /** For the HTTP calls to PD. */
    public SSLContext sslContext() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate c : certificates(ca)) {
            trust.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (cert != null) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("client", privateKey(key), pw, certificates(cert).toArray(new Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> cs = cf.generateCertificates(in);
            if (cs.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + pem);
            }
            return new ArrayList<>(cs);
        }
    }

    static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        int b = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int e = text.indexOf("-----END PRIVATE KEY-----");
        if (b < 0 || e < b) {
            throw new GeneralSecurityException(pem + " holds no PKCS#8 key (BEGIN PRIVATE KEY); convert it with"
                    + " `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(b + 27, e));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException ex) {
                last = ex;
            }
        }
        throw new GeneralSecurityException("cannot read the private key in " + pem, last);
    }
}
