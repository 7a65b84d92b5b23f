package io.phybr.adviser.tls;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** The trust manager over the CAs of {@code --ca}: the JDK's PKIX decision, refusals explained ({@link CheckedTrust}). */
public final class TrustedCas {
    private TrustedCas() {
    }

    /** @param refused told one sentence per refused peer certificate */
    public static X509ExtendedTrustManager manager(Path caFile, List<X509Certificate> cas, Consumer<String> refused)
            throws TlsFileException {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : cas) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return new CheckedTrust(x, caFile, refused);
                }
            }
            throw new TlsFileException("--ca " + caFile + ": the JDK made no X.509 trust manager of it");
        } catch (TlsFileException e) {
            throw e;
        } catch (Exception e) {
            throw new TlsFileException("--ca " + caFile + " cannot be used as a CA bundle (" + e.getMessage() + ")", e);
        }
    }
}
