package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.phybr.proto.seed.RegionRecover;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The adviser writes each command's bytes itself ({@link RawCommands}); the agents parse them as a
 * {@code phybr.RegionRecover} (tikv-phybr's wire format is fixed). The bytes must be exactly protobuf's.
 */
class RawCommandsTest {
    /** Every varint length (1 to 10 bytes), zero (left out by proto3) and the unsigned top of the range. */
    private static final long[] EDGES = {0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 0x1F_FFFF, 0x20_0000, (1L << 35) - 1,
            1L << 35, (1L << 56) - 1, 1L << 56, Long.MAX_VALUE, Long.MIN_VALUE, -1L};

    @Test
    void everyFieldAtItsEdgesEncodesAsProtobufDoes() throws Exception {
        for (long region : EDGES) {
            for (long term : EDGES) {
                for (int flags = 0; flags < 4; flags++) {
                    assertSameAsProtobuf(region, term, (flags & 1) != 0, (flags & 2) != 0);
                }
            }
        }
    }

    @Test
    void drawnCommandsEncodeAsProtobufDoes() throws Exception {
        long seed = 20261127L;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            // a random bit length, so that every varint length is drawn about as often
            long region = rnd.nextLong() >>> rnd.nextInt(64);
            long term = rnd.nextLong() >>> rnd.nextInt(64);
            assertSameAsProtobuf(region, term, rnd.nextBoolean(), rnd.nextBoolean());
        }
    }

    @Test
    void theStreamKnowsItsLengthAndDrainsWhole() throws Exception {
        byte[] command = RawCommands.encode(300, 7, true, false);
        InputStream in = RawCommands.MARSHALLER.stream(command);
        assertThat(in).isInstanceOf(KnownLength.class).isInstanceOf(Drainable.class);
        assertThat(in.available()).isEqualTo(command.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(((Drainable) in).drainTo(out)).isEqualTo(command.length);
        assertThat(out.toByteArray()).isEqualTo(command);
        assertThat(in.available()).isZero();
        assertThat(RegionRecover.parseFrom(RawCommands.MARSHALLER.parse(RawCommands.MARSHALLER.stream(command))))
                .isEqualTo(RegionRecover.newBuilder().setRegionId(300).setTerm(7).setSilence(true).build());
    }

    private static void assertSameAsProtobuf(long region, long term, boolean silence, boolean tombstone)
            throws Exception {
        RegionRecover expected = RegionRecover.newBuilder().setRegionId(region).setTerm(term).setSilence(silence)
                .setTombstone(tombstone).build();
        byte[] ours = RawCommands.encode(region, term, silence, tombstone);
        assertThat(ours).as("region %s term %s silence %s tombstone %s", Long.toUnsignedString(region),
                Long.toUnsignedString(term), silence, tombstone).isEqualTo(expected.toByteArray());
        assertThat(RegionRecover.parseFrom(ours)).isEqualTo(expected);
    }
}
