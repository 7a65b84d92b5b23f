package io.phybr.adviser.protocol.seed;

import io.grpc.MethodDescriptor;
import io.phybr.adviser.plan.Plan;

/**
 * The commands of {@code recover_regions} as the bytes protobuf would send for each {@code phybr.RegionRecover}
 * (fields 1–4: region_id, term, silence, tombstone; proto3, so a zero or false field is left out), written without
 * building a message: streaming ~3 million commands back at 1M regions is grpc-java's per-message send path, and a
 * protobuf builder, message, stream and output encoder per command were a share of it we can drop. The agents read
 * the same bytes as before (tikv-phybr's wire format is fixed); {@code RawCommandsTest} holds this encoding to
 * protobuf's own for every field at its edges.
 */
final class RawCommands {
    /** grpc-java's marshaller for the encoded commands: the bytes go to the framer as they are, in one copy. */
    static final MethodDescriptor.Marshaller<byte[]> MARSHALLER = io.phybr.contract.wire.RawBytesMarshaller.INSTANCE;

    private RawCommands() {
    }

    /** Command {@code k} of {@code plan}, encoded as a {@code phybr.RegionRecover}. */
    static byte[] encode(Plan plan, int k) {
        return encode(plan.commandRegion(k), plan.commandTerm(k), plan.commandSilence(k), plan.commandTombstone(k));
    }

    static byte[] encode(long regionId, long term, boolean silence, boolean tombstone) {
        int size = uint64Size(regionId) + uint64Size(term) + (silence ? 2 : 0) + (tombstone ? 2 : 0);
        byte[] b = new byte[size];
        int p = uint64(b, 0, 1, regionId);
        p = uint64(b, p, 2, term);
        p = uint64(b, p, 3, silence ? 1 : 0);
        uint64(b, p, 4, tombstone ? 1 : 0);
        return b;
    }

    /** Bytes of a varint field (tag byte + value) carrying {@code v}; 0 for a zero value, which proto3 leaves out. */
    private static int uint64Size(long v) {
        if (v == 0) {
            return 0;
        }
        // 7 bits a byte, unsigned: 1 for values below 2^7, ..., 10 for values at or above 2^63.
        return 1 + (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
    }

    /** Writes field {@code field} (wire type 0) at {@code p} unless {@code v} is zero; returns the next position. */
    private static int uint64(byte[] b, int p, int field, long v) {
        if (v == 0) {
            return p;
        }
        b[p++] = (byte) (field << 3);
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }
}
