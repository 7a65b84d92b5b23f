package io.phybr.adviser.dump;

/** A dump line that cannot be read; the message names the line and what is wrong with it. */
public final class DumpFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long line;

    public DumpFormatException(long line, String message) {
        super("dump line " + line + ": " + message);
        this.line = line;
    }

    public long line() {
        return line;
    }
}
