package io.phybr.mock.pd;

/** What the mock PD answers one HTTP call: a status and a body (JSON, or PD's plain-text error). */
record PdReply(int status, String body) {
    static PdReply ok(String body) {
        return new PdReply(200, body);
    }

    /** PD's handlers answer errors as a JSON string ({@code h.rd.JSON(w, status, err.Error())}). */
    static PdReply error(int status, String message) {
        return new PdReply(status, quote(message));
    }

    /** Some handlers (admin.go) answer plain text. */
    static PdReply text(int status, String message) {
        return new PdReply(status, message);
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
