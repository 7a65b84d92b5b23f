package io.phybr.adviser.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

class TlsFailureTest {
    /**
     * The JDK's HttpClient (SSLEngine) and its SSLSocket word a plaintext answer differently; both must read as a
     * peer that does not serve TLS (CI once met the first, from a plaintext PD that answered the ClientHello with
     * HTTP 400, and printed the raw JDK text without the hint).
     */
    @Test
    void bothJdkWordingsOfAPlaintextAnswerReadAsNoTls() {
        for (String jdk : new String[] {"Unrecognized SSL message, plaintext connection?",
                "Unsupported or unrecognized SSL message"}) {
            Throwable thrown = new IOException("wrapped", new SSLException(jdk));

            assertThat(TlsFailure.explain(thrown)).as(jdk)
                    .hasValueSatisfying(s -> assertThat(s).startsWith("it answered in plaintext").contains("drop --ca/--cert/--key"));
        }
    }

    @Test
    void anotherHandshakeFailureIsQuotedNotCalledPlaintext() {
        Throwable thrown = new SSLException("Received fatal alert: protocol_version");

        assertThat(TlsFailure.explain(thrown)).hasValueSatisfying(s -> assertThat(s)
                .isEqualTo("the TLS handshake failed (Received fatal alert: protocol_version)"));
        assertThat(TlsFailure.explain(new IOException("connection reset"))).isEmpty();
    }
}
