package io.phybr.adviser.protocol.seed;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 counterpart of grpc's GrpcCleanupRule: register every server, channel and adviser a test
 * creates; after the test they are closed in reverse order, and the test FAILS if any of them does
 * not terminate, or if an adviser thread is still alive afterwards (an adviser built but never
 * registered or closed).
 */
public final class GrpcCleanup implements AfterEachCallback {
    private static final long TIMEOUT_SECONDS = 10;
    private final Deque<Object> resources = new ArrayDeque<>();

    public synchronized <T extends ManagedChannel> T register(T channel) {
        resources.push(channel);
        return channel;
    }

    public synchronized <T extends Server> T register(T server) {
        resources.push(server);
        return server;
    }

    public synchronized SeedAdviser register(SeedAdviser adviser) {
        resources.push(adviser);
        return adviser;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<String> leaks = new ArrayList<>();
        List<Object> all;
        synchronized (this) {
            all = new ArrayList<>(resources);
            resources.clear();
        }
        for (Object r : all) {
            if (r instanceof ManagedChannel ch) {
                ch.shutdownNow();
                if (!ch.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    leaks.add("channel " + ch + " did not terminate");
                }
            } else if (r instanceof Server s) {
                s.shutdownNow();
                if (!s.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    leaks.add("server " + s + " did not terminate");
                }
            } else if (r instanceof SeedAdviser a) {
                a.close();
                if (!a.isTerminated()) {
                    leaks.add("adviser " + a + " did not terminate");
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            List<String> alive = adviserThreads();
            if (alive.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                leaks.add("adviser threads still alive (an adviser was not closed): " + alive);
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("resources left open by " + context.getDisplayName() + ": " + leaks);
        }
    }

    static List<String> adviserThreads() {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("phybr-seed-adviser")) {
                out.add(t.getName());
            }
        }
        return out;
    }
}
