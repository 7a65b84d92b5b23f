package io.phybr.contract.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte-level writer (table-driven digits and hex, the recorder's per-meta cost) writes exactly the line the
 * plain formatting would: every number as {@link Long#toUnsignedString}, every key byte as two lowercase hex
 * digits. Edge values (digit-count and int/long boundaries, unsigned) plus seeded random ones.
 */
class DumpWriterTest {
    private static final long[] EDGES = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, Integer.MAX_VALUE - 1L,
            Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, 4_294_967_295L, 999_999_999_999_999_999L,
            1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, -1L};

    @Test
    void writesExactlyWhatPlainFormattingWrites() throws Exception {
        long seed = Long.getLong("phybr.dumpWriter.seed", 16_2002);
        Random rnd = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder want = new StringBuilder();
        DumpWriter w = new DumpWriter(out);
        for (int i = 0; i < 20_000; i++) {
            long[] v = new long[7];
            for (int k = 0; k < v.length; k++) {
                v[k] = i < EDGES.length * v.length ? EDGES[(i + k) % EDGES.length]
                        : rnd.nextLong() >>> rnd.nextInt(64);
            }
            boolean tombstone = rnd.nextBoolean();
            byte[] keys = new byte[rnd.nextInt(120)];
            rnd.nextBytes(keys);
            int startLen = rnd.nextInt(keys.length + 1);
            int endLen = keys.length - startLen;
            String start = HexFormat.of().formatHex(keys, 0, startLen);
            String end = HexFormat.of().formatHex(keys, startLen, keys.length);
            if (i % 2 == 0) {
                w.writeSeed(new SeedReport().store(v[0]).region(v[1]).appliedIndex(v[2]).term(v[3]).version(v[4])
                        .tombstone(tombstone).keySlices(keys, 0, startLen, startLen, endLen));
                want.append("{\"store\":").append(u(v[0])).append(",\"region_id\":").append(u(v[1]))
                        .append(",\"applied_index\":").append(u(v[2])).append(",\"term\":").append(u(v[3]));
                tail(want, v[4], tombstone, start, end);
            } else {
                w.writeStock(new StockReport().store(v[0]).region(v[1]).peerId(v[2]).lastLogTerm(v[3]).lastIndex(v[4])
                        .commitIndex(v[5]).version(v[6]).tombstone(tombstone).keySlices(keys, 0, startLen, startLen,
                                endLen));
                want.append("{\"store\":").append(u(v[0])).append(",\"region_id\":").append(u(v[1]))
                        .append(",\"peer_id\":").append(u(v[2])).append(",\"last_log_term\":").append(u(v[3]))
                        .append(",\"last_index\":").append(u(v[4])).append(",\"commit_index\":").append(u(v[5]));
                tail(want, v[6], tombstone, start, end);
            }
        }
        w.flush();

        assertThat(out.toString(StandardCharsets.US_ASCII)).as("seed %d", seed).isEqualTo(want.toString());
    }

    private static String u(long v) {
        return Long.toUnsignedString(v);
    }

    private static void tail(StringBuilder b, long version, boolean tombstone, String start, String end) {
        b.append(",\"version\":").append(u(version)).append(",\"tombstone\":").append(tombstone)
                .append(",\"start_key\":\"").append(start).append("\",\"end_key\":\"").append(end).append("\"}\n");
    }
}
