package io.phybr.adviser.protocol.seed;

import java.net.InetSocketAddress;

/** Parses the adviser's listen address: {@code HOST:PORT}, {@code [v6]:PORT}, or {@code :PORT} for every interface. */
final class ListenAddress {
    private ListenAddress() {
    }

    /** @throws IllegalArgumentException with a one-line reason naming the text */
    static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("listen address '" + text + "' is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen address '" + text + "' has no valid port (HOST:PORT, port 0..65535)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen address '" + text + "' has port " + port + " outside 0..65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("listen address '" + text + "': cannot resolve host '" + host + "'");
        }
        return a;
    }
}
