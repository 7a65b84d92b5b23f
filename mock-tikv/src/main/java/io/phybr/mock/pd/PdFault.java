package io.phybr.mock.pd;

/**
 * A fault as data: the next {@code times} calls matching {@code method} (or "*") and {@code pathPrefix}
 * are answered with HTTP {@code status} and do nothing.
 */
public record PdFault(String method, String pathPrefix, int times, int status) {
    public boolean matches(String m, String path) {
        return ("*".equals(method) || method.equalsIgnoreCase(m)) && path.startsWith(pathPrefix);
    }
}
