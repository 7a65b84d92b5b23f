package io.phybr.adviser.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * A plaintext PD that ANSWERS a ClientHello (as the JDK's HttpServer does when the hello's random bytes hold a CR LF,
 * and as any HTTP server that rejects garbage at once does): the TLS handshake meets a non-TLS record and the client
 * is told at once that PD does not serve TLS — not a raw JDK text, not a retry.
 */
class PdPlaintextAnswerTest {
    @Test
    void aPlaintextAnswerToTheClientHelloSaysPdDoesNotServeTls() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answerEveryConnectionWith400(server), "plaintext-pd");
            answering.setDaemon(true);
            answering.start();
            PdClient pd = new PdClient(List.of("127.0.0.1:" + server.getLocalPort()), SSLContext.getDefault(),
                    Duration.ofSeconds(30));

            assertThatThrownBy(() -> pd.call("GET", PdClient.REGION_BY_KEY + "a", null))
                    .isInstanceOfSatisfying(PdException.class, e -> {
                        assertThat(e.status()).isEqualTo(PdException.TLS); // never retried: the same files fail the same way
                        assertThat(e.getMessage()).startsWith("the TLS handshake with PD 127.0.0.1:" + server.getLocalPort())
                                .contains("it answered in plaintext: it does not serve TLS (drop --ca/--cert/--key");
                    });
        }
    }

    private static void answerEveryConnectionWith400(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                in.read(new byte[512]); // the ClientHello's first bytes
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closed) {
                return;
            }
        }
    }
}
