package io.phybr.adviser.stock;

import io.grpc.ManagedChannel;
import io.phybr.adviser.grpc.Channels;
import io.phybr.adviser.pd.PdStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** One gRPC channel per store for the whole recovery, opened on first use, all closed when it ends. */
final class StoreConnections implements AutoCloseable {
    private final StoreChannels factory;
    private final Map<Long, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** See {@link StoreChannels#addressProblem}. */
    String addressProblem(PdStore s) {
        return factory.addressProblem(s);
    }

    StoreConnections(StoreChannels factory) {
        this.factory = factory;
    }

    ManagedChannel channel(PdStore s) {
        return channels.computeIfAbsent(s.id(), id -> factory.open(s));
    }

    /**
     * The store restarted (R9): its channel drops the connection it has (to the old process, which may not have been
     * noticed dead yet) and opens a new one for the next call; calls in flight go on ({@link ManagedChannel#enterIdle}).
     */
    void forgetConnection(PdStore s) {
        ManagedChannel ch = channels.get(s.id());
        if (ch != null) {
            ch.enterIdle();
        }
    }

    @Override
    public void close() {
        Channels.closeAll(channels.values());
        channels.clear();
    }

    /** Daemon threads named {@code name-N}: a hung store call never keeps the JVM alive. */
    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
