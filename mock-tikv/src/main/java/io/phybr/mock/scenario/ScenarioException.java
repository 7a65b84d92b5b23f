package io.phybr.mock.scenario;

/** A scenario file that cannot be read; the message is one paragraph naming file and line. */
public final class ScenarioException extends IllegalArgumentException {
    public ScenarioException(String message) {
        super(message);
    }
}
