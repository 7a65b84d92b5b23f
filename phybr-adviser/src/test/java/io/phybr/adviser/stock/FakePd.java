package io.phybr.adviser.stock;

import com.sun.net.httpserver.HttpServer;
import io.phybr.adviser.pd.PdClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A scripted PD for the stock recovery's unit tests: marked, lists the fake stores with their start timestamps,
 * answers region leaders from the stores' own state (as TiKV leaders heartbeat on becoming leader), accepts every
 * write. Not a model of PD; mock-tikv's MockPd is.
 */
final class FakePd implements AutoCloseable {
    private final HttpServer server;
    private final List<FakeStore> stores;
    volatile boolean regionApi = true;
    volatile List<String> pausedSchedulers = List.of();

    FakePd(List<FakeStore> stores) throws IOException {
        this.stores = stores;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            int status = 200;
            String body = "";
            if (method.equals("GET") && path.equals(PdClient.MARKER)) {
                body = "{\"marked\":true}";
            } else if (method.equals("GET") && path.equals(PdClient.STORES)) {
                StringBuilder sb = new StringBuilder("{\"count\":" + stores.size() + ",\"stores\":[");
                for (int i = 0; i < stores.size(); i++) {
                    FakeStore s = stores.get(i);
                    sb.append(i == 0 ? "" : ",").append("{\"store\":{\"id\":").append(s.id).append(",\"address\":\"")
                            .append(s.address).append("\",\"state_name\":\"Up\",\"start_timestamp\":").append(s.startTimestamp())
                            .append("},\"status\":{}}");
                }
                body = sb.append("]}").toString();
            } else if (method.equals("GET") && path.equals(PdClient.CONFIG)) {
                body = "{\"schedule\":{\"leader-schedule-limit\":4},\"replication\":{}}";
            } else if (method.equals("GET") && path.equals(PdClient.CONFIG + "/schedule")) {
                body = "{\"leader-schedule-limit\":4}";
            } else if (method.equals("GET") && path.equals(PdClient.SCHEDULERS)) {
                String q = ex.getRequestURI().getQuery();
                List<String> names = q != null && q.contains("status=paused") ? pausedSchedulers : List.of();
                body = names.stream().map(n -> "\"" + n + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
            } else if (method.equals("GET") && path.startsWith(PdClient.REGION_BY_ID)) {
                if (!regionApi) {
                    status = 404;
                    body = "404 page not found";
                } else {
                    long region = Long.parseLong(path.substring(PdClient.REGION_BY_ID.length()));
                    body = leader(region);
                    if (body == null) { // no leader ever reported it: as tikv/pd server/api/region.go answers
                        status = 404;
                        body = "\"[PD:region:ErrRegionNotFound]region " + region + " not found\"";
                    }
                }
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        server.start();
    }

    private String leader(long region) {
        LongFunction<String> json = store -> "{\"id\":" + region + ",\"leader\":{\"id\":1,\"store_id\":" + store + "}}";
        for (FakeStore s : stores) {
            if (s.leads(region)) {
                return json.apply(s.id);
            }
        }
        return null;
    }

    PdClient client() {
        return new PdClient(List.of("127.0.0.1:" + server.getAddress().getPort()), null, Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
