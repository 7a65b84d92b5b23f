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
 * half-sent); a half-close is passed on. Plaintext only: with TLS the mock PD serves gRPC on its own port.
 */
final class PortMux implements AutoCloseable {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final int httpPort;
    private final int grpcPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    PortMux(int httpPort, int grpcPort) throws IOException {
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
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

    private void route(Socket client) {
        Socket backend = null;
        try {
            client.setTcpNoDelay(true);
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
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger(2);
            daemon("mock-pd-mux-back", () -> pump(b, client, running)).start();
            pump(client, backend, running);
        } catch (IOException e) {
            close(client);
            close(backend);
        }
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
            to.shutdownOutput();
            if (running.decrementAndGet() == 0) {
                close(from);
                close(to);
            }
        } catch (IOException e) {
            close(from);
            close(to);
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
