package io.phybr.adviser.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time, as an operator's tooling makes them: a CA, then server and client certificates
 * it signs (servers name 127.0.0.1 and localhost), written as PEM files with the key in the form asked for
 * ({@link KeyForm}): PKCS#1 as TiUP and {@code openssl genrsa} write, PKCS#8 as cert-manager does, SEC1 EC as cfssl
 * does. Nothing here is read back by hand: BouncyCastle writes, the code under test reads.
 */
public final class TestPki {
    /** How a key is written. */
    public enum KeyForm {
        RSA_PKCS1, RSA_PKCS8, EC_SEC1, EC_PKCS8;

        boolean rsa() {
            return this == RSA_PKCS1 || this == RSA_PKCS8;
        }

        boolean pkcs8() {
            return this == RSA_PKCS8 || this == EC_PKCS8;
        }
    }

    /** Files of one certificate: the certificate (PEM) and its key (PEM, in its form). */
    public record Files2(Path cert, Path key) {}

    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());
    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Path caFile;

    private TestPki(Path dir, String name, KeyPair caKeys, X509Certificate caCert, Path caFile) {
        this.dir = dir;
        this.name = name;
        this.caKeys = caKeys;
        this.caCert = caCert;
        this.caFile = caFile;
    }

    /** A new CA named {@code name}, its certificate written to {@code dir/name-ca.pem}. */
    public static TestPki ca(Path dir, String name) throws Exception {
        KeyPair keys = keys(KeyForm.RSA_PKCS8);
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=" + name + " CA,O=phybr tests");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = sign(b, keys.getPrivate());
        Path file = dir.resolve(name + "-ca.pem");
        Files.writeString(file, pem(cert));
        return new TestPki(dir, name, keys, cert, file);
    }

    public Path caFile() {
        return caFile;
    }

    /** A server certificate for 127.0.0.1/localhost, valid now. */
    public Files2 server(String cn, KeyForm form) throws Exception {
        return issue(cn, form, true, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    }

    /** A client certificate, valid now. */
    public Files2 client(String cn, KeyForm form) throws Exception {
        return issue(cn, form, false, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    }

    /** A certificate that expired yesterday (server or client). */
    public Files2 expired(String cn, KeyForm form, boolean server) throws Exception {
        return issue(cn, form, server, Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)));
    }

    private Files2 issue(String cn, KeyForm form, boolean server, Instant from, Instant to) throws Exception {
        KeyPair keys = keys(form);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(from), Date.from(to),
                new X500Name("CN=" + cn + ",O=phybr tests"), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                server ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                        : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}));
        if (server) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        X509Certificate cert = sign(b, caKeys.getPrivate());
        String base = name + "-" + cn + "-" + form.name().toLowerCase(java.util.Locale.ROOT);
        Path certFile = dir.resolve(base + ".pem");
        Path keyFile = dir.resolve(base + "-key.pem");
        Files.writeString(certFile, pem(cert));
        Files.writeString(keyFile, keyPem(keys.getPrivate(), form));
        return new Files2(certFile, keyFile);
    }

    private static KeyPair keys(KeyForm form) throws Exception {
        if (form.rsa()) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, new SecureRandom());
            return g.generateKeyPair();
        }
        // BouncyCastle's EC keys encode as openssl's do (curve and public key inside the SEC1 structure); the
        // JDK's would write a SEC1 file without its curve, which no tool produces
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey by) throws Exception {
        ContentSigner signer = new JcaContentSignerBuilder(by.getAlgorithm().equals("EC") ? "SHA256withECDSA"
                : "SHA256withRSA").build(by);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    /** PKCS#1 / SEC1 ({@code BEGIN RSA|EC PRIVATE KEY}) as JcaPEMWriter writes a bare key; PKCS#8 through its generator. */
    static String keyPem(PrivateKey key, KeyForm form) throws IOException {
        return form.pkcs8() ? pem(new JcaPKCS8Generator(key, null)) : pem(key);
    }
}
