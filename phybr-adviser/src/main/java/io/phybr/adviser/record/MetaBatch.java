package io.phybr.adviser.record;

import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.dump.StockReport;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reports of one stream as they arrived, raw, in columns (numbers, a tombstone flag, keys back to back in one
 * arena), waiting for the recorder's writer thread to encode them as dump lines: the collection thread only copies
 * a report's fields here (no JSON on its CPU). One protocol per batch. Full at {@link #METAS} reports or
 * {@link #KEY_BYTES} key bytes, so one batch holds ~100 KiB however long the keys (plus one report's keys).
 */
final class MetaBatch {
    static final int METAS = 1024;
    static final int KEY_BYTES = 64 * 1024;

    private final boolean stock;
    private final int width;
    private final long[] numbers;
    private final boolean[] tombstone = new boolean[METAS];
    private final int[] startLen = new int[METAS];
    private final int[] endLen = new int[METAS];
    private byte[] keys = new byte[8 * 1024];
    private int keyBytes;
    private int n;

    private MetaBatch(boolean stock) {
        this.stock = stock;
        this.width = stock ? 6 : 4;
        this.numbers = new long[METAS * width];
    }

    static MetaBatch seed() {
        return new MetaBatch(false);
    }

    static MetaBatch stock() {
        return new MetaBatch(true);
    }

    boolean isStock() {
        return stock;
    }

    boolean full() {
        return n == METAS || keyBytes >= KEY_BYTES;
    }

    int size() {
        return n;
    }

    /** A seed report (its keys copied: they may be slices of a reused buffer). */
    void seed(SeedReport r) {
        int at = n * width;
        numbers[at] = r.regionId();
        numbers[at + 1] = r.appliedIndex();
        numbers[at + 2] = r.term();
        numbers[at + 3] = r.version();
        add(r.tombstone(), r.startBuffer(), r.startOffset(), r.startLength(), r.endBuffer(), r.endOffset(),
                r.endLength());
    }

    /** A stock report (its keys copied, as a seed report's). */
    void stock(StockReport r) {
        int at = n * width;
        numbers[at] = r.regionId();
        numbers[at + 1] = r.peerId();
        numbers[at + 2] = r.lastLogTerm();
        numbers[at + 3] = r.lastIndex();
        numbers[at + 4] = r.commitIndex();
        numbers[at + 5] = r.version();
        add(r.tombstone(), r.startBuffer(), r.startOffset(), r.startLength(), r.endBuffer(), r.endOffset(),
                r.endLength());
    }

    private void add(boolean tomb, byte[] start, int startOff, int startLength, byte[] end, int endOff,
                     int endLength) {
        int need = keyBytes + startLength + endLength;
        if (need > keys.length) {
            keys = Arrays.copyOf(keys, Math.max(need, Math.min(2 * keys.length, KEY_BYTES + need)));
        }
        System.arraycopy(start, startOff, keys, keyBytes, startLength);
        System.arraycopy(end, endOff, keys, keyBytes + startLength, endLength);
        keyBytes = need;
        tombstone[n] = tomb;
        startLen[n] = startLength;
        endLen[n] = endLength;
        n++;
    }

    /**
     * Encodes the reports, in order, as {@code store}'s dump lines: exactly the calls the collection thread used to
     * make on its own {@link DumpWriter}, so the lines and the writer's chunking are the same.
     */
    void writeTo(DumpWriter w, long store) throws IOException {
        SeedReport r = stock ? null : new SeedReport();
        StockReport k = stock ? new StockReport() : null;
        int key = 0;
        for (int i = 0; i < n; i++) {
            int at = i * width;
            int endAt = key + startLen[i];
            if (stock) {
                w.writeStock(k.store(store).region(numbers[at]).peerId(numbers[at + 1]).lastLogTerm(numbers[at + 2])
                        .lastIndex(numbers[at + 3]).commitIndex(numbers[at + 4]).version(numbers[at + 5])
                        .tombstone(tombstone[i]).keySlices(keys, key, startLen[i], endAt, endLen[i]));
            } else {
                w.writeSeed(r.store(store).region(numbers[at]).appliedIndex(numbers[at + 1]).term(numbers[at + 2])
                        .version(numbers[at + 3]).tombstone(tombstone[i])
                        .keySlices(keys, key, startLen[i], endAt, endLen[i]));
            }
            key = endAt + endLen[i];
        }
    }
}
