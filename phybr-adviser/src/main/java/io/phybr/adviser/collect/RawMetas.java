package io.phybr.adviser.collect;

import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;

/**
 * A gRPC marshaller that decodes nothing: it copies each message's bytes into the reading thread's
 * {@link MetaFrame} (reused, so no object per message) for the stream's {@link MetaFields} to decode
 * straight into the replica table. A message over {@code maxBytes} is not read at all, only its
 * size noted; a read failure is noted too; the consumer turns either into its diagnosis. Sending
 * (tests and benchmarks only) writes the frame's bytes as they are.
 */
public final class RawMetas implements MethodDescriptor.Marshaller<MetaFrame> {
    private final ThreadLocal<MetaFrame> frames = ThreadLocal.withInitial(MetaFrame::new);
    private final long maxBytes;

    /** @param maxBytes the largest message read; larger ones are reported by size only */
    public RawMetas(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public InputStream stream(MetaFrame value) {
        return value.stream();
    }

    @Override
    public MetaFrame parse(InputStream in) {
        MetaFrame f = frames.get();
        f.reset();
        try {
            int size = in.available(); // gRPC's message streams know their whole length
            if (size > maxBytes) {
                f.oversize(size);
                return f;
            }
            f.room(Math.max(size, 64));
            while (true) {
                byte[] b = f.buffer();
                int n = in.read(b, f.length(), b.length - f.length());
                if (n < 0) {
                    break;
                }
                f.filled(n);
                if (f.length() > maxBytes) {
                    f.oversize(f.length());
                    return f;
                }
                if (f.length() == b.length) {
                    f.room(b.length);
                }
            }
        } catch (IOException e) {
            f.unreadable(String.valueOf(e.getMessage()));
        }
        return f;
    }
}
