package io.phybr.adviser.collect;

import io.grpc.KnownLength;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * One received message's bytes, as {@link RawMetas} read them off the transport: the buffer is the
 * reading thread's own and is reused for its next message, so a consumer must take what it needs
 * before returning from {@code onNext} (gRPC parses a message and hands it to the observer in one
 * step on one thread, for server and client calls alike). No object is made per message.
 */
public final class MetaFrame {
    private byte[] buf = new byte[512];
    private int length;
    /** The size the transport announced, when it was over the limit (nothing was read then); else -1. */
    private long oversize = -1;
    /** Why the bytes could not be read, or null. */
    private String unreadable;

    /** A frame holding a copy of {@code bytes} (tests and benchmarks). */
    public static MetaFrame of(byte[] bytes) {
        MetaFrame f = new MetaFrame();
        f.reset();
        f.room(bytes.length);
        System.arraycopy(bytes, 0, f.buf, 0, bytes.length);
        f.length = bytes.length;
        return f;
    }

    void reset() {
        length = 0;
        oversize = -1;
        unreadable = null;
    }

    void room(int more) {
        if (buf.length - length < more) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }

    byte[] buffer() {
        return buf;
    }

    void filled(int n) {
        length += n;
    }

    void oversize(long size) {
        oversize = size;
    }

    void unreadable(String why) {
        unreadable = why;
    }

    /** The message bytes are {@code bytes()[0, length())}. */
    public byte[] bytes() {
        return buf;
    }

    public int length() {
        return length;
    }

    /** The message's size when it was refused for its size without being read, else -1. */
    public long oversize() {
        return oversize;
    }

    /** Why the transport's stream could not be read, or null. */
    public String unreadable() {
        return unreadable;
    }

    /** The bytes as a stream of known length, for protobuf's general parser (gRPC's own parse path). */
    public InputStream stream() {
        return new Bytes(buf, 0, length);
    }

    private static final class Bytes extends ByteArrayInputStream implements KnownLength {
        Bytes(byte[] b, int off, int len) {
            super(b, off, len);
        }
    }
}
