package io.phybr.mock.pd;

/**
 * A PD fault as data: the next {@code times} calls matching {@code method} (or "*") and {@code pathPrefix} are
 * answered as {@code kind} says, and change nothing.
 * <ul>
 *   <li>{@link Kind#STATUS}: answered with HTTP {@code status};</li>
 *   <li>{@link Kind#STALL}: never answered (no status line) until the mock closes;</li>
 *   <li>{@link Kind#STALL_BODY}: status line and headers ({@code Content-Length} of a full answer) are sent, then part
 *       of the body, then nothing until the mock closes — a PD whose answer stalls mid-body (issue 14 item 3).</li>
 * </ul>
 */
public record PdFault(String method, String pathPrefix, int times, int status, Kind kind) {
    /** How a faulted call is answered. */
    public enum Kind { STATUS, STALL, STALL_BODY }

    public PdFault(String method, String pathPrefix, int times, int status) {
        this(method, pathPrefix, times, status, Kind.STATUS);
    }

    public static PdFault stall(String method, String pathPrefix, int times) {
        return new PdFault(method, pathPrefix, times, 0, Kind.STALL);
    }

    public static PdFault stallBody(String method, String pathPrefix, int times) {
        return new PdFault(method, pathPrefix, times, 200, Kind.STALL_BODY);
    }

    public boolean matches(String m, String path) {
        return ("*".equals(method) || method.equalsIgnoreCase(m)) && path.startsWith(pathPrefix);
    }
}
