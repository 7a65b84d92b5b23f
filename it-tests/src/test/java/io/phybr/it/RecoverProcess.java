package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real adviser jar for `recover` ({@code phybr.adviser.jar}) run as a separate process, its output captured to files. */
public final class RecoverProcess implements AutoCloseable {
    final Process process;
    final Path stdout;
    final Path stderr;
    private final List<String> command;

    private RecoverProcess(Process p, Path out, Path err, List<String> command) {
        this.process = p;
        this.stdout = out;
        this.stderr = err;
        this.command = command;
    }

    public static Path jar() {
        String jar = System.getProperty("phybr.adviser.jar");
        assertThat(jar).as("system property phybr.adviser.jar (set by the it-tests pom)").isNotNull();
        Path p = Path.of(jar);
        assertThat(p).as("the adviser jar; build with mvn verify").exists();
        return p;
    }

    public static RecoverProcess start(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        Files.createDirectories(dir);
        Path out = Files.createTempFile(dir, "adviser", ".out");
        Path err = Files.createTempFile(dir, "adviser", ".err");
        Process p = isolated(new ProcessBuilder(cmd), dir).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new RecoverProcess(p, out, err, cmd);
    }

    /**
     * The process records its runs under the test's own directory ({@code PHYBR_RUNS_DIR}), not the shared
     * {@code ./phybr-runs}: a recover looks there for other live or unfinished runs (and refuses or inherits them),
     * so tests in parallel JVMs must never see each other's runs.
     */
    static ProcessBuilder isolated(ProcessBuilder pb, Path dir) {
        pb.environment().put("PHYBR_RUNS_DIR", dir.resolve("phybr-runs").toString());
        return pb;
    }

    /** Waits for the exit code; a hang fails the test (and kills the process). */
    public int await(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("adviser did not exit within " + timeout + ": " + command + "\nstderr:\n" + err());
        }
        return process.exitValue();
    }

    public String out() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    public String err() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // Into the test report, for whoever reads a failure.
        try {
            System.out.println("---- adviser " + String.join(" ", command.subList(5, command.size())));
            System.out.println(err());
            System.out.println(out());
        } catch (IOException e) {
            System.out.println("(adviser output unreadable: " + e + ")");
        }
    }
}
