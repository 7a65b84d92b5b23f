package io.phybr.adviser.tls;

import io.phybr.contract.text.Printable;
import java.security.cert.X509Certificate;

/** How a certificate is named in a message: its subject, as the operator's CA tooling printed it. */
final class Certificates {
    private Certificates() {
    }

    static String subject(X509Certificate c) {
        return "'" + Printable.escape(c.getSubjectX500Principal().getName(), 120) + "'";
    }

    static String issuer(X509Certificate c) {
        return "'" + Printable.escape(c.getIssuerX500Principal().getName(), 120) + "'";
    }
}
