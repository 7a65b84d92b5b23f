package io.phybr.adviser.collect;

import io.grpc.MethodDescriptor;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Checks the assumption the collection fast path rests on: {@link RawMetas} reads every message into the
 * reading thread's one reused {@link MetaFrame}, which is only safe while gRPC parses a message and hands it to
 * the observer in one step, on the same thread, before it parses the next one on that thread. This marshaller
 * wraps the production {@link RawMetas}; the observer reports each frame it is given with {@link #delivered}.
 * A violation is recorded, never thrown (a throw inside gRPC's callbacks would only cancel the call):
 * <ul>
 * <li>a thread parses a message while the frame it parsed last has not been delivered yet (interleaving: the
 * next parse overwrites a frame still waiting for its observer);</li>
 * <li>a frame is delivered on a thread whose own last parse it is not (parse and delivery on different threads);</li>
 * <li>the delivered bytes are not the message sent in that position (the buffer was overwritten in between).</li>
 * </ul>
 */
public final class FrameDeliveryCheck implements MethodDescriptor.Marshaller<MetaFrame> {
    private final RawMetas real;
    private final ThreadLocal<MetaFrame> parsedNotDelivered = new ThreadLocal<>();
    private final List<byte[]> sent;
    private final List<String> violations = new ArrayList<>();
    private int delivered;
    private int parses;

    /** @param sent the messages the sender sends, in order (the check compares what each delivery holds) */
    public FrameDeliveryCheck(long maxBytes, List<byte[]> sent) {
        this.real = new RawMetas(maxBytes);
        this.sent = sent;
    }

    @Override
    public InputStream stream(MetaFrame value) {
        return real.stream(value);
    }

    @Override
    public MetaFrame parse(InputStream in) {
        synchronized (this) {
            parses++;
            if (parsedNotDelivered.get() != null) {
                violation("thread " + Thread.currentThread().getName() + " parsed message " + parses
                        + " before the frame it parsed last was delivered");
            }
        }
        MetaFrame f = real.parse(in);
        parsedNotDelivered.set(f);
        return f;
    }

    /** Called by the observer's {@code onNext} with the frame it was given, before it looks at the bytes. */
    public synchronized void delivered(MetaFrame frame) {
        int k = delivered++;
        MetaFrame own = parsedNotDelivered.get();
        parsedNotDelivered.remove();
        if (own != frame) {
            violation("message " + (k + 1) + " was delivered on thread " + Thread.currentThread().getName()
                    + ", which did not parse it (or parsed another one since)");
        }
        byte[] want = k < sent.size() ? sent.get(k) : null;
        if (want == null || !Arrays.equals(frame.bytes(), 0, frame.length(), want, 0, want.length)) {
            violation("message " + (k + 1) + " was delivered with other bytes than were sent in its place");
        }
    }

    private void violation(String what) {
        if (violations.size() < 10) {
            violations.add(what);
        }
    }

    public synchronized List<String> violations() {
        return new ArrayList<>(violations);
    }

    public synchronized int deliveredCount() {
        return delivered;
    }

    /**
     * Messages of every size from empty to several transport frames long, seeded, each unlike its neighbours: many
     * small ones arrive in one read (where a transport could parse ahead), big ones span several.
     */
    public static List<byte[]> messages(long seed, int count) {
        Random rnd = new Random(seed);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size = rnd.nextInt(50) == 0 ? 20_000 + rnd.nextInt(60_000) : rnd.nextInt(200);
            byte[] b = new byte[size];
            rnd.nextBytes(b);
            out.add(b);
        }
        return out;
    }
}
