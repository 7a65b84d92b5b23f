package io.phybr.mock.scenario;

import java.time.Duration;

/** A misbehaviour of one store's agent, scripted as data. */
public record Fault(Kind kind, long store, int after, Duration delay, long region) {

    public enum Kind {
        /** The store never shows up. */
        ABSENT("absent"),
        /** The agent process dies after sending {@code after} metas, then restarts and reports again. */
        CRASH_MID_STREAM("crash-mid-stream"),
        /** The agent cancels its stream after {@code after} metas and opens a new one on the same channel. */
        RESET_STREAM("reset-stream"),
        /** The agent waits {@code delay} before each meta. */
        SLOW("slow"),
        /** The agent reports {@code region} twice. */
        DUPLICATE("duplicate"),
        /** The agent reports {@code region} with start and end swapped (start_key > end_key). */
        REVERSED_RANGE("reversed-range"),
        /** The agent adds an unknown field (number 99) to its meta of {@code region}. */
        UNKNOWN_FIELD("unknown-field"),
        /** The agent's connection drops after applying; it reconnects only to call close. */
        DISCONNECT_BEFORE_CLOSE("disconnect-before-close"),
        /** The agent applies its commands and exits without ever calling close. */
        NO_CLOSE("no-close"),
        /** After applying, the store reboots: the agent reports again, re-applies, then closes. */
        REBOOT_AFTER_APPLY("reboot-after-apply");

        public final String word;

        Kind(String word) {
            this.word = word;
        }

        public static Kind of(String word) {
            for (Kind k : values()) {
                if (k.word.equals(word)) {
                    return k;
                }
            }
            return null;
        }
    }

    public String render() {
        String s = "fault store " + store + " " + kind.word;
        return switch (kind) {
            case CRASH_MID_STREAM, RESET_STREAM -> s + " after " + after;
            case SLOW -> s + " " + delay.toMillis() + "ms";
            case DUPLICATE, REVERSED_RANGE, UNKNOWN_FIELD -> s + " region " + region;
            default -> s;
        };
    }
}
