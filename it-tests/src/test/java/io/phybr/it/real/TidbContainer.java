package io.phybr.it.real;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/** TiDB on the network, for writing and reading the test data over MySQL's protocol. */
public final class TidbContainer extends GenericContainer<TidbContainer> {
    private final String image;
    public static final int SQL_PORT = 4000;
    public static final int STATUS_PORT = 10080;

    public TidbContainer(String image, Network network, String pdAddress) {
        super(DockerImageName.parse(image));
        this.image = image;
        withNetwork(network);
        withNetworkAliases("tidb");
        withExposedPorts(SQL_PORT, STATUS_PORT);
        withCommand(commandLine(pdAddress));
        waitingFor(Wait.forHttp("/status").forPort(STATUS_PORT).forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));
    }

    public static String[] commandLine(String pdAddress) {
        return new String[] {"--store=tikv", "--path=" + pdAddress, "--advertise-address=tidb"};
    }

    public String jdbcUrl() {
        return "jdbc:mysql://" + getHost() + ":" + getMappedPort(SQL_PORT) + "/?user=root&useSSL=false&allowPublicKeyRetrieval=true";
    }

    /** The image from docker/.env (GenericContainer's own getter resolves it, which needs a daemon). */
    public String image() {
        return image;
    }
}
