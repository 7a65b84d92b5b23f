package io.phybr.mock.pd;

import java.util.List;
import java.util.Map;

/**
 * What a recovery may change on PD, at one moment. Compare the state before and after a run:
 * scheduling and the marker must be back as they were; {@code baseAllocId} is meant to move.
 */
public record PdState(Map<String, Long> scheduleConfig, List<String> schedulers, boolean snapshotRecovering,
                      long baseAllocId) {
    public PdState {
        scheduleConfig = Map.copyOf(scheduleConfig);
        schedulers = List.copyOf(schedulers);
    }

    /** The same state with another marker value (what a successful recovery leaves: unmarked). */
    public PdState withMarker(boolean marked) {
        return new PdState(scheduleConfig, schedulers, marked, baseAllocId);
    }

    /** Ignores the alloc id: a recovery raises it on purpose. */
    public PdState withoutAllocId() {
        return new PdState(scheduleConfig, schedulers, snapshotRecovering, 0);
    }
}
