package io.phybr.it.real;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * TiKV store {@code tikvN} (as in docker/compose.yaml) on a Testcontainers network. Logs to stderr so
 * {@link #getLogs()} shows whether it entered snapshot recovery mode. Ready when its status port answers
 * {@code /status}. {@link #stopKeepingData()} / {@link #startAgain()} stop and start the same container (its data
 * dir survives); {@code stop()} would remove it.
 */
public final class TikvContainer extends GenericContainer<TikvContainer> {
    private final String image;
    public static final int PORT = 20160;
    public static final int STATUS_PORT = 20180;
    /** What TiKV logs when it boots in snapshot recovery mode (tikv components/server/src/server.rs, v7.5.1). */
    public static final String RECOVERY_MODE_LINE = "TiKV running in Snapshot Recovery Mode";

    private final int index;

    public TikvContainer(String image, Network network, int index, String pdAddress) {
        super(DockerImageName.parse(image));
        this.image = image;
        this.index = index;
        withNetwork(network);
        withNetworkAliases(alias(index));
        withExposedPorts(PORT, STATUS_PORT);
        withCommand(commandLine(index, pdAddress));
        waitingFor(Wait.forHttp("/status").forPort(STATUS_PORT).forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
    }

    public static String alias(int index) {
        return "tikv" + index;
    }

    /** TiKV's arguments; the same as compose.yaml's tikvN (DockerFilesTest compares them). */
    public static String[] commandLine(int index, String pdAddress) {
        String a = alias(index);
        return new String[] {"--addr=0.0.0.0:" + PORT, "--advertise-addr=" + a + ":" + PORT,
            "--status-addr=0.0.0.0:" + STATUS_PORT, "--advertise-status-addr=" + a + ":" + STATUS_PORT,
            "--data-dir=/data/" + a, "--pd=" + pdAddress};
    }

    public int index() {
        return index;
    }

    /** Stops the process, keeping the container and its data (like a crashed or powered-off node). */
    public void stopKeepingData() {
        getDockerClient().stopContainerCmd(getContainerId()).withTimeout(30).exec();
    }

    /** Starts the stopped container again; TiKV asks PD at boot whether to enter recovery mode. */
    public void startAgain() {
        getDockerClient().startContainerCmd(getContainerId()).exec();
    }

    /** How many times this container's TiKV has booted in recovery mode (its logs span every start). */
    public long recoveryModeBoots() {
        return getLogs().lines().filter(l -> l.contains(RECOVERY_MODE_LINE)).count();
    }

    /** The image from docker/.env (GenericContainer's own getter resolves it, which needs a daemon). */
    public String image() {
        return image;
    }
}
