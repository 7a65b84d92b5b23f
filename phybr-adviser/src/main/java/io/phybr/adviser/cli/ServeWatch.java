package io.phybr.adviser.cli;

import io.phybr.adviser.progress.PhaseProgress;
import io.phybr.adviser.progress.ProgressFile;
import io.phybr.adviser.progress.TerminalBar;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.adviser.status.PhaseMetrics;
import io.phybr.adviser.status.StatusServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * What watches a running {@code serve}: the progress bar, {@code --progress-file} and {@code --status-addr} (metrics
 * and status JSON), all fed from one poll of the adviser per second ({@link SeedAdviser#progress}). Opened before the
 * adviser starts, so that a status address that cannot be bound or a progress file that cannot be written fails the
 * command before any agent is answered; closed after the outcome, with a last snapshot.
 */
final class ServeWatch implements AutoCloseable {
    private final Consumer<PhaseProgress> sink;
    private final TerminalBar bar;
    private final StatusServer server;
    private ScheduledExecutorService poller;

    private ServeWatch(Consumer<PhaseProgress> sink, TerminalBar bar, StatusServer server) {
        this.sink = sink;
        this.bar = bar;
        this.server = server;
    }

    static ServeWatch open(ProgressOptions progress, StatusOptions status, PrintWriter out) throws IOException {
        Consumer<PhaseProgress> sink = p -> { };
        TerminalBar bar = progress.bar(out);
        if (bar != null) {
            sink = sink.andThen(bar);
        }
        InetSocketAddress addr = status.socketAddress();
        ProgressFile file;
        try {
            file = progress.open("serve");
        } catch (IOException e) {
            throw new IOException("cannot write the progress file " + progress.file + ": " + e.getMessage(), e);
        }
        if (file != null) {
            sink = sink.andThen(file);
        }
        StatusServer server = null;
        if (addr != null) {
            PhaseMetrics metrics = new PhaseMetrics();
            try {
                server = StatusServer.start(addr, "serve", metrics);
            } catch (IOException e) {
                throw new IOException("cannot listen on --status-addr " + status.address + ": " + e.getMessage(), e);
            }
            LoggerFactory.getLogger("phybr.serve").atInfo()
                    .addKeyValue("status_addr", server.address().getHostString() + ":" + server.address().getPort())
                    .log("status: serving http://{}:{}/metrics and /status", server.address().getHostString(),
                            server.address().getPort());
            sink = sink.andThen(metrics);
        }
        return new ServeWatch(sink, bar, server);
    }

    /** Polls {@code adviser} every second from now on. */
    synchronized void watch(SeedAdviser adviser) {
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "phybr-serve-progress");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleAtFixedRate(() -> adviser.progress(false).forEach(sink), 0, 1, TimeUnit.SECONDS);
    }

    /** The last snapshot, once the outcome is known. */
    void finish(SeedAdviser adviser) {
        stopPolling();
        adviser.progress(true).forEach(sink);
    }

    private synchronized void stopPolling() {
        if (poller != null) {
            poller.shutdownNow();
            try {
                poller.awaitTermination(5, TimeUnit.SECONDS); // a poll is a few field reads under the session lock
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            poller = null;
        }
    }

    @Override
    public void close() {
        stopPolling();
        if (bar != null) {
            bar.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
