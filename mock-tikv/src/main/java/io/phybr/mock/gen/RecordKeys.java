package io.phybr.mock.gen;

import io.phybr.mock.model.Keys;

/**
 * The one key maker of every generated layout (the {@code stores} layout, {@code dump --regions}, random
 * histories, benchmark layouts): ordinal {@code n ≥ 0} is the TiDB record key of row {@code n % rowsPerTable}
 * of table {@code firstTable + n / rowsPerTable}, memcomparable-encoded as TiKV holds region boundaries
 * ({@link Keys#tidbRecordKey}: TiDB's {@code tablecodec.EncodeRowKeyWithHandle} — {@code 't'},
 * {@code codec.EncodeInt(table)}, {@code "_r"}, {@code codec.EncodeInt(handle)} — then {@code codec.EncodeBytes}).
 * A larger ordinal gives a larger key in unsigned byte order, for any ordinal, so a generator that picks
 * increasing ordinals as boundaries tiles the key space in TiKV's order at any size (decimal text keys such as
 * {@code k9999} / {@code k10000} do not).
 */
public final class RecordKeys {
    /** Key length of every ordinal: 19 raw bytes, encoded in three 9-byte groups. */
    public static final int LENGTH = Keys.TIDB_RECORD_KEY_LENGTH;

    /**
     * The capacity layouts' key space: tables from 100 on, 200 million rows each (a table per 200,000
     * regions of 1,000 rows).
     */
    public static final RecordKeys CAPACITY = new RecordKeys(100, 200_000_000L);

    private final long firstTable;
    private final long rowsPerTable;

    public RecordKeys(long firstTable, long rowsPerTable) {
        if (firstTable < 0 || rowsPerTable < 1) {
            throw new IllegalArgumentException("table ids and rows per table must be positive");
        }
        this.firstTable = firstTable;
        this.rowsPerTable = rowsPerTable;
    }

    /** The key of {@code ordinal} (≥ 0), freshly allocated. */
    public byte[] key(long ordinal) {
        byte[] out = new byte[LENGTH];
        key(ordinal, out);
        return out;
    }

    /** Writes the key of {@code ordinal} (≥ 0) into {@code out} ({@link #LENGTH} bytes) without allocating. */
    public void key(long ordinal, byte[] out) {
        if (ordinal < 0) {
            throw new IllegalArgumentException("key ordinal " + ordinal + " is negative");
        }
        Keys.tidbRecordKey(firstTable + ordinal / rowsPerTable, ordinal % rowsPerTable, out);
    }
}
