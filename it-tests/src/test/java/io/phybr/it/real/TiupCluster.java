package io.phybr.it.real;

import static org.awaitility.Awaitility.await;

import io.phybr.it.RecoverProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link RealCluster} as local processes from TiUP's cached binaries ({@link TiupBinaries}), laid out by
 * {@link TiupLayout}: loopback, free ports, one temp directory. Each process's output is appended to its log
 * file, so a store's log spans its restarts like a container's does.
 */
final class TiupCluster implements RealCluster {
    private static final Duration BOOT = Duration.ofMinutes(2);
    private static final Duration STOP = Duration.ofSeconds(60);
    private final TiupBinaries bin;
    private final TiupLayout layout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process pd;
    private final Process[] tikvs = new Process[STORES];
    private Process tidb;

    TiupCluster(TiupBinaries bin, Path base) {
        this.bin = bin;
        this.layout = new TiupLayout(base, STORES, TiupLayout.PortSource.free());
    }

    @Override
    public void start() throws Exception {
        Files.writeString(layout.tikvConfig(), TiupLayout.tikvConfigText());
        pd = launch("pd0", layout.pdCommand(bin.pd()));
        awaitHttp("pd0", "http://" + layout.pdAddress() + "/pd/api/v1/health");
        for (int i = 1; i <= STORES; i++) {
            startStore(i);
        }
        startSql();
    }

    private Process launch(String name, List<String> command) throws IOException {
        Path log = layout.log(name);
        Files.writeString(log, "==== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private void awaitHttp(String what, String url) {
        await(what + " answers " + url).atMost(BOOT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void stop(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy(); // SIGTERM: TiKV and PD shut down cleanly
        if (!p.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String pdHttpUrl() {
        return "http://" + layout.pdAddress();
    }

    @Override
    public String jdbcUrl() {
        return layout.jdbcUrl();
    }

    @Override
    public void stopStore(int i) throws InterruptedException {
        stop(tikvs[i - 1]);
    }

    @Override
    public void startStore(int i) throws IOException {
        tikvs[i - 1] = launch("tikv" + i, layout.tikvCommand(bin.tikv(), i));
        awaitHttp("tikv" + i, "http://" + TiupLayout.HOST + ":" + layout.tikvStatusPorts[i - 1] + "/status");
    }

    @Override
    public long recoveryModeBoots(int i) throws IOException {
        try (var lines = Files.lines(layout.log("tikv" + i), StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(TikvContainer.RECOVERY_MODE_LINE)).count();
        }
    }

    @Override
    public void stopSql() throws InterruptedException {
        stop(tidb);
    }

    @Override
    public void startSql() throws IOException {
        tidb = launch("tidb", layout.tidbCommand(bin.tidb()));
        awaitHttp("tidb", "http://" + TiupLayout.HOST + ":" + layout.tidbStatusPort + "/status");
    }

    @Override
    public AdviserRun recover(String... args) throws Exception {
        String[] full = new String[args.length + 3];
        full[0] = "recover";
        full[1] = "--pd";
        full[2] = layout.pdAddress();
        System.arraycopy(args, 0, full, 3, args.length);
        try (RecoverProcess p = RecoverProcess.start(layout.base.resolve("adviser"), full)) {
            int code = p.await(Duration.ofMinutes(15));
            return new AdviserRun(code, p.out() + p.err());
        }
    }

    @Override
    public String dumpLogs() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("pd0", "tikv1", "tikv2", "tikv3", "tidb")) {
            b.append("---- ").append(name).append(" (").append(layout.log(name)).append(")\n");
            try {
                String s = Files.readString(layout.log(name));
                b.append(s, Math.max(0, s.length() - 20_000), s.length()).append('\n');
            } catch (IOException e) {
                b.append("(unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        try {
            stop(tidb);
            for (Process t : tikvs) {
                stop(t);
            }
            stop(pd);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
