package io.phybr.it.real;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * One PD ({@code pd0}, as in docker/compose.yaml) on a Testcontainers network. Logs to stderr (no
 * {@code --log-file}) so {@link #getLogs()} has them. Ready once {@code /pd/api/v1/health} answers 200 —
 * which PD does only once it serves its API; the marker API needs that.
 */
public final class PdContainer extends GenericContainer<PdContainer> {
    private final String image;
    public static final int CLIENT_PORT = 2379;
    public static final int PEER_PORT = 2380;
    public static final String ALIAS = "pd0";

    public PdContainer(String image, Network network) {
        super(DockerImageName.parse(image));
        this.image = image;
        withNetwork(network);
        withNetworkAliases(ALIAS);
        withExposedPorts(CLIENT_PORT);
        withCommand(commandLine());
        waitingFor(Wait.forHttp("/pd/api/v1/health").forPort(CLIENT_PORT).forStatusCode(200)
                .withStartupTimeout(Duration.ofMinutes(2)));
    }

    /** PD's arguments; the same as compose.yaml's pd0 (DockerFilesTest compares them). */
    public static String[] commandLine() {
        return new String[] {"--name=" + ALIAS, "--data-dir=/data/" + ALIAS,
            "--client-urls=http://0.0.0.0:" + CLIENT_PORT, "--advertise-client-urls=http://" + ALIAS + ":" + CLIENT_PORT,
            "--peer-urls=http://0.0.0.0:" + PEER_PORT, "--advertise-peer-urls=http://" + ALIAS + ":" + PEER_PORT,
            "--initial-cluster=" + ALIAS + "=http://" + ALIAS + ":" + PEER_PORT};
    }

    /** PD's address inside the network (what TiKV, TiDB and the adviser container use). */
    public String internalAddress() {
        return ALIAS + ":" + CLIENT_PORT;
    }

    /** PD's HTTP base URL from the test JVM. */
    public String httpUrl() {
        return "http://" + getHost() + ":" + getMappedPort(CLIENT_PORT);
    }

    /** The image from docker/.env (GenericContainer's own getter resolves it, which needs a daemon). */
    public String image() {
        return image;
    }
}
