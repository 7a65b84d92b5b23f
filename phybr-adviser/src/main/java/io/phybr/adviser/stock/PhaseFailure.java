package io.phybr.adviser.stock;

import io.phybr.contract.ExitCode;

/** A phase could not finish; the message is the one paragraph the operator reads. */
final class PhaseFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final ExitCode code;

    PhaseFailure(ExitCode code, String message) {
        super(message);
        this.code = code;
    }

    ExitCode code() {
        return code;
    }
}
