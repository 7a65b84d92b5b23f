package io.phybr.adviser.flashback;

/** The two stages of the flashback finish, each over every region; the second starts only once the first is done. */
public enum Stage {
    PREPARE("flashback-prepare", "prepared", "PrepareFlashbackToVersion"),
    FLASHBACK("flashback", "flashed back", "FlashbackToVersion");

    private final String label;
    private final String done;
    private final String rpc;

    Stage(String label, String done, String rpc) {
        this.label = label;
        this.done = done;
        this.rpc = rpc;
    }

    public String label() {
        return label;
    }

    /** "prepared", "flashed back". */
    public String done() {
        return done;
    }

    /** The TiKV call of the stage. */
    public String rpc() {
        return rpc;
    }

    @Override
    public String toString() {
        return label;
    }
}
