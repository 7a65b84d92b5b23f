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

    @Test
    void everySingleByteChangeOfALineIsJudgedAsTheGeneralParserJudgesIt() throws IOException {
        // The fast path compares each field name as two or three overlapping words (LineScanner.same): a change at
        // any byte of one (first, last, between the words) must still leave the line to the general parser.
        String[] lines = {
            "{\"store\":1,\"region_id\":2,\"applied_index\":3,\"term\":4,\"version\":5,\"tombstone\":false,"
                + "\"start_key\":\"0a\",\"end_key\":\"\"}\n",
            "{\"store\":1,\"region_id\":2,\"peer_id\":3,\"last_log_term\":4,\"last_index\":5,\"commit_index\":6,"
                + "\"version\":7,\"tombstone\":true,\"start_key\":\"\",\"end_key\":\"0b\"}\n"};
        for (String line : lines) {
            byte[] ok = line.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < ok.length - 1; i++) {
                byte[] changed = ok.clone();
                changed[i] = (byte) (ok[i] == 'x' ? 'y' : 'x');
                String general = outcome(changed, false, 0);
                assertThat(general).as("byte %d of %s", i, line).startsWith("error");
                assertThat(outcome(changed, false, 4096)).as("byte %d of %s", i, line).isEqualTo(general);
            }
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

    /**
     * A small dump cut into blocks of every size from 1 byte to past its end (a block shorter than a line grows
     * to hold it): lines split at every position, empty lines, a last line without its newline, CRLF lines
     * (the general parser takes those), and a bad line that falls in a later block named as the general
     * parser names it, by line number.
     */
    @Test
    void blocksOfEverySizeReadASmallDumpAsTheGeneralParserDoes() throws IOException {
        SplittableRandom r = new SplittableRandom(1_234);
        String good = new String(writeDump(r, 4), StandardCharsets.ISO_8859_1);
        String[] lines = good.split("\n");
        String withEmpty = "\n" + lines[0] + "\n\n" + String.join("\n", List.of(lines).subList(1, 4)) + "\n\n";
        String noLastNewline = good.substring(0, good.length() - 1);
        String crlf = lines[0] + "\n" + lines[1] + "\r\n" + String.join("\n", List.of(lines).subList(2, 4)) + "\n";
        String badFourth = String.join("\n", List.of(lines).subList(0, 3)) + "\n"
                + lines[3].replace("\"version\":", "\"version\":x") + "\n" + lines[0] + "\n";
        for (String text : List.of(good, withEmpty, noLastNewline, crlf, badFourth)) {
            byte[] dump = text.getBytes(StandardCharsets.ISO_8859_1);
            // A recording differs only in its torn last line: only the text without a last newline needs both.
            for (boolean recording : text.equals(noLastNewline) ? new boolean[] {false, true} : new boolean[] {false}) {
                String general = outcome(dump, recording, 0);
                for (int block = 1; block <= dump.length + 1; block++) {
                    assertThat(outcome(dump, recording, block)).as("block %d recording %s of:%n%s", block, recording,
                            text).isEqualTo(general);
                }
            }
        }
        assertThat(outcome(badFourth.getBytes(StandardCharsets.ISO_8859_1), false, 0)).startsWith("error")
                .contains("line 4");
    }

    /**
     * Blocks and batches are reused from block to block: rows of one block never leak into the next, whatever
     * the lines' lengths (keys up to 2 KiB make some lines longer than a small block, which then grows and is
     * not reused).
     */
    @Test
    void reusedBlocksAndBatchesKeepNoRowsOfTheLastBlock() throws IOException {
        for (long seed = 500; seed < 520; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (DumpWriter w = new DumpWriter(out)) {
                for (int i = 0; i < 2_000; i++) {
                    byte[] a = new byte[r.nextInt(20) == 0 ? r.nextInt(2_048) : r.nextInt(40)];
                    r.nextBytes(a);
                    w.writeSeed(new SeedReport().store(1 + r.nextInt(3)).region(i).appliedIndex(r.nextInt(100))
                            .term(r.nextInt(9)).version(1).tombstone(false).keys(a, new byte[r.nextInt(40)]));
                }
            }
            byte[] dump = out.toByteArray();
            int block = new int[] {512, 4096, 65_536}[r.nextInt(3)];
            assertThat(outcome(dump, false, block)).as("seed %d block %d", seed, block)
                    .isEqualTo(outcome(dump, false, 0));
        }
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
