package io.phybr.mock.net;

import java.time.Duration;

/**
 * A network fault, as data, at a named point of a proxied TCP connection: which direction, after how many bytes of
 * it, on which connections. {@link FaultProxy} runs them; each variant is one thing a real network does to a call.
 */
public sealed interface NetFault {
    /** Which way the bytes flow through the proxy. */
    enum Direction {
        /** From the client that dialled the proxy to the server behind it (requests, an agent's reports). */
        UPSTREAM,
        /** From the server back to the client (answers, a store's metas). */
        DOWNSTREAM
    }

    /** Where on a connection the fault strikes: after {@code afterBytes} bytes in {@code direction}. */
    Direction direction();

    long afterBytes();

    /** The connections (numbered from 1 as they are accepted) it applies to: {@code from} on, {@code count} of them. */
    Connections connections();

    /** Connections {@code from} (1-based) on, at most {@code count} of them ({@link Integer#MAX_VALUE}: all). */
    record Connections(int from, int count) {
        public static final Connections ALL = new Connections(1, Integer.MAX_VALUE);

        public static Connections only(int n) {
            return new Connections(n, 1);
        }

        public boolean contains(int n) {
            return n >= from && n - from < count;
        }
    }

    /**
     * Black hole: the bytes stop, the connection stays open and silent — a peer cut off by a partition, a hung
     * process, a store behind a dead switch for longer than any keepalive (tikv#13955).
     */
    record Stall(Direction direction, long afterBytes, Connections connections) implements NetFault {
    }

    /** TCP reset: both sides see the connection torn down (RST, not FIN), as when a peer's host reboots. */
    record Reset(Direction direction, long afterBytes, Connections connections) implements NetFault {
    }

    /**
     * Slow bytes: after the point, {@code chunk} bytes every {@code every} — a slow-loris client, a congested
     * link. Everything still arrives, in order.
     */
    record Slow(Direction direction, long afterBytes, Connections connections, int chunk, Duration every)
            implements NetFault {
        public Slow {
            if (chunk <= 0 || every.isNegative()) {
                throw new IllegalArgumentException("slow bytes need a positive chunk and a non-negative pause");
            }
        }
    }

    /**
     * Half close: after the point this direction ends with a FIN while the other keeps flowing — a client that
     * shut its output down, a proxy that dropped one half of the connection.
     */
    record HalfClose(Direction direction, long afterBytes, Connections connections) implements NetFault {
    }
}
