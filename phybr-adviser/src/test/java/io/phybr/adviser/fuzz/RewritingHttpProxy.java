package io.phybr.adviser.fuzz;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A rogue PD on loopback: an HTTP server that forwards every request to the honest mock PD and lets a
 * {@link Rewrite} replace the body of the answers — PD's HTTP API answering with mutated JSON.
 */
final class RewritingHttpProxy implements AutoCloseable {
    /** The body to answer {@code method path} with instead of {@code body} (status kept); null keeps it. */
    @FunctionalInterface
    interface Rewrite {
        byte[] answer(String method, String pathAndQuery, int status, byte[] body);
    }

    private final HttpServer server;
    private volatile boolean dead;
    private final String address;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    RewritingHttpProxy(String upstream, Rewrite rewrite) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                if (dead) {
                    return; // closed without an answer
                }
                byte[] req = ex.getRequestBody().readAllBytes();
                String path = ex.getRequestURI().getRawPath()
                        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + upstream + path))
                        .timeout(Duration.ofSeconds(10))
                        .method(ex.getRequestMethod(), req.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(req));
                String type = ex.getRequestHeaders().getFirst("Content-Type");
                if (type != null) {
                    b.header("Content-Type", type);
                }
                HttpResponse<byte[]> up;
                try {
                    up = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    ex.sendResponseHeaders(503, -1);
                    return;
                } catch (IOException e) {
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
                byte[] body = dead ? null : rewrite.answer(ex.getRequestMethod(), path, up.statusCode(), up.body());
                if (dead) {
                    return; // the request reached PD; its answer never comes back
                }
                if (body == null) {
                    body = up.body();
                }
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(up.statusCode(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    ex.getResponseBody().write(body);
                }
            }
        });
        server.start();
        address = "127.0.0.1:" + server.getAddress().getPort(); // kept: a stopped server no longer tells it
    }

    String address() {
        return address;
    }

    /** The path to PD is cut: no more answers, the listener closed (on its own thread: safe from a rewrite). */
    void kill() {
        dead = true;
        Thread t = new Thread(() -> server.stop(0), "rogue-pd-kill");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
