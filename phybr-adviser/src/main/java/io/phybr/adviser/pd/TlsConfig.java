package io.phybr.adviser.pd;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.phybr.contract.text.Printable;
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

    /** For the gRPC channels to TiKV; a file netty cannot use is an {@link IOException} naming it. */
    public SslContext grpcContext() throws IOException {
        var b = GrpcSslContexts.forClient();
        named("--ca", ca, () -> b.trustManager(ca.toFile()));
        if (cert != null) {
            named("--cert/--key", cert, () -> b.keyManager(cert.toFile(), key.toFile()));
        }
        return named("--ca/--cert/--key", ca, b::build);
    }

    private interface Load<T> {
        T load() throws Exception;
    }

    /**
     * Runs {@code load}; its failure (netty and the JDK name neither the file nor the flag: "Input stream not
     * contain valid certificates.") becomes an {@link IOException} that does.
     */
    private static <T> T named(String flag, Path file, Load<T> load) throws IOException {
        try {
            return load.load();
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IOException(flag + " " + file + " does not exist or cannot be opened", e);
        } catch (Exception e) {
            // the innermost message says what is wrong ("Invalid lenByte"); the outer ones name exception classes
            Throwable root = e;
            while (root.getCause() != null && root.getCause().getMessage() != null) {
                root = root.getCause();
            }
            String why = root.getMessage() == null ? "unreadable" : root.getMessage();
            throw new IOException(flag + " " + file + " is not a usable PEM file (" + Printable.escape(why, 120) + ")",
                    e);
        }
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
        Collection<? extends Certificate> cs = named("the certificate file", pem, () -> {
            try (InputStream in = Files.newInputStream(pem)) {
                return cf.generateCertificates(in);
            }
        });
        if (cs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + pem);
        }
        return new ArrayList<>(cs);
    }

    static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = named("the key file", pem, () -> Files.readString(pem, StandardCharsets.US_ASCII));
        int b = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int e = text.indexOf("-----END PRIVATE KEY-----");
        if (b < 0 || e < b) {
            throw new GeneralSecurityException(pem + " holds no PKCS#8 key (BEGIN PRIVATE KEY); convert it with"
                    + " `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(b + 27, e));
        } catch (IllegalArgumentException bad) {
            throw new GeneralSecurityException(pem + " holds a damaged PKCS#8 key (" + bad.getMessage() + ")");
        }
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
