package io.phybr.adviser.flashback;

/**
 * One piece of the key space the flashback walks: a region as PD's scan listed it ({@code first}: its range, epoch
 * and leader then), with what the plan says of it — the version its leader replica reported and the store the plan
 * made (or RecoverRounds moved) its leader; {@code plannedLeaderStore} 0 when the plan did not keep a region of that
 * id (it split off since, or PD is stale). TiKV's answers decide; the plan is the cross-check.
 */
public record Span(RegionRoute first, long plannedVersion, long plannedLeaderStore) {
    public long regionId() {
        return first.regionId();
    }

    public byte[] start() {
        return first.start();
    }

    public byte[] end() {
        return first.end();
    }

    /** PD's route disagrees with the plan: another leader store, another version, or a region the plan did not keep. */
    public boolean differs() {
        return plannedLeaderStore == 0 || first.leaderStore() != plannedLeaderStore || first.version() != plannedVersion;
    }

    public String describe() {
        return "region " + first.regionId() + " " + Keys.range(first.start(), first.end())
                + (plannedLeaderStore == 0 ? " (not a region the plan kept)" : " (planned leader on store " + plannedLeaderStore + ")");
    }
}
