package io.phybr.adviser.plan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A tiny DSL for replica rows in tests: {@code rows().seed(1, 10).idx(20).term(6).ver(3).range("", "62")}.
 * Keys are given as lowercase hex, as in the dump format.
 */
final class Rows {
    private static final HexFormat HEX = HexFormat.of();

    /** One replica; {@code term} is last_log_term and {@code index} last_index for stock rows. */
    record Row(long store, long region, long peer, long index, long term, long commit, long version,
               boolean tombstone, byte[] start, byte[] end, boolean stock) {
        String startHex() { return HEX.formatHex(start); }
        String endHex() { return HEX.formatHex(end); }
    }

    final List<Row> list = new ArrayList<>();

    static Rows rows() {
        return new Rows();
    }

    static byte[] key(String hex) {
        return HEX.parseHex(hex);
    }

    Rows seed(long store, long region, long appliedIndex, long term, long version, String start, String end) {
        list.add(new Row(store, region, 0, appliedIndex, term, 0, version, false, key(start), key(end), false));
        return this;
    }

    Rows seedTomb(long store, long region, long appliedIndex, long term, long version, String start, String end) {
        list.add(new Row(store, region, 0, appliedIndex, term, 0, version, true, key(start), key(end), false));
        return this;
    }

    Rows stock(long store, long region, long lastLogTerm, long lastIndex, long commit, long version, String start, String end) {
        list.add(new Row(store, region, region * 10 + store, lastIndex, lastLogTerm, commit, version, false,
                key(start), key(end), true));
        return this;
    }

    Rows add(Row r) {
        list.add(r);
        return this;
    }

    ReplicaTable table() {
        return table(list);
    }

    static ReplicaTable table(List<Row> rows) {
        ReplicaTable t = new ReplicaTable(4);
        for (Row r : rows) {
            if (r.stock()) {
                t.addStock(r.store(), r.region(), r.peer(), r.term(), r.index(), r.commit(), r.version(), r.tombstone(),
                        r.start(), r.end());
            } else {
                t.addSeed(r.store(), r.region(), r.index(), r.term(), r.version(), r.tombstone(), r.start(), r.end());
            }
        }
        return t;
    }

    PlanOutcome plan(Policy policy) {
        return Planner.plan(table(), PlanOptions.of(policy));
    }

    PlanOutcome plan(PlanOptions options) {
        return Planner.plan(table(), options);
    }

    static String jsonl(Plan p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            p.writeJsonLines(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
