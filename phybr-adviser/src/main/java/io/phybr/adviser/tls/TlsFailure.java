package io.phybr.adviser.tls;

import io.phybr.contract.text.Printable;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Turns what a failed TLS handshake threw (JDK or netty, several layers deep) into one clause for a diagnosis: our
 * own refusal of the peer's certificate (which names it and the {@code --ca} file), a peer that answered in
 * plaintext, a peer that refused our certificate. A TLS failure is never transient: the same files fail the same
 * way, so callers stop at once instead of retrying.
 */
public final class TlsFailure {
    private TlsFailure() {
    }

    /** The explanation, if {@code t} (or a cause) is a TLS failure; empty for anything else. */
    public static Optional<String> explain(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TlsRefusal r) {
                return Optional.of(r.getMessage());
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            String lower = m.toLowerCase(Locale.ROOT);
            // the JDK says "Unsupported or unrecognized SSL message" (SSLSocket) or "Unrecognized SSL message,
            // plaintext connection?" (the SSLEngine under HttpClient), netty NotSslRecordException
            if (lower.contains("unrecognized ssl message") || c.getClass().getSimpleName().equals("NotSslRecordException")
                    || lower.contains("not an ssl/tls record")) {
                return Optional.of("it answered in plaintext: it does not serve TLS (drop --ca/--cert/--key, or give"
                        + " the address where it serves TLS)");
            }
            if (c instanceof SSLException) {
                for (String alert : new String[] {"bad_certificate", "certificate_required", "unknown_ca",
                        "certificate_unknown", "certificate_expired", "access_denied", "handshake_failure"}) {
                    if (lower.contains(alert)) {
                        return Optional.of("it refused the TLS handshake with the alert " + alert + ": it requires a"
                                + " client certificate signed by a CA it trusts (give --cert/--key; check they are"
                                + " signed by the cluster's CA)");
                    }
                }
                return Optional.of("the TLS handshake failed (" + Printable.escape(m, 160) + ")");
            }
        }
        return Optional.empty();
    }

    /**
     * For a plaintext client (no {@code --ca}) whose peer closed the connection at once: a hint that the peer may
     * serve TLS, empty when {@code t} is not such a close.
     */
    public static Optional<String> plaintextHint(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("header parser received no bytes") || m.contains("connection reset")
                    || m.contains("network closed for unknown reason") || m.contains("first received frame was not settings")
                    || m.contains("connection closed") || m.contains("received fatal alert")) {
                return Optional.of("it closed the connection without answering; if it serves TLS, give --ca/--cert/--key");
            }
        }
        return Optional.empty();
    }
}
