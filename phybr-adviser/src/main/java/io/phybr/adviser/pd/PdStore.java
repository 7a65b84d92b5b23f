package io.phybr.adviser.pd;

/**
 * One store as PD lists it ({@code /pd/api/v1/stores}).
 *
 * @param tiflash        labelled {@code engine=tiflash}; such stores take no part in TiKV region recovery
 * @param state          PD's {@code state_name}: Up, Offline, Down, Disconnected, Tombstone, Preparing, Serving...
 * @param startTimestamp PD's {@code start_timestamp} of the store process (seconds); it changes when the
 *                       store restarts (R9); 0 when PD did not say
 * @param version        PD's {@code version} of the store ({@code 7.5.1}); empty when PD did not say
 */
public record PdStore(long id, String address, boolean tiflash, String state, long startTimestamp, String version) {
    public PdStore {
        version = version == null ? "" : version;
    }

    public PdStore(long id, String address, boolean tiflash, String state, long startTimestamp) {
        this(id, address, tiflash, state, startTimestamp, "");
    }

    public PdStore(long id, String address, boolean tiflash, String state) {
        this(id, address, tiflash, state, 0);
    }

    public boolean tombstone() {
        return "Tombstone".equalsIgnoreCase(state);
    }

    /**
     * Null when the address is {@code host:port} as gRPC dials it (a DNS name, IPv4, or [IPv6], and a port 1–65535);
     * else what is wrong with it. gRPC refuses anything else when the channel is built (issue 14: a PD answer
     * probed with a space or a stray colon in an address ended in an internal error).
     */
    public String addressProblem() {
        if (address.isEmpty()) {
            return "it is empty";
        }
        java.net.URI u;
        try {
            u = new java.net.URI("grpc://" + address);
        } catch (java.net.URISyntaxException e) {
            return "it is not host:port";
        }
        if (u.getHost() == null || u.getRawUserInfo() != null || !u.getRawPath().isEmpty() || u.getRawQuery() != null
                || u.getRawFragment() != null) {
            return "it is not host:port";
        }
        if (u.getPort() < 1 || u.getPort() > 65535) {
            return "it has no port between 1 and 65535";
        }
        return null;
    }
}
