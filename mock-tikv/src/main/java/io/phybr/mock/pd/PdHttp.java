package io.phybr.mock.pd;

import com.sun.net.httpserver.HttpExchange;
import io.phybr.mock.fault.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The mock PD's HTTP binding: reads one exchange, lets an injected fault answer it (a status, or a stall before the
 * status line or mid-body that ends only when PD closes), else routes it to the {@link PdModel}, records it, and
 * tells the store-listing listeners once a {@code GET /pd/api/v1/stores} answer went out.
 */
final class PdHttp {
    private final PdModel model;
    private final PdCalls calls;
    private final Runnable awaitClose;
    private final List<IntConsumer> listingListeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger listings = new AtomicInteger();

    PdHttp(PdModel model, PdCalls calls, Runnable awaitClose) {
        this.model = model;
        this.calls = calls;
        this.awaitClose = awaitClose;
    }

    void onStoreListing(IntConsumer listener) {
        listingListeners.add(listener);
    }

    void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getRawQuery();
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Fault.PdFault fault = calls.take(method, path, query, body);
            if (fault instanceof Fault.PdStall stall && !stall.midBody()) {
                awaitClose.run();
                return;
            }
            PdReply reply = fault == null ? model.route(method, path, query, body)
                    : fault instanceof Fault.PdStatus st ? PdReply.error(st.status(), "injected fault")
                    : PdReply.ok("{\"count\":0,\"stores\":[],\"padding\":\"" + "x".repeat(256) + "\"}");
            if (!(fault instanceof Fault.PdStall)) {
                calls.answered(method, path, query, body, reply.status());
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", reply.body().startsWith("{") || reply.body().startsWith("[")
                    || reply.body().startsWith("\"") ? "application/json; charset=UTF-8" : "text/plain; charset=utf-8");
            ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                OutputStream out = ex.getResponseBody();
                if (fault instanceof Fault.PdStall) {
                    out.write(bytes, 0, bytes.length / 2);
                    out.flush();
                    awaitClose.run();
                    return;
                }
                try (out) {
                    out.write(bytes);
                }
            }
            if (fault == null && "GET".equals(method) && reply.status() == 200
                    && (PdModel.API + "/stores").equals(path.endsWith("/") ? path.substring(0, path.length() - 1) : path)) {
                int n = listings.incrementAndGet();
                listingListeners.forEach(l -> l.accept(n));
            }
        }
    }
}
