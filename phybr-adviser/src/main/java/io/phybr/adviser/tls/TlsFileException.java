package io.phybr.adviser.tls;

import java.io.IOException;

/** A TLS file that cannot be used; the message is one sentence naming the flag, the file and what is wrong. */
public final class TlsFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public TlsFileException(String message) {
        super(message);
    }

    public TlsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
