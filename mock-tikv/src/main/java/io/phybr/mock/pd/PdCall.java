package io.phybr.mock.pd;

/**
 * One HTTP call the mock PD received, in arrival order. {@code status} is 0 for a call a stall fault never
 * answered (the client gave up or the mock closed).
 */
public record PdCall(String method, String path, String query, String body, int status) {
    /** The path with its query, as sent. */
    public String target() {
        return query == null || query.isEmpty() ? path : path + "?" + query;
    }

    @Override
    public String toString() {
        return method + " " + target() + (body == null || body.isEmpty() ? "" : " " + body) + " -> " + status;
    }
}
