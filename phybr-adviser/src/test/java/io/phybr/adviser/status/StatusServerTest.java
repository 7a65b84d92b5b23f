package io.phybr.adviser.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.adviser.cli.CliRun;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.progress.PhaseProgress;
import io.phybr.adviser.stock.RetryPolicy;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.adviser.stock.StoreChannels;
import io.phybr.adviser.stock.Timeouts;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StockLayouts;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code recover --status-addr} (issue 15 item 3): metrics and status scraped while a recovery runs. */
class StatusServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    private String get(InetSocketAddress a, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    @Test
    void metricsAndStatusAreScrapedWhileTheRecoveryRuns() throws Exception {
        cluster = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 8, 5))).start();
        PhaseMetrics metrics = new PhaseMetrics();
        List<String> scrapedDuringRecover = new CopyOnWriteArrayList<>();
        try (StatusServer server = StatusServer.start(new InetSocketAddress("127.0.0.1", 0), "recover", metrics)) {
            InetSocketAddress addr = server.address();
            // Scrape from inside the run: the first snapshot of the recover phase, before any store is done.
            java.util.function.Consumer<PhaseProgress> scrapeOnce = p -> {
                if (p.phase().equals("recover") && !p.finished() && scrapedDuringRecover.isEmpty()) {
                    try {
                        scrapedDuringRecover.add(get(addr, "/metrics"));
                        scrapedDuringRecover.add(get(addr, "/status"));
                    } catch (Exception e) {
                        scrapedDuringRecover.add("scrape failed: " + e);
                    }
                }
            };
            Outcome outcome = StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE)
                    // a hang bound, as recover's default --pd-timeout (nothing here stalls PD): at 5 s a loaded machine
                    // could exceed it on a JVM's first PD call (its first channel or HTTP client)
                    .pd(new PdClient(List.of(cluster.pdAddress()), null, Duration.ofSeconds(30)))
                    .channels(StoreChannels.netty(null)).resolvedTs(5)
                    .retry(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200)))
                    .timeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20)))
                    .progressInterval(Duration.ofMillis(50))
                    .progressListener(metrics.andThen(scrapeOnce))
                    .build().run();
            assertThat(outcome.ok()).as(outcome.verdict()).isTrue();

            assertThat(scrapedDuringRecover).hasSize(2);
            String during = scrapedDuringRecover.get(0);
            assertThat(during).contains("# TYPE phybr_phase_running gauge", "phybr_phase_running{phase=\"recover\"} 1.0",
                    "phybr_phase_running{phase=\"collect\"} 0.0", "phybr_phase_stores{phase=\"recover\"} 3.0",
                    "phybr_phase_stores_done{phase=\"collect\"} 3.0", "phybr_store_attempt{phase=\"recover\",store=\"1\"} 1.0");
            JsonNode status = JSON.readTree(scrapedDuringRecover.get(1));
            assertThat(status.path("command").asText()).isEqualTo("recover");
            assertThat(status.path("progress").path("phase").asText()).isEqualTo("recover");
            assertThat(status.path("progress").path("finished").asBoolean()).isFalse();

            String after = get(addr, "/metrics");
            assertThat(after).contains("phybr_phase_stores_done{phase=\"resolve\"} 3.0", "phybr_phase_running{phase=\"resolve\"} 0.0",
                    "phybr_phase_store_errors{phase=\"resolve\"} 0.0", "phybr_phase_retries{phase=\"collect\"} 0.0");
        }
    }

    @Test
    void aBadOrBusyStatusAddressFailsBeforeAnythingChanges() throws Exception {
        CliRun r = CliRun.of("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--expected-stores", "3", "--no-record",
                "--status-addr", "nowhere");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--status-addr nowhere: expected HOST:PORT");
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            r = CliRun.of("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--expected-stores", "3", "--no-record",
                    "--status-addr", "127.0.0.1:" + busy.getLocalPort());
            assertThat(r.code()).isEqualTo(5);
            assertThat(r.err()).contains("cannot listen on --status-addr 127.0.0.1:" + busy.getLocalPort());
        }
    }
}
