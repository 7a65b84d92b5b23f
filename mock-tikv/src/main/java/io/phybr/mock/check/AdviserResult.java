package io.phybr.mock.check;

/** How the adviser ended: its exit status (phybr ExitCode) and what it said. */
public record AdviserResult(int exitCode, String diagnosis) {
    public AdviserResult {
        diagnosis = diagnosis == null ? "" : diagnosis;
    }
}
