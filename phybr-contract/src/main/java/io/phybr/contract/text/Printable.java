package io.phybr.contract.text;

/**
 * Makes text from outside (a PD answer, a dump line, a manifest) safe to print on the operator's terminal:
 * control characters (C0, DEL, C1 — escape sequences that would move the cursor, recolour or clear the
 * screen) and invisible format characters (bidi overrides) are shown as {@code \\uXXXX} (newline and tab
 * as {@code \\n} and {@code \\t}), so a message stays one readable paragraph and a hostile peer cannot
 * write to the terminal through it.
 */
public final class Printable {
    private Printable() {
    }

    public static String escape(CharSequence s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = Character.isISOControl(c) || Character.getType(c) == Character.FORMAT;
            if (!bad) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? s.toString() : out.toString();
    }

    /** {@link #escape}, cut to {@code max} characters (with "…") after escaping. */
    public static String escape(CharSequence s, int max) {
        String t = escape(s);
        return t.length() > max ? t.substring(0, max) + "…" : t;
    }

    /** Where Jackson says a broken object started: its own internals ("[Source: REDACTED …; line: 1, column: 1]"). */
    private static final java.util.regex.Pattern JSON_LOCATION = java.util.regex.Pattern.compile(
            "\\s*\\((?:start marker|for \\w+ starting) at \\[Source: [^\\]]*\\]\\)");

    /**
     * A JSON parser's message (Jackson's {@code getOriginalMessage()}) made printable, without the library's
     * references to its own source location: the caller names the file and line itself.
     */
    public static String jsonProblem(String message) {
        return escape(message == null ? "" : JSON_LOCATION.matcher(message).replaceAll(""));
    }
}
