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
}
