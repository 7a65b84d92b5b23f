package io.phybr.adviser.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.dump.DumpReader;
import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.dump.StockReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The peer_id and commit_index columns exist only once a row brings either (a seed dump's table goes without
 * them): every row still reads what it was given, 0 for a row that had none, however seed and stock rows mix —
 * one by one, through the dump reader's reused blocks, or appended from another table.
 */
class ReplicaTableStockColumnsTest {
    private static final byte[] NO_KEY = new byte[0];

    @Test
    void seedRowsBeforeAndAfterAStockRowReadZero() {
        ReplicaTable t = new ReplicaTable(2); // grows past its capacity after the columns appear
        t.addSeed(seed(1, 10));
        t.addSeed(seed(2, 10));
        assertThat(t.hasStockColumns()).isFalse();
        assertThat(t.commitColumn()).containsExactly(0, 0);
        t.addStock(stock(3, 10, 77, 99));
        t.addSeed(seed(1, 11));
        t.addStock(stock(2, 11, 0, 0)); // a stock row of zeros reads as zeros either way
        assertThat(t.hasStockColumns()).isTrue();
        long[][] want = {{0, 0}, {0, 0}, {77, 99}, {0, 0}, {0, 0}};
        for (int i = 0; i < t.size(); i++) {
            assertThat(new long[] {t.peerId(i), t.commitIndex(i)}).as("row %d", i).containsExactly(want[i]);
        }
        assertThat(t.commitColumn()).startsWith(0, 0, 99, 0, 0);
    }

    @Test
    void appendingCarriesTheColumnsEitherWay() {
        ReplicaTable seedOnly = new ReplicaTable();
        seedOnly.addSeed(seed(1, 5));
        ReplicaTable withStock = new ReplicaTable();
        withStock.addStock(stock(2, 6, 61, 62));

        ReplicaTable a = new ReplicaTable();
        a.appendAll(seedOnly);
        a.appendAll(withStock);
        a.appendAll(seedOnly);
        ReplicaTable b = new ReplicaTable();
        b.appendAll(withStock);
        b.appendAll(seedOnly);
        assertThat(new long[] {a.peerId(0), a.peerId(1), a.commitIndex(1), a.peerId(2), a.commitIndex(2)})
                .containsExactly(0, 61, 62, 0, 0);
        assertThat(new long[] {b.peerId(0), b.commitIndex(0), b.peerId(1), b.commitIndex(1)})
                .containsExactly(61, 62, 0, 0);
    }

    @Test
    void theFastReaderAgreesWithRowByRowAddsOnAMixedDumpOfSeveralBlocks() throws IOException {
        // ~60k lines (~13 MB): several of the reader's 4 MiB blocks, so pooled batches that held stock rows are
        // reused for seed rows; the general parser adds the same lines one by one.
        SplittableRandom r = new SplittableRandom(2026112716L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DumpWriter w = new DumpWriter(bytes)) {
            for (int line = 0; line < 60_000; line++) {
                boolean stockRun = (line / 7_000) % 2 == 1; // long runs of each kind, and a few strays
                if (stockRun != (r.nextInt(50) == 0)) {
                    w.writeStock(stock(1 + r.nextInt(3), line + 1, r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(1000),
                            r.nextInt(1_000_000)));
                } else {
                    w.writeSeed(seed(1 + r.nextInt(3), line + 1));
                }
            }
        }
        ReplicaTable fast = new ReplicaTable();
        DumpReader.read(new ByteArrayInputStream(bytes.toByteArray()), fast);
        ReplicaTable general = new ReplicaTable();
        DumpReader.readGeneral(new ByteArrayInputStream(bytes.toByteArray()), general, null);
        assertThat(fast.size()).isEqualTo(general.size()).isEqualTo(60_000);
        int stockRows = 0;
        for (int i = 0; i < fast.size(); i++) {
            assertThat(new long[] {fast.store(i), fast.regionId(i), fast.peerId(i), fast.commitIndex(i),
                    fast.index(i), fast.term(i)}).as("row %d", i).containsExactly(general.store(i),
                    general.regionId(i), general.peerId(i), general.commitIndex(i), general.index(i), general.term(i));
            assertThat(fast.stockFields(i)).as("row %d", i).isEqualTo(general.stockFields(i));
            stockRows += fast.stockFields(i) ? 1 : 0;
        }
        assertThat(stockRows).isBetween(20_000, 35_000);
    }

    private static SeedReport seed(long store, long region) {
        return new SeedReport().store(store).region(region).appliedIndex(5).term(2).version(1).keys(NO_KEY, NO_KEY);
    }

    private static StockReport stock(long store, long region, long peer, long commit) {
        return new StockReport().store(store).region(region).peerId(peer).lastLogTerm(2).lastIndex(5)
                .commitIndex(commit).version(1).keys(NO_KEY, NO_KEY);
    }
}
