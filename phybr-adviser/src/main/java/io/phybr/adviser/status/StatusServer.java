package io.phybr.adviser.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.phybr.adviser.progress.PhaseProgress;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code --status-addr HOST:PORT}: {@code GET /metrics} (Prometheus text format of {@link PhaseMetrics}) and
 * {@code GET /status} (one JSON object: command, start time, the latest progress). The JDK's HTTP server on one
 * daemon thread; it only reads the metrics, so a slow scraper never holds up the recovery.
 */
public final class StatusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor;

    private StatusServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Listens on {@code address} (port 0: any free port) and serves until {@link #close()}. */
    public static StatusServer start(InetSocketAddress address, String command, PhaseMetrics metrics) throws IOException {
        HttpServer server = HttpServer.create(address, 8);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "phybr-status");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        Instant started = Instant.now();
        PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
        server.createContext("/metrics", ex -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            text.write(body, metrics.registry().scrape());
            reply(ex, text.getContentType(), body.toByteArray());
        });
        server.createContext("/status", ex -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("command", command);
            o.put("started_at", started.toString());
            PhaseProgress p = metrics.latest();
            if (p == null) {
                o.putNull("progress");
            } else {
                o.set("progress", p.toJson());
            }
            reply(ex, "application/json", (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8));
        });
        server.start();
        return new StatusServer(server, executor);
    }

    private static void reply(HttpExchange ex, String type, byte[] body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
