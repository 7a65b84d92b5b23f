package io.phybr.mock.agent;

import io.grpc.MethodDescriptor;
import java.util.Arrays;

/**
 * A region meta of either protocol ({@code phybr.RegionMeta}, {@code recover_data.RegionMeta}) encoded straight into
 * its protobuf bytes, without a message object, a builder or {@code ByteString} copies of the keys: the mock's
 * senders stream a million of them per store. The bytes are exactly protobuf-java's {@code toByteArray()} of the same
 * message (fields in number order, proto3 defaults — 0, false, empty — left out, a field unknown to the schema after
 * the known ones); {@code MetaBytesTest} pins that against protobuf for both messages.
 *
 * <p>Sent through {@link #MARSHALLER}, which hands grpc-java the bytes as a known-length, drainable stream (its
 * framer then copies them once into the frame, as it does a protobuf message).
 */
public final class MetaBytes {
    /** grpc-java's marshaller for pre-encoded messages; parsing reads the message's bytes as they are. */
    public static final MethodDescriptor.Marshaller<byte[]> MARSHALLER = io.phybr.contract.wire.RawBytesMarshaller.INSTANCE;

    private byte[] buf;
    private int pos;

    private MetaBytes(int capacity) {
        buf = new byte[capacity];
    }

    /**
     * {@code phybr.RegionMeta} (fields 1–7: region_id, applied_index, term, version, tombstone, start_key,
     * end_key); null keys are empty.
     */
    public static byte[] seed(long regionId, long appliedIndex, long term, long version, boolean tombstone,
                              byte[] start, byte[] end) {
        int size = uint64Size(1, regionId) + uint64Size(2, appliedIndex) + uint64Size(3, term) + uint64Size(4, version)
                + (tombstone ? 2 : 0) + bytesSize(6, start) + bytesSize(7, end);
        return new MetaBytes(size).uint64(1, regionId).uint64(2, appliedIndex)
                .uint64(3, term).uint64(4, version).bool(5, tombstone).bytes(6, start).bytes(7, end).toArray();
    }

    /**
     * {@code recover_data.RegionMeta} (fields 1–9: region_id, peer_id, last_log_term, last_index, commit_index,
     * version, tombstone, start_key, end_key); with {@code unknownField} > 0 a varint field of that number (value 1)
     * follows, as a newer TiKV's field this schema does not know.
     */
    public static byte[] stock(long regionId, long peerId, long lastLogTerm, long lastIndex, long commitIndex,
                               long version, boolean tombstone, byte[] start, byte[] end, int unknownField) {
        return stock(regionId, peerId, lastLogTerm, lastIndex, commitIndex, version, tombstone, start, 0,
                length(start), end, 0, length(end), unknownField);
    }

    /**
     * {@link #stock(long, long, long, long, long, long, boolean, byte[], byte[], int)} with the keys given as slices
     * ({@code start[startOff, startOff + startLen)}, likewise the end key) of a store's key arena: no key array per
     * meta. Same bytes.
     */
    public static byte[] stock(long regionId, long peerId, long lastLogTerm, long lastIndex, long commitIndex,
                               long version, boolean tombstone, byte[] start, int startOff, int startLen, byte[] end,
                               int endOff, int endLen, int unknownField) {
        int size = uint64Size(1, regionId) + uint64Size(2, peerId) + uint64Size(3, lastLogTerm)
                + uint64Size(4, lastIndex) + uint64Size(5, commitIndex) + uint64Size(6, version) + (tombstone ? 2 : 0)
                + bytesSize(8, startLen) + bytesSize(9, endLen) + (unknownField > 0 ? uint64Size(unknownField, 1) : 0);
        MetaBytes m = new MetaBytes(size).uint64(1, regionId).uint64(2, peerId)
                .uint64(3, lastLogTerm).uint64(4, lastIndex).uint64(5, commitIndex).uint64(6, version)
                .bool(7, tombstone).bytes(8, start, startOff, startLen).bytes(9, end, endOff, endLen);
        if (unknownField > 0) {
            m.uint64(unknownField, 1);
        }
        return m.toArray();
    }

    /** {@code bytes} with a varint field of number {@code field} (value 1) appended, as protobuf writes an unknown one. */
    public static byte[] withUnknownField(byte[] bytes, int field) {
        MetaBytes m = new MetaBytes(bytes.length + 16);
        System.arraycopy(bytes, 0, m.buf, 0, bytes.length);
        m.pos = bytes.length;
        return m.uint64(field, 1).toArray();
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    /*
     * The exact encoded sizes, so that each message is built in one array of its final length (a million metas per
     * store: one allocation each instead of a buffer and a trimmed copy).
     */
    private static int uint64Size(int field, long v) {
        return v == 0 ? 0 : varintSize((long) field << 3) + varintSize(v);
    }

    private static int bytesSize(int field, byte[] b) {
        return bytesSize(field, length(b));
    }

    private static int bytesSize(int field, int n) {
        return n == 0 ? 0 : varintSize(((long) field << 3) | 2) + varintSize(n) + n;
    }

    private static int varintSize(long v) {
        return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
    }

    private MetaBytes uint64(int field, long v) {
        if (v != 0) {
            varint((long) field << 3);
            varint(v);
        }
        return this;
    }

    private MetaBytes bool(int field, boolean v) {
        if (v) {
            varint((long) field << 3);
            buf[pos++] = 1;
        }
        return this;
    }

    private MetaBytes bytes(int field, byte[] b) {
        return bytes(field, b, 0, length(b));
    }

    private MetaBytes bytes(int field, byte[] b, int off, int n) {
        if (n > 0) {
            varint(((long) field << 3) | 2);
            varint(n);
            System.arraycopy(b, off, buf, pos, n);
            pos += n;
        }
        return this;
    }

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private byte[] toArray() {
        return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
    }
}
