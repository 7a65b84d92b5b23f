package io.phybr.adviser.flashback;

import java.util.Optional;

/** What the flashback needs from PD beyond its HTTP API: a timestamp, and the region (with leader) of a key. */
public interface PdRoutes extends AutoCloseable {
    /** A fresh timestamp from PD's TSO. */
    long tso() throws PdUnavailable;

    /**
     * The region containing {@code key} (a boundary-space key) with its epoch and leader, as PD last heard from the
     * leader's heartbeat; empty when PD knows no region there.
     */
    Optional<RegionRoute> region(byte[] key) throws PdUnavailable;

    /**
     * PD's regions from {@code start} on, in key order, at most {@code limit} (pdpb ScanRegions, as client-go's region
     * cache loads them in batches); each with its leader when one has reported.
     */
    java.util.List<RegionRoute> scan(byte[] start, int limit) throws PdUnavailable;

    @Override
    void close();

    /** PD could not answer (down, not serving the call, or answered an error header). */
    final class PdUnavailable extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean unimplemented;

        public PdUnavailable(String message, boolean unimplemented) {
            super(message);
            this.unimplemented = unimplemented;
        }

        /** PD does not serve the call at all (not a PD, or one without it). */
        public boolean unimplemented() {
            return unimplemented;
        }
    }
}
