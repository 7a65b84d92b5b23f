package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The adviser against real PD and TiKV containers (tags from docker/.env). Skipped, visibly, where no Docker
 * daemon exists ({@code disabledWithoutDocker}): the report lists it as skipped, never passed.
 *
 * <p>Procedure: PD + 3 TiKV come up; the TiKVs are stopped; PD is marked snapshot-recovering; the TiKVs start
 * again (recovery mode); the adviser jar runs in a JRE container on the same network; afterwards the marker is
 * gone, PD's scheduling is back, and after a normal restart every region has a leader.
 */
@Testcontainers(disabledWithoutDocker = true)
class RealClusterIT {
    private static final ClusterImages IMAGES = ClusterImages.load();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Network network;
    private static GenericContainer<?> pd;
    private static final List<GenericContainer<?>> tikvs = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startCluster() {
        network = Network.newNetwork();
        pd = new GenericContainer<>(DockerImageName.parse(IMAGES.pd)).withNetwork(network).withNetworkAliases("pd0")
                .withExposedPorts(2379)
                .withCommand("--name=pd0", "--data-dir=/data/pd0", "--client-urls=http://0.0.0.0:2379",
                        "--advertise-client-urls=http://pd0:2379", "--peer-urls=http://0.0.0.0:2380",
                        "--advertise-peer-urls=http://pd0:2380", "--initial-cluster=pd0=http://pd0:2380")
                .waitingFor(Wait.forHttp("/pd/api/v1/version").forPort(2379).withStartupTimeout(Duration.ofMinutes(2)));
        pd.start();
        for (int i = 1; i <= 3; i++) {
            GenericContainer<?> t = new GenericContainer<>(DockerImageName.parse(IMAGES.tikv)).withNetwork(network)
                    .withNetworkAliases("tikv" + i)
                    .withCommand("--addr=0.0.0.0:20160", "--advertise-addr=tikv" + i + ":20160",
                            "--status-addr=0.0.0.0:20180", "--advertise-status-addr=tikv" + i + ":20180",
                            "--data-dir=/data/tikv" + i, "--pd=pd0:2379")
                    .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(2)))
                    .withExposedPorts(20160);
            t.start();
            tikvs.add(t);
        }
    }

    @AfterAll
    static void stopCluster() {
        tikvs.forEach(GenericContainer::stop);
        if (pd != null) {
            pd.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    private String pdUrl(String path) {
        return "http://" + pd.getHost() + ":" + pd.getMappedPort(2379) + path;
    }

    private JsonNode get(String path) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(pdUrl(path))).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private int send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pdUrl(path))).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private boolean allStoresUpAndRegionsLed() throws Exception {
        JsonNode stores = get("/pd/api/v1/stores");
        long up = 0;
        for (JsonNode s : stores.path("stores")) {
            if ("Up".equals(s.path("store").path("state_name").asText())) {
                up++;
            }
        }
        JsonNode regions = get("/pd/api/v1/regions");
        boolean led = regions.path("count").asInt() > 0;
        for (JsonNode r : regions.path("regions")) {
            led &= r.path("leader").path("store_id").asLong() != 0;
        }
        return up == 3 && led;
    }

    @Test
    void recoversARealClusterStartedInRecoveryMode() throws Exception {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(this::allStoresUpAndRegionsLed);
        JsonNode scheduleBefore = get("/pd/api/v1/config").path("schedule");
        JsonNode schedulersBefore = get("/pd/api/v1/schedulers");

        for (GenericContainer<?> t : tikvs) {
            t.getDockerClient().stopContainerCmd(t.getContainerId()).exec();
        }
        assertThat(send("POST", "/pd/api/v1/admin/cluster/markers/snapshot-recovering")).isEqualTo(200);
        for (GenericContainer<?> t : tikvs) {
            t.getDockerClient().startContainerCmd(t.getContainerId()).exec();
        }

        long resolvedTs = System.currentTimeMillis() << 18; // a TSO of now: nothing is newer
        try (GenericContainer<?> adviser = new GenericContainer<>(DockerImageName.parse(IMAGES.jre)).withNetwork(network)
                .withCopyFileToContainer(MountableFile.forHostPath(RecoverProcess.jar()), "/phybr-adviser.jar")
                .withCommand("java", "-jar", "/phybr-adviser.jar", "recover", "--pd", "pd0:2379",
                        "--resolved-ts", Long.toString(resolvedTs), "--collect-timeout", "5m")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(10)))) {
            adviser.start();
            assertThat(adviser.getLogs()).contains("phybr recover: recovered 3 stores");
            assertThat(adviser.getCurrentContainerInfo().getState().getExitCodeLong()).isZero();
        }

        assertThat(get("/pd/api/v1/admin/cluster/markers/snapshot-recovering").path("marked").asBoolean()).isFalse();
        assertThat(get("/pd/api/v1/config").path("schedule")).isEqualTo(scheduleBefore);
        assertThat(get("/pd/api/v1/schedulers")).containsExactlyInAnyOrderElementsOf(schedulersBefore);
        for (GenericContainer<?> t : tikvs) {
            t.getDockerClient().restartContainerCmd(t.getContainerId()).exec();
        }
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(this::allStoresUpAndRegionsLed);
    }
}
