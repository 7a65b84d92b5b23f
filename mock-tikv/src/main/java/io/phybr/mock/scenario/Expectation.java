package io.phybr.mock.scenario;

import java.util.Locale;

/** What a scenario says the adviser must do: recover, or refuse / time out naming the cause. */
public record Expectation(Outcome outcome, String diagnosis) {

    public enum Outcome {
        RECOVERED(0), REFUSED(3), TIMEOUT(4), FAILURE(5);

        /** The adviser's process exit status for this outcome (phybr ExitCode). */
        public final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Outcome ofExitCode(int code) {
            for (Outcome o : values()) {
                if (o.exitCode == code) {
                    return o;
                }
            }
            return null;
        }
    }

    public static final Expectation RECOVERED = new Expectation(Outcome.RECOVERED, "");

    public String render() {
        return "expect " + outcome.word() + (diagnosis.isEmpty() ? "" : " " + diagnosis);
    }
}
