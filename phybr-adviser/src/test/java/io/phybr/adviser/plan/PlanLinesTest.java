package io.phybr.adviser.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The byte-level plan writer ({@link PlanLines}) writes exactly what building each line in a
 * {@code StringBuilder} wrote before it (the reference below, kept as it was): on the generated layouts of
 * the property tests under every option combination, and on ids and terms at the edges of a long (digit-count
 * edges, 2^63-1), in plans long enough to fill its buffer several times.
 */
class PlanLinesTest {
    private static final List<PlanOptions> COMBOS = List.of(PlanOptions.of(Policy.SEED), PlanOptions.of(Policy.BR),
            new PlanOptions(Policy.BR, Protocol.SEED, false), PlanOptions.of(Policy.BR).withAcceptHoles(true),
            PlanOptions.of(Policy.SEED).withAcceptHoles(true));

    private final int savedChunk = PlanLines.chunkCommands;

    @AfterEach
    void restore() {
        PlanLines.chunkCommands = savedChunk;
    }

    static LongStream seeds() {
        return LongStream.range(0, 20).map(i -> 0x9E3779B97F4A7C15L * (i + 3));
    }

    /**
     * Written by one thread (the default chunk is larger than these plans) and encoded on every core in chunks of
     * 1, 2, 3 and 64 commands (chunks end at every command, inside and at the end of every store's run), the plan
     * is what the StringBuilder wrote.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void chunksOfAnySizeWriteWhatOneThreadWrites(long seed) {
        HistoryLayouts gen = new HistoryLayouts(seed);
        for (PlanOptions o : COMBOS) {
            if (Planner.plan(Rows.table(gen.rows), o) instanceof Plan p) {
                String expected = reference(p);
                for (int chunk : new int[] {savedChunk, 1, 2, 3, 64}) {
                    PlanLines.chunkCommands = chunk;
                    assertThat(Rows.jsonl(p)).as("seed %d %s chunk %d (%s)", seed, o, chunk, gen.describe())
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void idsAtTheEdgesOfALongAndManyBuffersFull() {
        // Ids and terms run up to 2^63-1 (the planner refuses others as malformed).
        long[] ids = {1, 9, 10, 99, 100, 12345, 999_999_999_999L, 1L << 62, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        long[] terms = {0, 1, 9, 10, 99, 100, 1L << 62, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        long[] stores = {1, 10, Long.MAX_VALUE, 1L << 40, 99};
        for (boolean stock : new boolean[] {false, true}) {
            Rows rows = Rows.rows();
            int region = 0;
            // 25,000 regions of one replica each on five stores: about 1.8 MiB of plan, so the 1 MiB buffer fills.
            for (int i = 0; i < 25_000; i++) {
                long store = stores[i % stores.length];
                long id = i < ids.length ? ids[i] : 1_000_000L + i;
                String start = String.format("%08x", i);
                String end = String.format("%08x", i + 1);
                if (stock) {
                    rows.add(Rows.Row.stockRow(store, id).withPeer(i + 1).withTerm(terms[i % terms.length])
                            .withIndex(5).withRange(Rows.key(start), Rows.key(end)));
                } else {
                    rows.seed(store, id).term(terms[i % terms.length]).applied(5).range(start, end);
                }
                region++;
            }
            PlanOptions o = (stock ? PlanOptions.of(Policy.BR) : PlanOptions.of(Policy.SEED)).withAcceptHoles(true);
            PlanOutcome outcome = rows.plan(o);
            assertThat(outcome instanceof Plan).as("%d regions, stock %s: %.300s", region, stock, outcome).isTrue();
            Plan p = (Plan) outcome;
            assertThat(Rows.jsonl(p).length()).isGreaterThan(3 << 19); // over 1.5 MiB: the buffer is written out mid-plan
            String expected = reference(p);
            for (int chunk : new int[] {savedChunk, 4_096, 25_000, 1 << 30}) { // several chunks, and one thread
                PlanLines.chunkCommands = chunk;
                assertThat(Rows.jsonl(p)).as("chunk %d stock %s", chunk, stock).isEqualTo(expected);
            }
        }
    }

    /** The writer as it was before PlanLines: one StringBuilder line at a time. */
    private static String reference(Plan p) {
        StringBuilder sb = new StringBuilder();
        boolean seed = p.options().protocol() == Protocol.SEED;
        for (long s : p.stores()) {
            for (int k = p.commandsFrom(s); k < p.commandsTo(s); k++) {
                sb.append("{\"store\":").append(s).append(",\"region_id\":").append(p.commandRegion(k));
                if (seed) {
                    sb.append(",\"term\":").append(p.commandTerm(k)).append(",\"silence\":").append(p.commandSilence(k));
                } else {
                    sb.append(",\"as_leader\":").append(p.commandAsLeader(k));
                }
                sb.append(",\"tombstone\":").append(p.commandTombstone(k)).append("}\n");
            }
        }
        return sb.toString();
    }
}
