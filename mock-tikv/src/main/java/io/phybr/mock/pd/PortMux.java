package io.phybr.mock.pd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One loopback port in front of the mock PD's HTTP server and its gRPC server, as real PD serves its HTTP API and
 * pdpb on the same client port (tikv/pd uses cmux): a connection that opens with the HTTP/2 client preface goes to
 * gRPC, any other to HTTP. Bytes are relayed both ways as they come (a stalled or half-sent answer stays stalled or
 * half-sent); a half-close is passed on.
 * <p>
 * With TLS the port terminates it first, as PD's does (etcd embed {@code serve.go}: one TLS listener, then gRPC or
 * HTTP by the request): the handshake asks for a client certificate and verifies one that is given (tikv/pd
 * {@code grpcutil.ToServerTLSConfig}: {@code VerifyClientCertIfGiven}), ALPN answers {@code h2} to a client that offers
 * only that (gRPC) and {@code http/1.1} to one that offers it (the mock's HTTP API speaks only HTTP/1.1), and the
 * decrypted bytes are routed as above to the plaintext servers behind.
 */
final class PortMux implements AutoCloseable {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final int httpPort;
    private final int grpcPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final javax.net.ssl.SSLContext tls;
    private volatile boolean closed;

    /** {@code tls} null: plaintext. */
    PortMux(int httpPort, int grpcPort, javax.net.ssl.SSLContext tls) throws IOException {
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
        this.tls = tls;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("mock-pd-mux", this::acceptLoop).start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                open.add(client);
                daemon("mock-pd-mux-conn", () -> route(client)).start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void route(Socket accepted) {
        Socket backend = null;
        Socket client = accepted;
        try {
            accepted.setTcpNoDelay(true);
            if (tls != null) {
                client = handshake(accepted);
                open.add(client);
            }
            InputStream in = client.getInputStream();
            byte[] head = new byte[PREFACE.length];
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
                if (!Arrays.equals(head, 0, n, PREFACE, 0, n)) {
                    break; // not HTTP/2: an HTTP/1.1 request line
                }
            }
            boolean grpc = n == PREFACE.length && Arrays.equals(head, PREFACE);
            backend = new Socket();
            open.add(backend);
            backend.setTcpNoDelay(true);
            backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), grpc ? grpcPort : httpPort), 5000);
            backend.getOutputStream().write(head, 0, n);
            Socket b = backend;
            Socket c = client;
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger(2);
            daemon("mock-pd-mux-back", () -> pump(b, c, running)).start();
            pump(client, backend, running);
        } catch (IOException e) {
            close(client);
            close(accepted);
            close(backend);
        }
    }

    /**
     * The server side of the TLS handshake on an accepted connection (bounded: a silent client is dropped). A
     * plaintext HTTP request gets Go's answer and the connection closed, as PD's net/http server over a TLS listener
     * answers it (net/http server.go: a handshake RecordHeaderError that looks like HTTP).
     */
    private Socket handshake(Socket accepted) throws IOException {
        accepted.setSoTimeout(10_000);
        byte[] head = accepted.getInputStream().readNBytes(5);
        if (head.length == 5 && looksLikeHttp(new String(head, StandardCharsets.US_ASCII))) {
            accepted.getOutputStream().write(("HTTP/1.0 400 Bad Request\r\n\r\n"
                    + "Client sent an HTTP request to an HTTPS server.\n").getBytes(StandardCharsets.US_ASCII));
            accepted.getOutputStream().flush();
            throw new IOException("plaintext HTTP on the TLS port");
        }
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
                .createSocket(accepted, new java.io.ByteArrayInputStream(head), true);
        javax.net.ssl.SSLParameters p = tls.getDefaultSSLParameters();
        p.setWantClientAuth(true);
        s.setSSLParameters(p);
        s.setHandshakeApplicationProtocolSelector((sock, offered) -> offered.isEmpty() ? null
                : offered.contains("http/1.1") ? "http/1.1" : offered.contains("h2") ? "h2" : null);
        s.setUseClientMode(false);
        s.startHandshake();
        accepted.setSoTimeout(0);
        return s;
    }

    /**
     * Copies {@code from} → {@code to} until end of stream, then half-closes {@code to}; the second direction to end
     * closes both sockets (an error closes both at once).
     */
    private void pump(Socket from, Socket to, java.util.concurrent.atomic.AtomicInteger running) {
        byte[] buf = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int r;
            while ((r = in.read(buf)) >= 0) {
                out.write(buf, 0, r);
                out.flush();
            }
            halfClose(to);
            if (running.decrementAndGet() == 0) {
                close(from);
                close(to);
            }
        } catch (IOException e) {
            close(from);
            close(to);
        }
    }

    /** Go's {@code tlsRecordHeaderLooksLikeHTTP}. */
    private static boolean looksLikeHttp(String head) {
        return switch (head) {
            case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO" -> true;
            default -> false;
        };
    }

    /** Passes an end of stream on; TLS sends close_notify where the JDK can half-close, else closes. */
    private void halfClose(Socket s) throws IOException {
        try {
            s.shutdownOutput();
        } catch (UnsupportedOperationException e) {
            close(s);
        }
    }

    private void close(Socket s) {
        if (s != null) {
            open.remove(s);
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(this::close);
    }
}
