package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.adviser.protocol.seed.GrpcCleanup;
import io.phybr.adviser.protocol.seed.Layout;
import io.phybr.contract.ExitCode;
import io.phybr.mock.agent.StoreClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --status-addr --progress-file}: the seed protocol's collect and close, scraped while it runs. */
class ServeMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private String get(int port, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
        } catch (Exception e) {
            return "unreachable: " + e;
        }
    }

    @Test
    void collectAndCloseAreScrapedWhileServeRuns() throws Exception {
        int statusPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            statusPort = s.getLocalPort(); // free now; serve binds it next (a clash fails serve with exit 5, loudly)
        }
        Path portFile = dir.resolve("port");
        Path progressFile = dir.resolve("progress.json");
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread t = new Thread(() -> exit.complete(PhybrMain.commandLine().setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute("serve", "--listen", "127.0.0.1:0", "--store-ids", "1,2",
                        "--port-file", portFile.toString(), "--no-record", "--collect-timeout", "1m", "--close-timeout", "1m",
                        "--status-addr", "127.0.0.1:" + statusPort, "--progress-file", progressFile.toString(),
                        "--progress-bar", "never")), "phybr-serve-metrics-test");
        t.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile));
        int port = Integer.parseInt(Files.readString(portFile).trim());
        ManagedChannel ch = cleanup.register(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
        Layout layout = Layout.random(9, 2, 40);

        // store 1 reports; store 2 has not connected yet
        StoreClient one = StoreClient.report(ch, 1L, layout.of(1));
        long metasOfOne = layout.of(1).size();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(statusPort, "/metrics")).contains(
                "phybr_phase_running{phase=\"collect\"} 1.0", "phybr_phase_stores{phase=\"collect\"} 2.0",
                "phybr_phase_stores_done{phase=\"collect\"} 1.0",
                "phybr_phase_items{phase=\"collect\",unit=\"region metas\"} " + metasOfOne + ".0",
                "phybr_store_items{phase=\"collect\",store=\"1\"} " + metasOfOne + ".0",
                "phybr_store_retries_total{phase=\"collect\"} 0.0"));
        JsonNode status = JSON.readTree(get(statusPort, "/status"));
        assertThat(status.path("command").asText()).isEqualTo("serve");
        assertThat(status.path("progress").path("phase").asText()).isEqualTo("collect");
        assertThat(status.path("progress").path("stores_done").asInt()).isEqualTo(1);

        StoreClient two = StoreClient.report(ch, 2L, layout.of(2));
        one.allCommands().get(30, TimeUnit.SECONDS);
        two.allCommands().get(30, TimeUnit.SECONDS);
        List<CompletableFuture<io.phybr.proto.seed.CloseReply>> closes = new ArrayList<>();
        closes.add(StoreClient.close(ch, 1L, true));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(statusPort, "/metrics")).contains(
                "phybr_phase_running{phase=\"collect\"} 0.0", "phybr_phase_stores_done{phase=\"collect\"} 2.0",
                "phybr_phase_running{phase=\"close\"} 1.0", "phybr_phase_stores_done{phase=\"close\"} 1.0"));
        closes.add(StoreClient.close(ch, 2L, true));
        for (var c : closes) {
            assertThat(c.get(30, TimeUnit.SECONDS).getOk()).isEqualTo("ok");
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).as(err.toString()).isEqualTo(ExitCode.OK.code());

        JsonNode last = JSON.readTree(Files.readString(progressFile));
        assertThat(last.path("phase").asText()).isEqualTo("close");
        assertThat(last.path("finished").asBoolean()).isTrue();
        assertThat(last.path("stores_done").asInt()).isEqualTo(2);
        assertThat(get(statusPort, "/metrics")).as("the status server is closed with the command").startsWith("unreachable");
        assertThat(out.toString()).as("--progress-bar never: no bar on stdout").doesNotContain("[#");
    }
}
