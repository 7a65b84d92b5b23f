package io.phybr.adviser.collect;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.phybr.proto.recoverdata.RegionMeta;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast decoder against protobuf's own parser, over seeded random messages of both protocols: plain
 * ones (which the fast path must take, with protobuf's values), and ones with unknown fields, repeated
 * fields, non-canonical and over-long varints, wrong wire types, truncations and random byte flips (which
 * it may take only where protobuf decodes them to exactly the same values with no unknown field). Fails
 * naming the seed and case; rerun one with {@code -Dphybr.metaFields.seed=N}.
 */
class MetaFieldsAgreementTest {
    private static final int CASES = 2000;
    private static final long[] EDGES = {0, 1, 127, 128, 16383, 16384, (1L << 31) - 1, 1L << 31, (1L << 32) - 1,
            1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2};

    @Test
    void plainSeedMetasDecodeToProtobufsValues() throws Exception {
        long seed = Long.getLong("phybr.metaFields.seed", 16_4001);
        Random rnd = new Random(seed);
        MetaFields f = MetaFields.seed();
        for (int c = 0; c < CASES; c++) {
            io.phybr.proto.seed.RegionMeta m = randomSeed(rnd);
            byte[] bytes = m.toByteArray();
            assertThat(f.decode(bytes, 0, bytes.length)).as("seed %d case %d: a plain meta takes the fast path", seed, c)
                    .isTrue();
            assertSeedAgrees(f, bytes, 0, bytes.length, m, "seed " + seed + " case " + c);
        }
    }

    @Test
    void plainStockMetasDecodeToProtobufsValues() throws Exception {
        long seed = Long.getLong("phybr.metaFields.seed", 16_4002);
        Random rnd = new Random(seed);
        MetaFields f = MetaFields.stock();
        for (int c = 0; c < CASES; c++) {
            RegionMeta m = randomStock(rnd);
            byte[] bytes = m.toByteArray();
            // decoded in the middle of a larger buffer: offsets must be honoured
            byte[] padded = new byte[bytes.length + 7];
            System.arraycopy(bytes, 0, padded, 3, bytes.length);
            padded[0] = (byte) 0xff;
            padded[padded.length - 1] = (byte) 0xff;
            assertThat(f.decode(padded, 3, bytes.length)).as("seed %d case %d: a plain meta takes the fast path", seed, c)
                    .isTrue();
            assertStockAgrees(f, padded, m, "seed " + seed + " case " + c);
        }
    }

    @Test
    void oddEncodingsAreTakenOnlyWhereProtobufAgrees() throws Exception {
        long seed = Long.getLong("phybr.metaFields.seed", 16_4003);
        Random rnd = new Random(seed);
        MetaFields seedFields = MetaFields.seed();
        MetaFields stockFields = MetaFields.stock();
        int taken = 0;
        int refused = 0;
        for (int c = 0; c < CASES; c++) {
            boolean stock = rnd.nextBoolean();
            byte[] bytes = oddMessage(rnd, stock);
            String where = "seed " + seed + " case " + c + " bytes " + hex(bytes);
            MetaFields f = stock ? stockFields : seedFields;
            if (!f.decode(bytes, 0, bytes.length)) {
                refused++;
                continue; // the general parser judges it: whatever it says is today's answer
            }
            taken++;
            if (stock) {
                RegionMeta m = RegionMeta.parseFrom(bytes);
                assertThat(m.getUnknownFields().asMap()).as(where + ": taken, but protobuf sees unknown fields").isEmpty();
                assertStockAgrees(f, bytes, m, where);
            } else {
                io.phybr.proto.seed.RegionMeta m = io.phybr.proto.seed.RegionMeta.parseFrom(bytes);
                assertThat(m.getUnknownFields().asMap()).as(where + ": taken, but protobuf sees unknown fields").isEmpty();
                assertSeedAgrees(f, bytes, 0, bytes.length, m, where);
            }
        }
        // Both outcomes must really happen, or this test checks nothing.
        assertThat(taken).as("odd messages the fast path took").isGreaterThan(CASES / 10);
        assertThat(refused).as("odd messages left to the general parser").isGreaterThan(CASES / 10);
    }

    @Test
    void namedShapes() {
        MetaFields f = MetaFields.seed();
        assertThat(f.decode(new byte[0], 0, 0)).as("empty message = all defaults").isTrue();
        assertThat(f.value(1)).isZero();
        assertThat(f.startLength()).isZero();
        assertThat(f.decode(new byte[] {0}, 0, 1)).as("zero tag").isFalse();
        assertThat(f.decode(new byte[] {8}, 0, 1)).as("varint cut off").isFalse();
        assertThat(f.decode(new byte[] {50, 5, 1}, 0, 3)).as("key longer than the message").isFalse();
        assertThat(f.decode(new byte[] {(byte) 0x80, 1, 0}, 0, 3)).as("two-byte tag (field 16)").isFalse();
        assertThat(f.decode(new byte[] {64, 1}, 0, 2)).as("field 8 is not a seed field").isFalse();
        assertThat(f.decode(new byte[] {10, 0}, 0, 2)).as("region_id with wire type 2").isFalse();
        byte[] tenBytes = {8, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
        assertThat(f.decode(tenBytes, 0, tenBytes.length)).as("ten-byte varint of -1").isTrue();
        assertThat(f.value(1)).isEqualTo(-1L);
        byte[] carry = {8, -1, -1, -1, -1, -1, -1, -1, -1, -1, 3};
        assertThat(f.decode(carry, 0, carry.length)).as("bits above 64: left to protobuf").isFalse();
        byte[] zeroTenth = {8, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0};
        assertThat(f.decode(zeroTenth, 0, zeroTenth.length))
                .as("tenth byte 0: protobuf-java's own decoders disagree on it, so it is left to gRPC's").isFalse();
        byte[] eleven = {8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
        assertThat(f.decode(eleven, 0, eleven.length)).as("eleven-byte varint").isFalse();
    }

    // ---- generators -------------------------------------------------------------------------------------

    private static long value(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> EDGES[rnd.nextInt(EDGES.length)];
            case 1 -> rnd.nextInt(1000);
            case 2 -> rnd.nextLong() >>> rnd.nextInt(64);
            default -> rnd.nextLong();
        };
    }

    private static ByteString key(Random rnd) {
        int len = switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(4);
            case 2 -> 128 + rnd.nextInt(rnd.nextInt(8) == 0 ? 20_000 : 400); // multi-byte length
            default -> 10 + rnd.nextInt(40);
        };
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    static io.phybr.proto.seed.RegionMeta randomSeed(Random rnd) {
        return io.phybr.proto.seed.RegionMeta.newBuilder().setRegionId(value(rnd)).setAppliedIndex(value(rnd))
                .setTerm(value(rnd)).setVersion(value(rnd)).setTombstone(rnd.nextInt(4) == 0).setStartKey(key(rnd))
                .setEndKey(key(rnd)).build();
    }

    static RegionMeta randomStock(Random rnd) {
        return RegionMeta.newBuilder().setRegionId(value(rnd)).setPeerId(value(rnd)).setLastLogTerm(value(rnd))
                .setLastIndex(value(rnd)).setCommitIndex(value(rnd)).setVersion(value(rnd))
                .setTombstone(rnd.nextInt(4) == 0).setStartKey(key(rnd)).setEndKey(key(rnd)).build();
    }

    /** A message as an unusual (or broken) writer might send it. */
    private static byte[] oddMessage(Random rnd, boolean stock) throws IOException {
        int fields = stock ? 9 : 7;
        int keyField = stock ? 8 : 6;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        int n = rnd.nextInt(12);
        for (int i = 0; i < n; i++) {
            int field = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(40) : 1 + rnd.nextInt(fields);
            boolean isKey = field == keyField || field == keyField + 1;
            switch (rnd.nextInt(10)) {
                case 0 -> { // wrong wire type
                    if (isKey) {
                        o.writeUInt64(field, value(rnd));
                    } else {
                        o.writeBytes(field, key(rnd));
                    }
                }
                case 1 -> { // non-canonical varint: padded with 0x80 continuation bytes
                    o.writeTag(field, 0);
                    long v = rnd.nextInt(1000);
                    int pad = 1 + rnd.nextInt(4);
                    for (int p = 0; p < pad; p++) {
                        o.writeRawByte((byte) (0x80 | (v & 0x7f)));
                        v >>>= 7;
                    }
                    o.writeRawByte((byte) v);
                }
                case 2 -> o.writeFixed64(field, value(rnd));
                case 3 -> { // ten-byte varint with stray high bits
                    o.writeTag(field, 0);
                    for (int p = 0; p < 9; p++) {
                        o.writeRawByte((byte) (0x80 | rnd.nextInt(128)));
                    }
                    o.writeRawByte((byte) rnd.nextInt(128));
                }
                default -> {
                    if (isKey) {
                        o.writeBytes(field, key(rnd));
                    } else if (field > fields) {
                        o.writeUInt64(field, value(rnd)); // unknown field
                    } else {
                        o.writeUInt64(field, value(rnd));
                    }
                }
            }
        }
        o.flush();
        byte[] bytes = out.toByteArray();
        switch (rnd.nextInt(6)) {
            case 0 -> bytes = Arrays.copyOf(bytes, bytes.length == 0 ? 0 : rnd.nextInt(bytes.length)); // truncated
            case 1 -> {
                if (bytes.length > 0) {
                    bytes[rnd.nextInt(bytes.length)] ^= (byte) (1 << rnd.nextInt(8)); // one bit flipped
                }
            }
            default -> { }
        }
        return bytes;
    }

    // ---- agreement ----------------------------------------------------------------------------------------

    private static void assertSeedAgrees(MetaFields f, byte[] buf, int off, int len, io.phybr.proto.seed.RegionMeta m,
                                         String where) {
        assertThat(new long[] {f.value(1), f.value(2), f.value(3), f.value(4)}).as(where)
                .containsExactly(m.getRegionId(), m.getAppliedIndex(), m.getTerm(), m.getVersion());
        assertThat(f.value(5) != 0).as(where + " tombstone").isEqualTo(m.getTombstone());
        assertThat(Arrays.copyOfRange(buf, f.startOffset(), f.startOffset() + f.startLength())).as(where + " start key")
                .isEqualTo(m.getStartKey().toByteArray());
        assertThat(Arrays.copyOfRange(buf, f.endOffset(), f.endOffset() + f.endLength())).as(where + " end key")
                .isEqualTo(m.getEndKey().toByteArray());
        assertThat(UnknownFieldSet.getDefaultInstance()).isEqualTo(m.getUnknownFields());
    }

    private static void assertStockAgrees(MetaFields f, byte[] buf, RegionMeta m, String where) {
        assertThat(new long[] {f.value(1), f.value(2), f.value(3), f.value(4), f.value(5), f.value(6)}).as(where)
                .containsExactly(m.getRegionId(), m.getPeerId(), m.getLastLogTerm(), m.getLastIndex(),
                        m.getCommitIndex(), m.getVersion());
        assertThat(f.value(7) != 0).as(where + " tombstone").isEqualTo(m.getTombstone());
        assertThat(Arrays.copyOfRange(buf, f.startOffset(), f.startOffset() + f.startLength())).as(where + " start key")
                .isEqualTo(m.getStartKey().toByteArray());
        assertThat(Arrays.copyOfRange(buf, f.endOffset(), f.endOffset() + f.endLength())).as(where + " end key")
                .isEqualTo(m.getEndKey().toByteArray());
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            sb.append(String.format("%02x", b[i]));
        }
        return b.length > 64 ? sb + "…(" + b.length + " bytes)" : sb.toString();
    }
}
