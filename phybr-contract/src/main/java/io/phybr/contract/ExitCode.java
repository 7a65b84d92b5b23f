package io.phybr.contract;

/** Process exit codes of every phybr command; documented in README. */
public enum ExitCode {
    /** The job finished: recovery done, or the plan was written. */
    OK(0),
    /** A bug in phybr: please report it with the recorded run. */
    INTERNAL(1),
    /** Bad command line. */
    USAGE(2),
    /** No safe plan: malformed reports or holes in the key space; nothing was sent to any store. */
    REFUSED(3),
    /** A phase timed out (stores that never reported, never closed, never applied). */
    TIMEOUT(4),
    /** A store or PD failed or was lost (transport error, store error, retries exhausted). */
    FAILURE(5),
    /** An input file (dump, backup meta) is unreadable or malformed. */
    BAD_INPUT(6),
    /** The Java heap was too small for the input; the message says how much it needs and how to give it. */
    OUT_OF_MEMORY(7);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
