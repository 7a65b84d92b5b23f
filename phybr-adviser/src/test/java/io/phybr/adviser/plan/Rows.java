package io.phybr.adviser.plan;

import io.phybr.contract.dump.StockReport;
import io.phybr.contract.dump.SeedReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A tiny DSL for replica rows in tests, one named field at a time:
 * {@code rows().seed(1, 10).applied(20).term(6).version(3).range("", "62")}.
 * Keys are given as lowercase hex, as in the dump format.
 */
final class Rows {
    private static final HexFormat HEX = HexFormat.of();

    /** One replica; {@code term} is last_log_term and {@code index} last_index for stock rows. */
    record Row(long store, long region, long peer, long index, long term, long commit, long version,
               boolean tombstone, byte[] start, byte[] end, boolean stock) {
        private static final byte[] NO_KEY = new byte[0];

        /** A seed-protocol replica: index and term 0, version 1, live, the whole key space. */
        static Row seedRow(long store, long region) {
            return new Row(store, region, 0, 0, 0, 0, 1, false, NO_KEY, NO_KEY, false);
        }

        /** A stock replica with peer id {@code region * 10 + store}, otherwise as {@link #seedRow}. */
        static Row stockRow(long store, long region) {
            return new Row(store, region, region * 10 + store, 0, 0, 0, 1, false, NO_KEY, NO_KEY, true);
        }

        Row withPeer(long p) {
            return new Row(store, region, p, index, term, commit, version, tombstone, start, end, stock);
        }

        Row withIndex(long i) {
            return new Row(store, region, peer, i, term, commit, version, tombstone, start, end, stock);
        }

        Row withTerm(long t) {
            return new Row(store, region, peer, index, t, commit, version, tombstone, start, end, stock);
        }

        Row withCommit(long c) {
            return new Row(store, region, peer, index, term, c, version, tombstone, start, end, stock);
        }

        Row withVersion(long v) {
            return new Row(store, region, peer, index, term, commit, v, tombstone, start, end, stock);
        }

        Row withTombstone(boolean t) {
            return new Row(store, region, peer, index, term, commit, version, t, start, end, stock);
        }

        Row withRange(byte[] s, byte[] e) {
            return new Row(store, region, peer, index, term, commit, version, tombstone, s, e, stock);
        }

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

    /**
     * Starts a seed-protocol row (a RegionMeta: applied index, term, version) of {@code store}'s replica of
     * {@code region}: index, term 0, version 1, live, the whole key space; the named setters below change it.
     */
    Rows seed(long store, long region) {
        list.add(Row.seedRow(store, region));
        return this;
    }

    /**
     * Starts a stock row (recoverdata's RegionMeta: last_log_term, last_index, commit_index, version; peer id
     * {@code region * 10 + store}) of {@code store}'s replica of {@code region}; the named setters below change it.
     */
    Rows stock(long store, long region) {
        list.add(Row.stockRow(store, region));
        return this;
    }

    /** Seed row: the applied index. */
    Rows applied(long index) {
        return last(last().withIndex(index));
    }

    /** Stock row: last_index. */
    Rows lastIndex(long index) {
        return last(last().withIndex(index));
    }

    /** Seed row: the term. */
    Rows term(long term) {
        return last(last().withTerm(term));
    }

    /** Stock row: last_log_term (the hard-state term, SPEC R2). */
    Rows lastLogTerm(long term) {
        return last(last().withTerm(term));
    }

    /** Stock row: commit_index. */
    Rows commit(long commit) {
        return last(last().withCommit(commit));
    }

    /** The region epoch's version. */
    Rows version(long version) {
        return last(last().withVersion(version));
    }

    /** The range [start, end) as lowercase hex; "" is -inf as a start, +inf as an end. */
    Rows range(String start, String end) {
        return last(last().withRange(key(start), key(end)));
    }

    /** The replica is a Tombstone. */
    Rows tombstone() {
        return last(last().withTombstone(true));
    }

    private Row last() {
        if (list.isEmpty()) {
            throw new IllegalStateException("start a row with seed(store, region) or stock(store, region) first");
        }
        return list.get(list.size() - 1);
    }

    private Rows last(Row r) {
        list.set(list.size() - 1, r);
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
                t.addStock(new StockReport().store(r.store()).region(r.region()).peerId(r.peer()).lastLogTerm(r.term())
                        .lastIndex(r.index()).commitIndex(r.commit()).version(r.version()).tombstone(r.tombstone())
                        .keys(r.start(), r.end()));
            } else {
                t.addSeed(new SeedReport().store(r.store()).region(r.region()).appliedIndex(r.index()).term(r.term())
                        .version(r.version()).tombstone(r.tombstone()).keys(r.start(), r.end()));
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
