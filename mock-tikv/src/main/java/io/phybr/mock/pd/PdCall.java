package io.phybr.mock.pd;

/** One HTTP call the mock PD answered, in arrival order. */
public record PdCall(String method, String path, String body, int status) {
    @Override
    public String toString() {
        return method + " " + path + (body == null || body.isEmpty() ? "" : " " + body) + " -> " + status;
    }
}
