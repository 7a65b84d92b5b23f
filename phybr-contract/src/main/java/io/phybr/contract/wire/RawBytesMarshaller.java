package io.phybr.contract.wire;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * grpc-java's marshaller for messages already encoded as protobuf bytes: the adviser's seed commands
 * ({@code RawCommands}) and mock-tikv's pre-encoded metas ({@code MetaBytes}) go to the framer as they are. The stream
 * is of known length, so grpc-java writes the message into one frame buffer instead of a chain of 4 KiB ones, and
 * drainable, so the array is copied once. Parsing reads a message's bytes as they are.
 */
public final class RawBytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    public static final RawBytesMarshaller INSTANCE = new RawBytesMarshaller();

    private RawBytesMarshaller() {
    }

    @Override
    public InputStream stream(byte[] value) {
        return new Bytes(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read a message's bytes: " + e.getMessage(), e);
        }
    }

    private static final class Bytes extends ByteArrayInputStream implements KnownLength, Drainable {
        Bytes(byte[] b) {
            super(b);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }
}
