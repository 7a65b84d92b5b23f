package io.phybr.it;

import static org.awaitility.Awaitility.await;

import io.phybr.mock.Rehearsal;
import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.scenario.Scenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The real adviser jar, run as an operator would: {@code java -jar phybr-adviser.jar serve ...}. */
final class AdviserProcess implements Rehearsal.RunningAdviser {
    static final Path JAR = Path.of(System.getProperty("phybr.adviser.jar", "../phybr-adviser/target/phybr-adviser.jar"));

    private final Process process;
    private final Path output;
    private final Path portFile;
    private final int port;

    private AdviserProcess(Process process, Path output, Path portFile, int port) {
        this.process = process;
        this.output = output;
        this.portFile = portFile;
        this.port = port;
    }

    static Rehearsal.AdviserLauncher launcher(Path workDir) {
        return s -> start(s, workDir);
    }

    static AdviserProcess start(Scenario s, Path workDir) throws IOException {
        return start(s, workDir, new String[0]);
    }

    /** With {@code extra} flags after the scenario's (e.g. {@code --record DIR}). */
    static AdviserProcess start(Scenario s, Path workDir, String... extra) throws IOException {
        Path portFile = Files.createTempFile(workDir, s.name(), ".port");
        Files.delete(portFile);
        Path output = Files.createTempFile(workDir, s.name(), ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-jar", JAR.toString(), "serve",
                "--listen", "127.0.0.1:0",
                "--store-ids", s.stores().stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--collect-timeout", s.collectTimeout().toMillis() + "ms",
                "--close-timeout", s.closeTimeout().toMillis() + "ms",
                "--port-file", portFile.toString()));
        cmd.addAll(List.of(extra));
        Process p = RecoverProcess.isolated(new ProcessBuilder(cmd), workDir).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !p.isAlive() || Files.exists(portFile) && !Files.readString(portFile).isBlank());
        } catch (RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
        if (!p.isAlive() && !Files.exists(portFile)) {
            throw new IllegalStateException("the adviser exited with " + p.exitValue() + " before listening: "
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        int port = Integer.parseInt(Files.readString(portFile).strip());
        return new AdviserProcess(p, output, portFile, port);
    }

    @Override
    public String target() {
        return "127.0.0.1:" + port;
    }

    @Override
    public AdviserResult awaitOutcome(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the adviser process did not exit within " + timeout + ":\n" + log());
        }
        return new AdviserResult(process.exitValue(), log());
    }

    String log() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /** Whether the process still runs. */
    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, as a crash or an OOM killer would end it: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(portFile);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // temp files go with the temp dir
        }
    }
}
