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
    public void addStock(long storeId, long regionId, long peerId, long lastLogTerm, long lastIndex, long commitIndex,
                         long version, boolean tombstone, byte[] startKey, byte[] endKey) {
        rows.add(new DumpRow(storeId, regionId, true, peerId, lastIndex, lastLogTerm, commitIndex, version, tombstone,
                startKey, endKey));
    }

    /** The rows read so far, in file order. */
    public List<DumpRow> rows() {
        return rows;
    }
}
