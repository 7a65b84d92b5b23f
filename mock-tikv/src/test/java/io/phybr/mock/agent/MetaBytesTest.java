package io.phybr.mock.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MetaBytes} writes exactly the bytes protobuf-java writes for the same message, for both protocols: zeros,
 * false and empty keys left out, the largest unsigned values (ten-byte varints), keys long enough for a two- and
 * three-byte length, and an unknown field after the known ones. Seeded; the seed is in the failure message.
 */
class MetaBytesTest {
    private static final long SEED = 20261127L;

    private static long value(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> -1; // 2^64 - 1 as uint64
            case 2 -> r.nextInt(128);
            case 3 -> 1L << r.nextInt(64);
            default -> r.nextLong();
        };
    }

    private static byte[] key(Random r) {
        int n = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(128);
            case 2 -> 128 + r.nextInt(300);
            default -> 16_384 + r.nextInt(100);
        };
        byte[] k = new byte[n];
        r.nextBytes(k);
        return k;
    }

    @Test
    void seedMetasAreProtobufsOwnBytes() {
        Random r = new Random(SEED);
        for (int i = 0; i < 3000; i++) {
            long region = value(r);
            long applied = value(r);
            long term = value(r);
            long version = value(r);
            boolean tombstone = r.nextBoolean();
            byte[] start = key(r);
            byte[] end = key(r);
            byte[] expected = io.phybr.proto.seed.RegionMeta.newBuilder().setRegionId(region).setAppliedIndex(applied)
                    .setTerm(term).setVersion(version).setTombstone(tombstone).setStartKey(ByteString.copyFrom(start))
                    .setEndKey(ByteString.copyFrom(end)).build().toByteArray();
            assertThat(MetaBytes.seed(region, applied, term, version, tombstone, start, end))
                    .as("seed %d, message %d", SEED, i).isEqualTo(expected);
        }
        assertThat(MetaBytes.seed(0, 0, 0, 0, false, null, null)).isEmpty();
    }

    @Test
    void stockMetasAreProtobufsOwnBytesWithOrWithoutAnUnknownField() {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 3000; i++) {
            long[] v = new long[6];
            for (int k = 0; k < v.length; k++) {
                v[k] = value(r);
            }
            boolean tombstone = r.nextBoolean();
            byte[] start = key(r);
            byte[] end = key(r);
            int unknown = r.nextBoolean() ? 0 : 10 + r.nextInt(5000);
            io.phybr.proto.recoverdata.RegionMeta.Builder b = io.phybr.proto.recoverdata.RegionMeta.newBuilder()
                    .setRegionId(v[0]).setPeerId(v[1]).setLastLogTerm(v[2]).setLastIndex(v[3]).setCommitIndex(v[4])
                    .setVersion(v[5]).setTombstone(tombstone).setStartKey(ByteString.copyFrom(start))
                    .setEndKey(ByteString.copyFrom(end));
            if (unknown > 0) {
                b.setUnknownFields(UnknownFieldSet.newBuilder().addField(unknown,
                        UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());
            }
            assertThat(MetaBytes.stock(v[0], v[1], v[2], v[3], v[4], v[5], tombstone, start, end, unknown))
                    .as("seed %d, message %d", SEED + 1, i).isEqualTo(b.build().toByteArray());
        }
    }

    @Test
    void anUnknownFieldAppendedToEncodedBytesIsWhatProtobufWrites() throws Exception {
        byte[] plain = MetaBytes.seed(7, 40, 6, 3, false, new byte[] {1}, new byte[] {2});
        io.phybr.proto.seed.RegionMeta withUnknown = io.phybr.proto.seed.RegionMeta.parseFrom(plain).toBuilder()
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(99,
                        UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()).build();
        assertThat(MetaBytes.withUnknownField(plain, 99)).isEqualTo(withUnknown.toByteArray());
    }

    @Test
    void theMarshallerHandsGrpcTheBytesWithTheirLengthAndDrainsThemOnce() throws Exception {
        byte[] m = MetaBytes.seed(7, 40, 6, 3, true, new byte[] {1, 2}, null);
        InputStream s = MetaBytes.MARSHALLER.stream(m);
        assertThat(s).isInstanceOf(io.grpc.KnownLength.class).isInstanceOf(io.grpc.Drainable.class);
        assertThat(s.available()).isEqualTo(m.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(((io.grpc.Drainable) s).drainTo(out)).isEqualTo(m.length);
        assertThat(out.toByteArray()).isEqualTo(m);
        assertThat(s.available()).isZero();
        assertThat(MetaBytes.MARSHALLER.parse(MetaBytes.MARSHALLER.stream(m))).isEqualTo(m);
    }
}
