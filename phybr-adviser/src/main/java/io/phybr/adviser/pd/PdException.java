package io.phybr.adviser.pd;

/** A PD HTTP call failed: transport error on every endpoint, or a non-2xx answer. */
public final class PdException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    /** The status of a failed TLS handshake: no PD answered, and trying again cannot help. */
    public static final int TLS = -1;

    /** @param status the HTTP status, 0 when no PD endpoint answered at all, {@link #TLS} when the handshake failed */
    public PdException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** No answer, or a 5xx: worth another try. A 4xx is a definite answer and is not retried. */
    public boolean transient_() {
        return status == 0 || status >= 500 || status == 429;
    }
}
