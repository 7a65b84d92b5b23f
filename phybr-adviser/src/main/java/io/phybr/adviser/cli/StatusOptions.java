package io.phybr.adviser.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine.Option;

/** {@code --status-addr HOST:PORT}: Prometheus metrics and a status JSON while the command runs; off by default. */
final class StatusOptions {
    @Option(names = "--status-addr", paramLabel = "HOST:PORT",
            description = "Serve GET /metrics (Prometheus) and GET /status (JSON) here while the command runs (port 0: any"
                    + " free port, printed in the log). Off by default.")
    String address;

    /** The address, or null if not asked for; throws IllegalArgumentException naming the flag if malformed. */
    InetSocketAddress socketAddress() {
        if (address == null) {
            return null;
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--status-addr " + address + ": expected HOST:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--status-addr " + address + ": the port must be 0-65535");
        }
        String host = address.substring(0, colon);
        return new InetSocketAddress(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host, port);
    }
}
