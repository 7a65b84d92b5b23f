package io.phybr.it.real;

import io.phybr.it.RecoverProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/** {@link RealCluster} as containers: images from docker/.env, one network, the adviser jar in a JRE container. */
final class DockerCluster implements RealCluster {
    private static final Pattern EXIT = Pattern.compile("phybr-exit=(\\d+)");
    private final ClusterImages images;
    private final Network network = Network.newNetwork();
    private final PdContainer pd;
    private final List<TikvContainer> tikvs = new ArrayList<>();
    private TidbContainer tidb;

    DockerCluster(ClusterImages images) {
        this.images = images;
        this.pd = new PdContainer(images.pd, network);
        for (int i = 1; i <= STORES; i++) {
            tikvs.add(new TikvContainer(images.tikv, network, i, pd.internalAddress()));
        }
    }

    @Override
    public void start() {
        pd.start();
        tikvs.forEach(GenericContainer::start);
        startSql();
    }

    @Override
    public String pdHttpUrl() {
        return pd.httpUrl();
    }

    @Override
    public String jdbcUrl() {
        return tidb.jdbcUrl();
    }

    @Override
    public void stopStore(int i) {
        tikvs.get(i - 1).stopKeepingData();
    }

    @Override
    public void startStore(int i) {
        tikvs.get(i - 1).startAgain();
    }

    @Override
    public long recoveryModeBoots(int i) {
        return tikvs.get(i - 1).recoveryModeBoots();
    }

    @Override
    public void stopSql() {
        tidb.stop(); // a new container later: its mapped port would change on a restart anyway
    }

    @Override
    public void startSql() {
        tidb = new TidbContainer(images.tidb, network, pd.internalAddress());
        tidb.start();
    }

    @Override
    public AdviserRun recover(String... args) {
        // sh prints the exit code: a one-shot container that exits non-zero would fail start() and lose it.
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "java -jar /phybr-adviser.jar \"$@\"; echo phybr-exit=$?",
                "sh", "recover", "--pd", pd.internalAddress()));
        cmd.addAll(List.of(args));
        try (GenericContainer<?> adviser = new GenericContainer<>(DockerImageName.parse(images.jre)).withNetwork(network)
                .withCopyFileToContainer(MountableFile.forHostPath(RecoverProcess.jar()), "/phybr-adviser.jar")
                .withCommand(cmd.toArray(String[]::new))
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(15)))) {
            adviser.start();
            String logs = adviser.getLogs();
            Matcher m = EXIT.matcher(logs);
            return new AdviserRun(m.find() ? Integer.parseInt(m.group(1)) : -1, logs);
        }
    }

    @Override
    public String dumpLogs() {
        StringBuilder b = new StringBuilder();
        append(b, "pd0", pd);
        tikvs.forEach(t -> append(b, TikvContainer.alias(t.index()), t));
        if (tidb != null) {
            append(b, "tidb", tidb);
        }
        return b.toString();
    }

    private static void append(StringBuilder b, String name, GenericContainer<?> c) {
        b.append("---- ").append(name).append(" (").append(c.getDockerImageName()).append(")\n");
        try {
            String logs = c.getLogs();
            b.append(logs, Math.max(0, logs.length() - 20_000), logs.length()).append('\n');
        } catch (RuntimeException e) {
            b.append("(no logs: ").append(e.getMessage()).append(")\n");
        }
    }

    @Override
    public void close() {
        if (tidb != null) {
            tidb.stop();
        }
        tikvs.forEach(GenericContainer::stop);
        pd.stop();
        network.close();
    }
}
