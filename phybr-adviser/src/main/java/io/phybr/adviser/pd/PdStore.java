package io.phybr.adviser.pd;

/**
 * One store as PD lists it ({@code /pd/api/v1/stores}).
 *
 * @param tiflash  labelled {@code engine=tiflash}; such stores take no part in TiKV region recovery
 * @param state    PD's {@code state_name}: Up, Offline, Down, Disconnected, Tombstone, Preparing, Serving...
 */
public record PdStore(long id, String address, boolean tiflash, String state) {
    public boolean tombstone() {
        return "Tombstone".equalsIgnoreCase(state);
    }
}
