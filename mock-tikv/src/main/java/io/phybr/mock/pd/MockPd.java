package io.phybr.mock.pd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.phybr.mock.fault.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A mock PD on a loopback ephemeral port serving the HTTP endpoints a stock recovery uses, with PD's
 * status codes and body shapes (tikv/pd {@code server/api}):
 * <ul>
 *   <li>{@code GET /pd/api/v1/stores} — {@code {"count":n,"stores":[{"store":{id,address,labels,state_name}}]}}</li>
 *   <li>{@code GET /pd/api/v1/config} ({@code schedule} section) and {@code GET /pd/api/v1/config/schedule};
 *       {@code POST /pd/api/v1/config} with {@code {"item":value}} (400 on an unknown item)</li>
 *   <li>{@code GET /pd/api/v1/schedulers}, {@code POST /pd/api/v1/schedulers {"name":…}},
 *       {@code DELETE /pd/api/v1/schedulers/NAME} (404 when absent)</li>
 *   <li>{@code POST|GET|DELETE /pd/api/v1/admin/cluster/markers/snapshot-recovering} ({@code {"marked":bool}})</li>
 *   <li>{@code POST /pd/api/v1/admin/base-alloc-id {"id":"<decimal>"}} — 400 on a bad id, 403 unless marked</li>
 * </ul>
 * Every call is recorded ({@link #calls()}); {@link #state()} snapshots what a recovery may change;
 * faults are data ({@link #inject(Fault.PdStatus)}, fired at the request point).
 */
public final class MockPd implements AutoCloseable {
    /** A store PD lists. */
    public record Store(long id, String address, boolean tiflash, String state) {
        public static Store tikv(long id, String address) {
            return new Store(id, address, false, "Up");
        }

        public static Store tiflash(long id, String address) {
            return new Store(id, address, true, "Up");
        }
    }

    /** PD's default schedule limits. */
    public static Map<String, Long> defaultScheduleConfig() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("leader-schedule-limit", 4L);
        m.put("region-schedule-limit", 2048L);
        m.put("replica-schedule-limit", 64L);
        m.put("merge-schedule-limit", 8L);
        m.put("hot-region-schedule-limit", 4L);
        m.put("max-merge-region-size", 20L);
        return m;
    }

    public static List<String> defaultSchedulers() {
        return List.of("balance-hot-region-scheduler", "balance-leader-scheduler", "balance-region-scheduler",
                "evict-slow-store-scheduler");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.concurrent.atomic.AtomicInteger LIVE = new java.util.concurrent.atomic.AtomicInteger();
    private static final String MARKER = "/pd/api/v1/admin/cluster/markers/snapshot-recovering";

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Store> stores = new ArrayList<>();
    private final Map<String, Long> schedule;
    private final List<String> schedulers;
    private boolean marked;
    private long baseAllocId;
    private final List<PdCall> calls = new ArrayList<>();
    private final List<int[]> faultLeft = new ArrayList<>();
    private final List<Fault.PdStatus> faults = new ArrayList<>();

    public MockPd(List<Store> stores, boolean marked) throws IOException {
        this(stores, marked, defaultScheduleConfig(), defaultSchedulers());
    }

    public MockPd(List<Store> stores, boolean marked, Map<String, Long> schedule, List<String> schedulers) throws IOException {
        this(stores, marked, schedule, schedulers, null);
    }

    /** With {@code tls} set, PD serves HTTPS (as a PD with {@code [security]} configured does). */
    public MockPd(List<Store> stores, boolean marked, Map<String, Long> schedule, List<String> schedulers,
                  javax.net.ssl.SSLContext tls) throws IOException {
        this.stores.addAll(stores);
        this.marked = marked;
        this.schedule = new LinkedHashMap<>(schedule);
        this.schedulers = new ArrayList<>(schedulers);
        this.baseAllocId = 1000;
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            this.server = HttpServer.create(at, 0);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(at, 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            this.server = https;
        }
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "mock-pd");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LIVE.incrementAndGet();
    }

    /** Mock PDs running in this JVM (tests assert 0 at the end: no leaks). */
    public static int live() {
        return LIVE.get();
    }

    /** {@code 127.0.0.1:port}, what {@code --pd} takes. */
    public String address() {
        return server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    public synchronized PdState state() {
        return new PdState(schedule, schedulers, marked, baseAllocId);
    }

    public synchronized List<PdCall> calls() {
        return List.copyOf(calls);
    }

    /** Calls that changed something (POST/DELETE answered 2xx). */
    public synchronized List<PdCall> mutatingCalls() {
        return calls.stream().filter(c -> !"GET".equals(c.method()) && c.status() / 100 == 2).toList();
    }

    public synchronized void inject(Fault.PdStatus fault) {
        faults.add(fault);
        faultLeft.add(new int[] {fault.times()});
    }

    public synchronized void setMarked(boolean m) {
        marked = m;
    }

    public synchronized void setStores(List<Store> s) {
        stores.clear();
        stores.addAll(s);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int status;
            String answer;
            synchronized (this) {
                String[] r = faulted(method, path);
                if (r == null) {
                    r = route(method, path, body);
                }
                status = Integer.parseInt(r[0]);
                answer = r[1];
                calls.add(new PdCall(method, path, body, status));
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", answer.startsWith("{") || answer.startsWith("[")
                    ? "application/json; charset=UTF-8" : "text/plain; charset=UTF-8");
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private String[] faulted(String method, String path) {
        for (int i = 0; i < faults.size(); i++) {
            if (faultLeft.get(i)[0] > 0 && faults.get(i).matches(method, path)) {
                faultLeft.get(i)[0]--;
                return new String[] {String.valueOf(faults.get(i).status()), "\"injected fault\""};
            }
        }
        return null;
    }

    private String[] route(String method, String path, String body) {
        try {
            if (path.equals("/pd/api/v1/stores") && method.equals("GET")) {
                return ok(storesJson());
            }
            if (path.equals("/pd/api/v1/config") && method.equals("GET")) {
                ObjectNode root = JSON.createObjectNode();
                root.set("schedule", JSON.valueToTree(schedule));
                root.putObject("replication").put("max-replicas", 3);
                return ok(root.toString());
            }
            if (path.equals("/pd/api/v1/config/schedule") && method.equals("GET")) {
                return ok(JSON.writeValueAsString(schedule));
            }
            if (path.equals("/pd/api/v1/config") && method.equals("POST")) {
                JsonNode n = JSON.readTree(body);
                if (n == null || !n.isObject()) {
                    return new String[] {"400", "\"invalid body\""};
                }
                for (var it = n.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!schedule.containsKey(k) || !n.get(k).isNumber()) {
                        return new String[] {"400", "\"config item " + k + " not found\""};
                    }
                }
                n.fields().forEachRemaining(e -> schedule.put(e.getKey(), e.getValue().asLong()));
                return ok("\"The config is updated.\"");
            }
            if (path.equals("/pd/api/v1/schedulers") && method.equals("GET")) {
                return ok(JSON.writeValueAsString(schedulers));
            }
            if (path.equals("/pd/api/v1/schedulers") && method.equals("POST")) {
                JsonNode n = JSON.readTree(body);
                String name = n == null ? "" : n.path("name").asText("");
                if (name.isEmpty()) {
                    return new String[] {"400", "\"missing scheduler name\""};
                }
                if (schedulers.contains(name)) {
                    return new String[] {"500", "\"scheduler existed\""};
                }
                schedulers.add(name);
                return ok("\"The scheduler is created.\"");
            }
            if (path.startsWith("/pd/api/v1/schedulers/") && method.equals("DELETE")) {
                String name = path.substring("/pd/api/v1/schedulers/".length());
                if (!schedulers.remove(name)) {
                    return new String[] {"404", "\"scheduler not found\""};
                }
                return ok("\"The scheduler is removed.\"");
            }
            if (path.equals(MARKER)) {
                switch (method) {
                    case "GET": return ok("{\"marked\":" + marked + "}");
                    case "POST": marked = true; return ok("");
                    case "DELETE": marked = false; return ok("");
                    default: break;
                }
            }
            if (path.equals("/pd/api/v1/admin/base-alloc-id") && method.equals("POST")) {
                JsonNode n = JSON.readTree(body);
                JsonNode id = n == null ? null : n.get("id");
                if (id == null || !id.isTextual() || id.asText().isEmpty()) {
                    return new String[] {"400", "\"invalid id value\""};
                }
                long v;
                try {
                    v = Long.parseUnsignedLong(id.asText());
                } catch (NumberFormatException e) {
                    return new String[] {"400", "\"invalid syntax\""};
                }
                if (!marked) {
                    return new String[] {"403", "\"can only recover alloc id when recovering mark marked\""};
                }
                baseAllocId = v;
                return ok("");
            }
            return new String[] {"404", "404 page not found"};
        } catch (IOException e) {
            return new String[] {"400", "\"" + e.getMessage().replace('"', '\'') + "\""};
        }
    }

    private String storesJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("count", stores.size());
        ArrayNode arr = root.putArray("stores");
        for (Store s : stores) {
            ObjectNode st = arr.addObject().putObject("store");
            st.put("id", s.id());
            st.put("address", s.address());
            ArrayNode labels = st.putArray("labels");
            if (s.tiflash()) {
                labels.addObject().put("key", "engine").put("value", "tiflash");
            }
            st.put("version", s.tiflash() ? "v7.5.1" : "7.5.1");
            st.put("state_name", s.state());
        }
        return root.toString();
    }

    private static String[] ok(String body) {
        return new String[] {"200", body};
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
            LIVE.decrementAndGet();
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
}
