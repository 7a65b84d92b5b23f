package io.phybr.contract.dump;

import java.util.ArrayList;
import java.util.List;

/** A {@link ReplicaSink} that keeps every line as a {@link DumpRow}, in file order. */
public final class DumpRows implements ReplicaSink {
    private final List<DumpRow> rows = new ArrayList<>();

    @Override
    public void addSeed(SeedReport r) {
        rows.add(new DumpRow(r.store(), r.regionId(), false, 0, r.appliedIndex(), r.term(), 0, r.version(),
                r.tombstone(), r.startKey(), r.endKey()));
    }

    @Override
    public void addStock(StockReport r) {
        rows.add(new DumpRow(r.store(), r.regionId(), true, r.peerId(), r.lastIndex(), r.lastLogTerm(),
                r.commitIndex(), r.version(), r.tombstone(), r.startKey(), r.endKey()));
    }

    /** The rows read so far, in file order. */
    public List<DumpRow> rows() {
        return rows;
    }
}
