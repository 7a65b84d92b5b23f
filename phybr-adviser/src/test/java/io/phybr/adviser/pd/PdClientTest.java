package io.phybr.adviser.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PD client against a tiny fake PD: endpoint failover, body shapes, status handling, retries. */
class PdClientTest {
    private HttpServer server;
    private final List<String> seen = new ArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = ex.getRequestURI().getPath();
            synchronized (seen) {
                seen.add(ex.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body));
            }
            String answer;
            int status = 200;
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                status = 503;
                answer = "busy";
            } else if (path.equals(PdClient.STORES)) {
                answer = "{\"count\":2,\"stores\":[{\"store\":{\"id\":1,\"address\":\"tikv1:20160\",\"state_name\":\"Up\"},\"status\":{}},"
                        + "{\"store\":{\"id\":5,\"address\":\"tiflash0:3930\",\"labels\":[{\"key\":\"engine\",\"value\":\"tiflash\"}],\"state_name\":\"Up\"}}]}";
            } else if (path.equals(PdClient.CONFIG + "/schedule")) {
                answer = "{\"leader-schedule-limit\":4,\"region-schedule-limit\":2048,\"enable-tikv-split-region\":\"true\"}";
            } else if (path.equals(PdClient.CONFIG)) {
                answer = "\"The config is updated.\"";
            } else if (path.equals(PdClient.MARKER)) {
                answer = "{\"marked\":true}";
            } else if (path.startsWith(PdClient.SCHEDULERS)) {
                answer = "[\"balance-leader-scheduler\",\"evict-leader-scheduler\"]";
            } else if (path.equals(PdClient.BASE_ALLOC_ID)) {
                answer = "";
            } else {
                status = 404;
                answer = "404 page not found";
            }
            byte[] b = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String addr() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private static String deadAddr() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort(); // closed again: nothing listens there
        }
    }

    @Test
    void readsWhatTheRecoveryNeedsAndFailsOverToTheNextEndpoint() throws Exception {
        PdClient pd = new PdClient(PdClient.parseEndpoints(deadAddr() + "," + addr()), null, Duration.ofSeconds(5));
        assertThat(pd.snapshotRecoveringMarked()).isTrue();
        assertThat(pd.stores()).containsExactly(new PdStore(1, "tikv1:20160", false, "Up"),
                new PdStore(5, "tiflash0:3930", true, "Up"));
        assertThat(pd.scheduleConfig()).containsOnlyKeys("leader-schedule-limit", "region-schedule-limit", "enable-tikv-split-region");
        assertThat(pd.scheduleConfig().get("enable-tikv-split-region").asText()).isEqualTo("true");
        assertThat(pd.schedulers()).containsExactly("balance-leader-scheduler", "evict-leader-scheduler");
        pd.setBaseAllocId(Long.parseUnsignedLong("18446744073709551615"));
        pd.setConfigTtl(Map.of("leader-schedule-limit", com.fasterxml.jackson.databind.node.LongNode.valueOf(0)), 300);
        pd.pauseScheduler("balance-leader-scheduler", 300);
        assertThat(seen).contains("POST " + PdClient.BASE_ALLOC_ID + " {\"id\":\"18446744073709551615\"}",
                "POST " + PdClient.CONFIG + " {\"schedule.leader-schedule-limit\":0}",
                "POST " + PdClient.SCHEDULERS + "/balance-leader-scheduler {\"delay\":300}");
    }

    @Test
    void statusCodesAreKeptAndOnlyTransientOnesRetried() throws Exception {
        PdClient pd = new PdClient(List.of(addr()), null, Duration.ofSeconds(5));
        assertThatThrownBy(() -> pd.call("GET", "/pd/api/v1/nothing", null)).isInstanceOfSatisfying(PdException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.transient_()).isFalse();
            assertThat(e.getMessage()).contains("HTTP 404").contains("/pd/api/v1/nothing");
        });
        failures.set(2);
        PdRetry retry = new PdRetry(3, Duration.ofMillis(10), Duration.ofMillis(20));
        assertThat(retry.run("read marker", pd::snapshotRecoveringMarked)).isTrue();
        failures.set(5);
        assertThatThrownBy(() -> retry.run("read marker", pd::snapshotRecoveringMarked))
                .hasMessageContaining("HTTP 503").hasMessageContaining("after 3 attempts");
    }

    @Test
    void badEndpointsAreRejected() {
        assertThatThrownBy(() -> new PdClient(List.of("  "), null, Duration.ofSeconds(1))).hasMessageContaining("no PD endpoint");
        assertThatThrownBy(() -> new PdClient(List.of("justahost"), null, Duration.ofSeconds(1))).hasMessageContaining("not host:port");
        assertThat(new PdClient(List.of("https://pd0:2379/"), null, Duration.ofSeconds(1)).endpoints().get(0).toString())
                .isEqualTo("https://pd0:2379");
    }
}
