package io.phybr.adviser.plan;

/** Which command set a plan is expressed in (SPEC §4 rule 5). */
public enum Protocol {
    /** The seed's RegionRecover commands: term, silence, tombstone, sent to tikv-phybr agents. */
    SEED,
    /** kvproto's RecoverRegionRequest: as_leader for kept regions, tombstone for dropped ones. */
    STOCK;

    /** The protocol a policy is normally used with: the seed policy with seed agents, BR's with stock TiKV. */
    public static Protocol defaultFor(Policy policy) {
        return policy == Policy.SEED ? SEED : STOCK;
    }

    public static Protocol parse(String text) {
        for (Protocol p : values()) {
            if (p.name().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + text + "' (expected seed or stock)");
    }
}
