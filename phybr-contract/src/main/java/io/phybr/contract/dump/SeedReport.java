package io.phybr.contract.dump;

/**
 * One seed-protocol report ({@code phybr.RegionMeta}) of one store, named field by field, as a {@link ReplicaSink} or
 * a {@link DumpWriter} takes it: {@code report.store(1).region(7).appliedIndex(40).term(6).version(3).tombstone(false)
 * .keys(start, end)}. Reused like every {@link ReplicaReport}.
 */
public final class SeedReport extends ReplicaReport<SeedReport> {
    private long appliedIndex;
    private long term;

    public SeedReport appliedIndex(long index) {
        this.appliedIndex = index;
        return this;
    }

    public SeedReport term(long t) {
        this.term = t;
        return this;
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public long term() {
        return term;
    }
}
