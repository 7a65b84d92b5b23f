package io.phybr.adviser.flashback;

/**
 * One piece of the key space the flashback walks: a region the plan kept, its range (the leader replica's) and the
 * store the plan made (or RecoverRounds moved) its leader. PD's routes are checked against it; TiKV's answers decide.
 */
public record Span(long regionId, byte[] start, byte[] end, long plannedLeaderStore) {
    public String describe() {
        return "region " + regionId + " " + Keys.range(start, end) + " (planned leader on store " + plannedLeaderStore + ")";
    }
}
