package io.phybr.mock.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that forwards to one server and runs {@link NetFault}s at their points: between the
 * adviser and a store, the adviser and PD, or an agent and {@code serve}. Like MockWebServer, a small object you
 * script ({@link #inject}), run against, then inspect ({@link #connections}, {@link #bytes}, {@link #fired}).
 * Two threads per connection, blocking I/O; {@link #close} ends every connection (a stalled one too).
 */
public final class FaultProxy implements AutoCloseable {
    private static final AtomicInteger LIVE = new AtomicInteger();

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<NetFault> faults = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong upstream = new AtomicLong();
    private final AtomicLong downstream = new AtomicLong();
    private final AtomicInteger fired = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });

    private FaultProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** A proxy on an ephemeral loopback port forwarding to {@code hostPort}. */
    public static FaultProxy start(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        InetSocketAddress to = new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        FaultProxy p = new FaultProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), to);
        LIVE.incrementAndGet();
        p.threads.execute(p::acceptLoop);
        return p;
    }

    /** Proxies not yet closed (0 after every test: a leak fails it). */
    public static int live() {
        return LIVE.get();
    }

    /** Where to dial instead of the server: {@code 127.0.0.1:PORT}. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Adds a fault; it applies to the connections it names, from their next read on. */
    public FaultProxy inject(NetFault f) {
        faults.add(f);
        return this;
    }

    /** Removes every fault not yet struck; connections already stalled stay stalled. */
    public void clear() {
        faults.clear();
    }

    /** Connections accepted so far. */
    public int connections() {
        return accepted.get();
    }

    /** Bytes forwarded so far in {@code d}. */
    public long bytes(NetFault.Direction d) {
        return (d == NetFault.Direction.UPSTREAM ? upstream : downstream).get();
    }

    /** How many times a fault struck (a stall, a reset, a half close, the first slowed chunk of a connection). */
    public int fired() {
        return fired.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            int n = accepted.incrementAndGet();
            sockets.add(client);
            threads.execute(() -> connect(client, n));
        }
    }

    private void connect(Socket client, int n) {
        Socket up = new Socket();
        sockets.add(up);
        try {
            up.connect(target, 5_000);
        } catch (IOException e) {
            closeQuietly(client, up); // the server is down: the client sees its connection end
            return;
        }
        threads.execute(() -> pump(client, up, NetFault.Direction.UPSTREAM, n));
        pump(up, client, NetFault.Direction.DOWNSTREAM, n);
    }

    private NetFault faultFor(NetFault.Direction d, int n) {
        for (NetFault f : faults) {
            if (f.direction() == d && f.connections().contains(n)) {
                return f;
            }
        }
        return null;
    }

    private void pump(Socket from, Socket to, NetFault.Direction d, int n) {
        byte[] buf = new byte[8192];
        long seen = 0;
        boolean slowed = false;
        AtomicLong counter = d == NetFault.Direction.UPSTREAM ? upstream : downstream;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                NetFault f = faultFor(d, n);
                int max = buf.length;
                if (f != null && seen < f.afterBytes()) {
                    max = (int) Math.min(max, f.afterBytes() - seen);
                } else if (f instanceof NetFault.Stall) {
                    fired.incrementAndGet();
                    closed.await(); // silence in this direction until the proxy closes
                    return;
                } else if (f instanceof NetFault.Reset) {
                    fired.incrementAndGet();
                    reset(from, to);
                    return;
                } else if (f instanceof NetFault.HalfClose) {
                    fired.incrementAndGet();
                    to.shutdownOutput(); // a FIN this way; the other direction goes on
                    return;
                } else if (f instanceof NetFault.Slow s) {
                    if (!slowed) {
                        fired.incrementAndGet();
                        slowed = true;
                    }
                    max = Math.min(max, s.chunk());
                    LockSupport.parkNanos(s.every().toNanos()); // the fault is the pace itself
                }
                int r = in.read(buf, 0, max);
                if (r < 0) {
                    to.shutdownOutput(); // pass the peer's FIN on
                    return;
                }
                out.write(buf, 0, r);
                out.flush();
                seen += r;
                counter.addAndGet(r);
            }
        } catch (IOException e) {
            closeQuietly(from, to); // one side broke: so does the other, as through a real middlebox
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reset(Socket a, Socket b) {
        for (Socket s : new Socket[] {a, b}) {
            try {
                s.setSoLinger(true, 0); // close() then sends RST, not FIN
            } catch (IOException ignored) {
                // already gone
            }
        }
        closeQuietly(a, b);
    }

    private static void closeQuietly(Socket... ss) {
        for (Socket s : ss) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(FaultProxy::closeQuietly);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.decrementAndGet();
    }
}
