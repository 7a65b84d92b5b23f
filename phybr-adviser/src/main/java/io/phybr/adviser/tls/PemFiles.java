package io.phybr.adviser.tls;

import io.phybr.contract.text.Printable;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the PEM files of {@code --ca/--cert/--key} with BouncyCastle's PKIX reader, in every form TiDB's tools meet:
 * keys as PKCS#8 ({@code BEGIN PRIVATE KEY}: cert-manager, cfssl's {@code -pkcs8}), PKCS#1 ({@code BEGIN RSA
 * PRIVATE KEY}: TiUP, {@code openssl genrsa}) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}, with or without the
 * {@code EC PARAMETERS} block {@code openssl ecparam -genkey} writes before it: cfssl's default). Every failure is a
 * {@link TlsFileException} whose message names the flag and the file; nothing of the key is ever put in a message.
 */
public final class PemFiles {
    private PemFiles() {
    }

    /** Every certificate in {@code file}, in order (a chain or a CA bundle). */
    public static List<X509Certificate> certificates(String flag, Path file) throws TlsFileException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
        for (Object o : objects(flag, file)) {
            if (o instanceof X509CertificateHolder h) {
                try {
                    out.add(conv.getCertificate(h));
                } catch (Exception e) {
                    throw new TlsFileException(flag + " " + file + " holds a certificate Java cannot use ("
                            + reason(e) + ")", e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new TlsFileException(flag + " " + file + " holds no certificate (no BEGIN CERTIFICATE block)");
        }
        return out;
    }

    /** The one private key in {@code file}. */
    public static PrivateKey privateKey(String flag, Path file) throws TlsFileException {
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        PrivateKey key = null;
        for (Object o : objects(flag, file)) {
            PrivateKey k;
            try {
                if (o instanceof PEMKeyPair pair) {            // PKCS#1 RSA, SEC1 EC
                    k = conv.getPrivateKey(pair.getPrivateKeyInfo()); // SEC1 may omit the public key
                } else if (o instanceof PrivateKeyInfo info) { // PKCS#8
                    k = conv.getPrivateKey(info);
                } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new TlsFileException(flag + " " + file + " holds an encrypted key; PD and TiKV do not take"
                            + " encrypted keys either: decrypt it (`openssl pkey -in KEY -out PLAIN.pem`)");
                } else if (o instanceof ASN1ObjectIdentifier || o instanceof X509CertificateHolder) {
                    continue; // EC PARAMETERS before an EC key; a certificate bundled with its key
                } else {
                    continue;
                }
            } catch (TlsFileException e) {
                throw e;
            } catch (Exception e) {
                throw new TlsFileException(flag + " " + file + " holds a key Java cannot use (" + reason(e) + ")", e);
            }
            if (key != null) {
                throw new TlsFileException(flag + " " + file + " holds more than one private key");
            }
            key = k;
        }
        if (key == null) {
            throw new TlsFileException(flag + " " + file + " holds no private key (expected BEGIN PRIVATE KEY,"
                    + " BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
        }
        return key;
    }

    /** Refuses a certificate that is not valid at {@code now} (an expired one is refused by every peer anyway). */
    public static void checkValid(String flag, Path file, X509Certificate c, Instant now) throws TlsFileException {
        Date at = Date.from(now);
        if (at.after(c.getNotAfter())) {
            throw new TlsFileException(flag + " " + file + ": the certificate " + Certificates.subject(c)
                    + " expired on " + c.getNotAfter().toInstant() + "; renew it (every peer refuses it)");
        }
        if (at.before(c.getNotBefore())) {
            throw new TlsFileException(flag + " " + file + ": the certificate " + Certificates.subject(c)
                    + " is not valid before " + c.getNotBefore().toInstant() + " (is this machine's clock right?)");
        }
    }

    /** Refuses a key that is not the certificate's: a handshake would fail with an unhelpful alert. */
    public static void checkPair(Path certFile, X509Certificate cert, Path keyFile, PrivateKey key) throws TlsFileException {
        PublicKey pub = cert.getPublicKey();
        if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
            throw new TlsFileException("--key " + keyFile + " is a " + key.getAlgorithm() + " key but the certificate"
                    + " in --cert " + certFile + " holds a " + pub.getAlgorithm() + " key: they are not a pair");
        }
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> null;
        };
        if (alg == null) {
            return; // Ed25519 and others: the handshake will tell
        }
        try {
            byte[] probe = "phybr key pair probe".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            if (v.verify(sig)) {
                return;
            }
        } catch (Exception e) {
            // a signature that cannot even be made with this key: not the certificate's key either
        }
        throw new TlsFileException("--key " + keyFile + " is not the private key of the certificate in --cert "
                + certFile + " (" + Certificates.subject(cert) + "): they are not a pair");
    }

    private static List<Object> objects(String flag, Path file) throws TlsFileException {
        List<Object> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                out.add(o);
            }
        } catch (NoSuchFileException e) {
            throw new TlsFileException(flag + " " + file + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            if (Files.isDirectory(file)) {
                throw new TlsFileException(flag + " " + file + " is a directory, not a PEM file", e);
            }
            throw new TlsFileException(flag + " " + file + " is not a usable PEM file (" + reason(e) + ")", e);
        }
        if (out.isEmpty()) {
            throw new TlsFileException(flag + " " + file + " is not a PEM file (no -----BEGIN block)");
        }
        return out;
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause().getMessage() != null) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return Printable.escape(m, 120);
    }
}
