package io.phybr.bench;

import com.google.protobuf.CodedOutputStream;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.phybr.adviser.plan.ReplicaTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * One store's report, pre-serialized: every RegionMeta of the store (seed's {@code phybr.RegionMeta} or stock's
 * {@code recover_data.RegionMeta}, exactly the bytes protobuf writes) laid end to end in one array. A sender that
 * streams these slices does no protobuf work at all, so a benchmark pairing it with the real adviser measures the
 * adviser's side (plus gRPC's framing), and a sink that skips them measures gRPC alone.
 */
final class WireBytes {
    final byte[] bytes;
    /** Message k is {@code bytes[offsets[k], offsets[k+1])}. */
    final int[] offsets;

    private WireBytes(byte[] bytes, int[] offsets) {
        this.bytes = bytes;
        this.offsets = offsets;
    }

    int count() {
        return offsets.length - 1;
    }

    /** The rows of {@code store} in {@code table}, as the seed's agent or stock TiKV would send them. */
    static WireBytes of(ReplicaTable table, long store, boolean stock) throws IOException {
        int n = 0;
        for (int i = 0; i < table.size(); i++) {
            if (table.store(i) == store) {
                n++;
            }
        }
        int[] offsets = new int[n + 1];
        byte[] out = new byte[1 << 20];
        int pos = 0;
        int k = 0;
        for (int i = 0; i < table.size(); i++) {
            if (table.store(i) != store) {
                continue;
            }
            byte[] start = table.startKey(i);
            byte[] end = table.endKey(i);
            if (out.length - pos < 128 + start.length + end.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, pos + 128 + start.length + end.length));
            }
            CodedOutputStream o = CodedOutputStream.newInstance(out, pos, out.length - pos);
            if (stock) {
                writeUInt64(o, 1, table.regionId(i));
                writeUInt64(o, 2, table.peerId(i));
                writeUInt64(o, 3, table.term(i));
                writeUInt64(o, 4, table.index(i));
                writeUInt64(o, 5, table.commitIndex(i));
                writeUInt64(o, 6, table.version(i));
                if (table.tombstone(i)) {
                    o.writeBool(7, true);
                }
                writeKey(o, 8, start);
                writeKey(o, 9, end);
            } else {
                writeUInt64(o, 1, table.regionId(i));
                writeUInt64(o, 2, table.index(i));
                writeUInt64(o, 3, table.term(i));
                writeUInt64(o, 4, table.version(i));
                if (table.tombstone(i)) {
                    o.writeBool(5, true);
                }
                writeKey(o, 6, start);
                writeKey(o, 7, end);
            }
            pos += o.getTotalBytesWritten();
            offsets[++k] = pos;
        }
        return new WireBytes(Arrays.copyOf(out, pos), offsets);
    }

    // proto3: default values are not written, as protobuf's own serializer does.
    private static void writeUInt64(CodedOutputStream o, int field, long v) throws IOException {
        if (v != 0) {
            o.writeUInt64(field, v);
        }
    }

    private static void writeKey(CodedOutputStream o, int field, byte[] key) throws IOException {
        if (key.length > 0) {
            o.writeByteArray(field, key);
        }
    }

    /** A view of one message of a {@link WireBytes}; one per sender, re-pointed for every message. */
    static final class Slice {
        byte[] bytes;
        int offset;
        int length;

        Slice at(WireBytes w, int k) {
            bytes = w.bytes;
            offset = w.offsets[k];
            length = w.offsets[k + 1] - offset;
            return this;
        }
    }

    /**
     * Sends a slice as it is (gRPC drains it into its frame: one copy, no protobuf); parses by skipping the message
     * (the sink: the bytes are counted, never looked at).
     */
    static final class SliceMarshaller implements MethodDescriptor.Marshaller<Slice> {
        private static final Slice SKIPPED = new Slice();

        @Override
        public InputStream stream(Slice s) {
            return new SliceStream(s.bytes, s.offset, s.length);
        }

        @Override
        public Slice parse(InputStream in) {
            try {
                in.skip(in.available());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return SKIPPED;
        }
    }

    private static final class SliceStream extends InputStream implements Drainable, KnownLength {
        private final byte[] bytes;
        private int offset;
        private int left;

        SliceStream(byte[] bytes, int offset, int length) {
            this.bytes = bytes;
            this.offset = offset;
            this.left = length;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = left;
            target.write(bytes, offset, n);
            offset += n;
            left = 0;
            return n;
        }

        @Override
        public int available() {
            return left;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return bytes[offset++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = Math.min(len, left);
            System.arraycopy(bytes, offset, b, off, n);
            offset += n;
            left -= n;
            return n;
        }
    }
}
