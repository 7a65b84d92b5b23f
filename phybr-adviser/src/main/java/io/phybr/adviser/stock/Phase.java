package io.phybr.adviser.stock;

/** The phases of a stock recovery, in order; {@link #label()} is the name the operator reads. */
public enum Phase {
    /** PD marked snapshot-recovering, TiKV stores listed, scheduling held off. */
    PREPARE("prepare"),
    /** ReadRegionMeta from every store. */
    COLLECT("collect"),
    /** The BR policy over every meta; a refusal changes nothing on any store. */
    PLAN("plan"),
    /** PD's base alloc id raised above every store/region/peer id seen. */
    ALLOC_ID("alloc-id"),
    /** RecoverRegion to every store with commands. */
    RECOVER("recover"),
    /** WaitApply on every store. */
    WAIT_APPLY("wait-apply"),
    /** ResolveKvData with the resolved ts on every store. */
    RESOLVE("resolve"),
    /** The flashback finish, first stage: PrepareFlashbackToVersion on every region through its leader. */
    FLASHBACK_PREPARE("flashback-prepare"),
    /** The flashback finish, second stage: FlashbackToVersion on every region to the resolved ts. */
    FLASHBACK("flashback"),
    /** PD's scheduling put back, the marker removed. */
    FINISH("finish"),
    /** Nothing left to do (also after a dry run's plan). */
    DONE("done");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
