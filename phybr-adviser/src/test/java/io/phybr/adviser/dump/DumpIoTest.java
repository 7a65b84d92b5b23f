package io.phybr.adviser.dump;

import io.phybr.contract.dump.StockReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.contract.dump.DumpFormatException;
import io.phybr.contract.dump.DumpReader;
import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.SeedReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DumpIoTest {
    private static final String OK_LINE =
            "{\"store\":1,\"region_id\":2,\"applied_index\":10,\"term\":6,\"version\":3,\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}";

    private static ReplicaTable read(String text) throws IOException {
        ReplicaTable t = new ReplicaTable();
        DumpReader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), t);
        return t;
    }

    @Test
    void roundTripOfSeedAndStockRows() throws IOException {
        SplittableRandom r = new SplittableRandom(42);
        ReplicaTable in = new ReplicaTable();
        for (int i = 0; i < 500; i++) {
            byte[] a = new byte[r.nextInt(4)];
            byte[] b = new byte[r.nextInt(4)];
            for (int k = 0; k < a.length; k++) {
                a[k] = (byte) r.nextInt(256);
            }
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) r.nextInt(256);
            }
            long big = r.nextBoolean() ? r.nextLong(Long.MAX_VALUE) : r.nextInt(1000);
            if (r.nextBoolean()) {
                in.addSeed(new SeedReport().store(1 + r.nextInt(7)).region(1 + i).appliedIndex(big).term(r.nextInt(50))
                        .version(r.nextInt(9)).tombstone(r.nextBoolean()).keys(a, b));
            } else {
                in.addStock(new StockReport().store(1 + r.nextInt(7)).region(1 + i).peerId(big)
                        .lastLogTerm(r.nextInt(50)).lastIndex(r.nextInt(1000)).commitIndex(r.nextInt(1000))
                        .version(r.nextInt(9)).tombstone(r.nextBoolean()).keys(a, b));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DumpWriter w = new DumpWriter(out)) {
            for (int i = 0; i < in.size(); i++) {
                if (in.stockFields(i)) {
                    w.writeStock(new StockReport().store(in.store(i)).region(in.regionId(i)).peerId(in.peerId(i))
                            .lastLogTerm(in.term(i)).lastIndex(in.index(i)).commitIndex(in.commitIndex(i))
                            .version(in.version(i)).tombstone(in.tombstone(i)).keys(in.startKey(i), in.endKey(i)));
                } else {
                    w.writeSeed(new SeedReport().store(in.store(i)).region(in.regionId(i)).appliedIndex(in.index(i))
                            .term(in.term(i)).version(in.version(i)).tombstone(in.tombstone(i))
                            .keys(in.startKey(i), in.endKey(i)));
                }
            }
            assertThat(w.lines()).isEqualTo(500);
        }
        ReplicaTable back = read(out.toString(StandardCharsets.UTF_8));
        assertThat(back.size()).isEqualTo(in.size());
        for (int i = 0; i < in.size(); i++) {
            String at = "row " + i;
            assertThat(back.store(i)).as(at).isEqualTo(in.store(i));
            assertThat(back.regionId(i)).as(at).isEqualTo(in.regionId(i));
            assertThat(back.peerId(i)).as(at).isEqualTo(in.peerId(i));
            assertThat(back.index(i)).as(at).isEqualTo(in.index(i));
            assertThat(back.term(i)).as(at).isEqualTo(in.term(i));
            assertThat(back.commitIndex(i)).as(at).isEqualTo(in.commitIndex(i));
            assertThat(back.version(i)).as(at).isEqualTo(in.version(i));
            assertThat(back.tombstone(i)).as(at).isEqualTo(in.tombstone(i));
            assertThat(back.stockFields(i)).as(at).isEqualTo(in.stockFields(i));
            assertThat(back.startKey(i)).as(at).isEqualTo(in.startKey(i));
            assertThat(back.endKey(i)).as(at).isEqualTo(in.endKey(i));
        }
    }

    @Test
    void writesTheSpecLineFormat() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DumpWriter w = new DumpWriter(out)) {
            w.writeSeed(new SeedReport().store(1).region(2).appliedIndex(10).term(6).version(3).tombstone(false)
                    .keys(new byte[] {(byte) 0x74, (byte) 0x80}, new byte[0]));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "{\"store\":1,\"region_id\":2,\"applied_index\":10,\"term\":6,\"version\":3,\"tombstone\":false,"
                        + "\"start_key\":\"7480\",\"end_key\":\"\"}\n");
    }

    @Test
    void blankLinesAndMissingOptionalFieldsAreFine() throws IOException {
        ReplicaTable t = read(OK_LINE + "\n\n{\"store\":3,\"region_id\":4,\"applied_index\":1,\"term\":1,"
                + "\"version\":1,\"start_key\":\"\",\"end_key\":\"\"}\n"); // no tombstone: false
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.startKey(1)).isEmpty();
        assertThat(t.stockFields(1)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "not JSON            | this is not json                                               | not valid JSON",
            "not an object       | [1,2]                                                          | expected one JSON object",
            "unknown field       | {\"store\":1,\"region_id\":2,\"colour\":3}                     | unknown field \"colour\"",
            "negative number     | {\"store\":1,\"region_id\":2,\"term\":-1}                      | \"term\" must be an unsigned 64-bit integer",
            "fraction            | {\"store\":1,\"region_id\":2,\"version\":1.5}                  | \"version\" must be a non-negative integer",
            "number too large    | {\"store\":1,\"region_id\":2,\"version\":18446744073709551616} | \"version\" must be an unsigned 64-bit integer",
            "bad hex             | {\"store\":1,\"region_id\":2,\"start_key\":\"7g\"}             | \"start_key\" is not lowercase hex",
            "odd hex             | {\"store\":1,\"region_id\":2,\"end_key\":\"abc\"}              | \"end_key\" is not lowercase hex",
            "key not a string    | {\"store\":1,\"region_id\":2,\"end_key\":12}                   | \"end_key\" must be a hex string",
            "tombstone not bool  | {\"store\":1,\"region_id\":2,\"tombstone\":1}                  | tombstone must be true or false",
            "mixed seed/stock    | {\"store\":1,\"region_id\":2,\"term\":1,\"last_index\":3}      | mixes seed fields",
            "missing store       | {\"region_id\":2,\"term\":1}                                   | needs both \"store\" and \"region_id\"",
            "missing region      | {\"store\":2}                                                  | needs both \"store\" and \"region_id\"",
            "truncated           | {\"store\":1,\"region_id\":2                                   | the line ends before its JSON object does",
            "two objects         | `{\"store\":5,\"region_id\":2,\"term\":1,\"applied_index\":1,\"version\":1,\"start_key\":\"\",\"end_key\":\"\"} {\"store\":6}` | more than one JSON object on the line",
            "missing keys        | {\"store\":1,\"region_id\":2,\"term\":1,\"applied_index\":1,\"version\":1} | store 1 region 2 lacks start_key, end_key",
            "missing everything  | {\"store\":1,\"region_id\":2}                                | lacks version, start_key, end_key, applied_index and term (seed)",
            "duplicate key       | {\"store\":1,\"store\":2,\"region_id\":2}                    | Duplicate field 'store'",
    })
    void malformedLineNamesItsLineNumber(String what, String badLine, String expected) {
        String dump = OK_LINE + "\n" + OK_LINE.replace("\"store\":1", "\"store\":2") + "\n" + badLine.trim() + "\n" + OK_LINE + "\n";
        assertThatThrownBy(() -> read(dump))
                .as(what)
                .isInstanceOf(DumpFormatException.class)
                .hasMessageStartingWith("dump line 3: ")
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(((DumpFormatException) e).line()).isEqualTo(3));
    }

    /** Regression: a line cut short was reported at the next line, and an object spread over two lines was accepted. */
    @Test
    void aLineCutShortIsReportedAtItsOwnLine() {
        assertThatThrownBy(() -> read(OK_LINE + "\n{\"store\":1,\"region_id\":"))
                .isInstanceOf(DumpFormatException.class).hasMessageStartingWith("dump line 2: ");
        assertThatThrownBy(() -> read(OK_LINE + "\n{\"store\":1,\n\"region_id\":2}\n"))
                .isInstanceOf(DumpFormatException.class).hasMessageStartingWith("dump line 2: ")
                .hasMessageContaining("the line ends before its JSON object does");
    }

    /** Regression: store 2^64-1 parsed to the "missing" sentinel -1 and was reported as a missing field. */
    @Test
    void maximalUnsignedIdsAreReadNotMistakenForMissing() throws IOException {
        ReplicaTable t = read("{\"store\":18446744073709551615,\"region_id\":18446744073709551615,\"applied_index\":1,"
                + "\"term\":1,\"version\":1,\"start_key\":\"\",\"end_key\":\"\"}\n");
        assertThat(t.size()).isEqualTo(1);
        assertThat(Long.toUnsignedString(t.store(0))).isEqualTo("18446744073709551615");
        // The planner then names it as out of range, store and region in decimal.
        io.phybr.adviser.plan.PlanOutcome out = io.phybr.adviser.plan.Planner.plan(t,
                io.phybr.adviser.plan.PlanOptions.of(io.phybr.adviser.plan.Policy.SEED));
        assertThat(((io.phybr.adviser.plan.Refusal) out).message())
                .contains("store 18446744073709551615 region 18446744073709551615: region id 18446744073709551615 is out of range")
                .contains("store id 18446744073709551615 is out of range");
    }
}
