package io.phybr.adviser.tls;

import java.security.cert.CertificateException;

/**
 * Our trust manager refused a peer's certificate; the message is the whole explanation (which peer, which
 * certificate, why, which file). It travels inside the TLS library's handshake exception, where
 * {@link TlsFailure#explain} finds it.
 */
public final class TlsRefusal extends CertificateException {
    private static final long serialVersionUID = 1L;

    TlsRefusal(String message, Throwable cause) {
        super(message, cause);
    }
}
