package io.phybr.contract.dump;

/** A dump line that cannot be read; the message names the line and what is wrong with it. */
public final class DumpFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long line;
    private final boolean endOfInput;

    public DumpFormatException(long line, String message) {
        this(line, message, false);
    }

    DumpFormatException(long line, String message, boolean endOfInput) {
        super("dump line " + line + ": " + message);
        this.line = line;
        this.endOfInput = endOfInput;
    }

    /** Whether the input ended inside the line's JSON (what a write cut short by a crash leaves). */
    boolean endOfInput() {
        return endOfInput;
    }

    public long line() {
        return line;
    }
}
