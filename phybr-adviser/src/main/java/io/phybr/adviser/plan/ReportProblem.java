package io.phybr.adviser.plan;

/** A problem with one report, ordered by region, then store, then text. */
record ReportProblem(long store, long region, String what) implements Comparable<ReportProblem> {
    @Override
    public int compareTo(ReportProblem other) {
        int c = Long.compareUnsigned(region, other.region);
        if (c == 0) {
            c = Long.compareUnsigned(store, other.store);
        }
        return c != 0 ? c : what.compareTo(other.what);
    }

    @Override
    public String toString() {
        return "store " + Long.toUnsignedString(store) + " region " + Long.toUnsignedString(region) + ": " + what;
    }
}
