package io.phybr.contract.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte-level fast path of {@link DumpReader} against the general parser alone
 * ({@link DumpReader#readGeneral}): on seeded random dumps, well formed and broken, both read the same
 * rows in the same order, or fail with the same message naming the same line, or warn the same about a
 * torn last line. Blocks are made tiny so that lines straddle blocks, several blocks are parsed at
 * once, and over-long lines are handed over. {@code -Dphybr.seed=N} replays one case.
 */
class DumpReaderAgreementTest {
    private static final int CASES = 600;
    private static final int[] BLOCKS = {64, 256, 1000, 4096, 1 << 20};
    private static final byte[] ALPHABET = "{}[]\":,.-+0123456789abcdefABCDEFxtrue \t\r\n\\".getBytes(StandardCharsets.US_ASCII);

    @Test
    void fastAndGeneralPathsAgreeOnRandomDumps() throws IOException {
        long base = Long.getLong("phybr.seed", -1L);
        int broken = 0;
        for (int c = 0; c < (base >= 0 ? 1 : CASES); c++) {
            long seed = base >= 0 ? base : 7_000 + c;
            SplittableRandom r = new SplittableRandom(seed);
            byte[] dump = mutate(writeDump(r, 1 + r.nextInt(40)), r);
            int block = BLOCKS[r.nextInt(BLOCKS.length)];
            boolean recording = r.nextBoolean();
            String general = outcome(dump, recording, 0);
            String fast = outcome(dump, recording, block);
            assertThat(fast).as("seed %d (replay with -Dphybr.seed=%d), block %d, recording %s", seed, seed, block,
                    recording).isEqualTo(general);
            if (general.startsWith("error")) {
                broken++;
            }
        }
        if (base < 0) {
            // The mutations must actually produce both kinds of input, or this test proves little.
            assertThat(broken).as("broken dumps among %d", CASES).isBetween(CASES / 5, CASES * 9 / 10);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"store\":1,\"region_id\":2,\"applied_index\":01,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n",
        "{\"store\":1,\"region_id\":2,\"applied_index\":18446744073709551616,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n",
        "{\"store\":1,\"region_id\":2,\"applied_index\":18446744073709551615,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"AB\",\"end_key\":\"\"}\n",
        "{\"store\":1, \"region_id\":2,\"applied_index\":1,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"0\",\"end_key\":\"\"}\n",
        "{\"store\":1,\"region_id\":2,\"applied_index\":1,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\\u0030\\u0030\",\"end_key\":\"\"}\n",
        "{\"store\":1,\"region_id\":2,\"term\":1,\"applied_index\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\r\n",
        "{\"store\":1,\"region_id\":2,\"applied_index\":1,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}{}\n",
        "{\"store\":1,\"region_id\":2,\"applied_index\":1,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n"
            + "{\"store\":1,\"region_id\":3,\"applied_index\":1,\"term\":1,\"version\":1,\n\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n",
        "{\"store\":1,\"region_id\":2,\"applied_index\":1,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n"
            + "{\"store\":1,\"region_id\":3,\"applied_index\":1,\"term\":1,\"vers",
        "\n\n  \t\n{\"store\":1,\"region_id\":2,\"applied_index\":1,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}",
        "{\"store\":1,\"region_id\":2,\"peer_id\":3,\"last_log_term\":4,\"last_index\":5,\"commit_index\":6,\"applied_index\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n",
        "\u00ef\u00bb\u00bf{\"store\":1,\"region_id\":2,\"applied_index\":1,\"term\":1,\"version\":1,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}\n",
    })
    void namedShapesAgree(String text) throws IOException {
        byte[] dump = text.getBytes(StandardCharsets.ISO_8859_1);
        for (boolean recording : new boolean[] {false, true}) {
            for (int block : BLOCKS) {
                assertThat(outcome(dump, recording, block)).as("block %d recording %s", block, recording)
                        .isEqualTo(outcome(dump, recording, 0));
            }
        }
    }

    @Test
    void manyBlocksOfWellFormedLinesAreReadInFileOrder() throws IOException {
        SplittableRandom r = new SplittableRandom(99);
        byte[] dump = writeDump(r, 5_000);
        DumpRows fast = new DumpRows();
        assertThat(DumpReader.read(new ByteArrayInputStream(dump), fast, null, 4096)).isEqualTo(5_000);
        DumpRows general = new DumpRows();
        DumpReader.readGeneral(new ByteArrayInputStream(dump), general, null);
        assertThat(render(fast.rows())).isEqualTo(render(general.rows()));
    }

    /** The rows read, or the error, or the warning, as one comparable text; {@code block} 0 = the general parser. */
    private static String outcome(byte[] dump, boolean recording, int block) {
        DumpRows rows = new DumpRows();
        List<String> warnings = new ArrayList<>();
        try {
            long n = block == 0
                    ? DumpReader.readGeneral(new ByteArrayInputStream(dump), rows, recording ? warnings::add : null)
                    : DumpReader.read(new ByteArrayInputStream(dump), rows, recording ? warnings::add : null, block);
            return "read " + n + " " + warnings + "\n" + render(rows.rows());
        } catch (IOException | RuntimeException e) {
            // Rows added before the error are part of the outcome: the sink saw them.
            return "error " + e.getClass().getSimpleName() + ": " + e.getMessage() + "\n" + render(rows.rows());
        }
    }

    private static String render(List<DumpRow> rows) {
        StringBuilder b = new StringBuilder();
        HexFormat hex = HexFormat.of();
        for (DumpRow row : rows) {
            b.append(row.store()).append(' ').append(row.regionId()).append(' ').append(row.stock()).append(' ')
                    .append(row.peerId()).append(' ').append(row.index()).append(' ').append(row.term()).append(' ')
                    .append(row.commitIndex()).append(' ').append(row.version()).append(' ').append(row.tombstone())
                    .append(' ').append(hex.formatHex(row.startKey())).append(' ').append(hex.formatHex(row.endKey()))
                    .append('\n');
        }
        return b.toString();
    }

    private static byte[] writeDump(SplittableRandom r, int lines) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DumpWriter w = new DumpWriter(out)) {
            for (int i = 0; i < lines; i++) {
                byte[] a = key(r);
                byte[] b = key(r);
                long big = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(1000); // negative = above 2^63 unsigned
                if (r.nextBoolean()) {
                    w.writeSeed(new SeedReport().store(1 + r.nextInt(5)).region(1 + r.nextInt(100_000))
                            .appliedIndex(big).term(r.nextInt(50)).version(r.nextInt(9)).tombstone(r.nextInt(8) == 0)
                            .keys(a, b));
                } else {
                    w.writeStock(new StockReport().store(1 + r.nextInt(5)).region(1 + r.nextInt(100_000)).peerId(big)
                            .lastLogTerm(r.nextInt(50)).lastIndex(r.nextInt(1000)).commitIndex(r.nextInt(1000))
                            .version(r.nextInt(9)).tombstone(r.nextInt(8) == 0).keys(a, b));
                }
            }
        }
        return out.toByteArray();
    }

    private static byte[] key(SplittableRandom r) {
        byte[] k = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(30)];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) r.nextInt(256);
        }
        return k;
    }

    /** Zero to three random edits: bytes flipped, dropped or inserted, a shape changed, the tail torn. */
    private static byte[] mutate(byte[] dump, SplittableRandom r) {
        String s = new String(dump, StandardCharsets.ISO_8859_1);
        int edits = r.nextInt(4);
        for (int e = 0; e < edits && !s.isEmpty(); e++) {
            int at = r.nextInt(s.length());
            switch (r.nextInt(12)) {
                case 0 -> s = s.substring(0, at) + (char) ALPHABET[r.nextInt(ALPHABET.length)] + s.substring(at + 1);
                case 1 -> s = s.substring(0, at) + s.substring(at + 1);
                case 2 -> s = s.substring(0, at) + (char) ALPHABET[r.nextInt(ALPHABET.length)] + s.substring(at);
                case 3 -> s = s.substring(0, at); // torn: cut anywhere
                case 4 -> s = s.replaceFirst(":", ": ");
                case 5 -> s = s.replaceFirst("\n", "\r\n");
                case 6 -> s = s.replaceFirst("\"term\":", "\"term\":0");
                case 7 -> s = s.replaceFirst("\"version\":\\d+", "\"version\":12345678901234567890");
                case 8 -> s = s.substring(0, at) + "\n" + s.substring(at);
                case 9 -> s = s.substring(0, at) + (char) (0x80 + r.nextInt(128)) + s.substring(at);
                case 10 -> s = s.replaceFirst("\"start_key\":\"([0-9a-f]*)\"", "\"start_key\":\"$1\",\"tombstone\":true");
                default -> s = s.replaceFirst("(\"start_key\":\"[0-9a-f]*\"),(\"end_key\":\"[0-9a-f]*\")", "$2,$1");
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
