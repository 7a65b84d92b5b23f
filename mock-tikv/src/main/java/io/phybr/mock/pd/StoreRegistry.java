package io.phybr.mock.pd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stores PD knows and the regions' leaders as their heartbeats told PD.
 * <ul>
 *   <li>R14: after a volume-snapshot restore PD is fresh and TiKVs register one by one as they boot
 *       (tidb-operator#5242). Stores can start registered, or wait in a script and register one per
 *       {@code every} listings of {@code GET /pd/api/v1/stores} (so an early reader sees a subset), or on demand.</li>
 *   <li>R9: a restarted store registers again with a new {@code start_timestamp} (tikv/pd
 *       {@code server/api/store.go}: {@code StoreInfo.Store.StartTimestamp}).</li>
 *   <li>Regions appear only when a leader heartbeats them; a restarted store sends no heartbeat for the regions it
 *       led, so PD keeps showing it as their leader (stale) until another leader reports — the mock models that
 *       harsher reading: PD's leader list alone cannot prove a region leads.</li>
 * </ul>
 * Not thread-safe: {@link PdModel} serialises access.
 */
final class StoreRegistry {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final class Registered {
        MockPd.Store store;
        long startTimestamp;

        Registered(MockPd.Store store, long startTimestamp) {
            this.store = store;
            this.startTimestamp = startTimestamp;
        }
    }

    private final Clock clock;
    private final Map<Long, Registered> stores = new TreeMap<>();
    private final Deque<MockPd.Store> pending = new ArrayDeque<>();
    private int every;
    private int listingsSinceLast;
    /** Stores that register once PD has answered so many listings without them (R14, by store). */
    private final Map<Long, Map.Entry<MockPd.Store, Integer>> lateBy = new TreeMap<>();
    private int listingsAnswered;
    private final Map<Long, RegionHeartbeat> regions = new TreeMap<>();

    StoreRegistry(Clock clock, List<MockPd.Store> initial) {
        this.clock = clock;
        initial.forEach(this::register);
    }

    void register(MockPd.Store s) {
        Registered old = stores.get(s.id());
        long now = clock.millis() / 1000;
        long ts = old == null ? now : Math.max(now, old.startTimestamp + 1);
        pending.removeIf(p -> p.id() == s.id());
        lateBy.remove(s.id());
        stores.put(s.id(), new Registered(s, ts));
    }

    void script(List<MockPd.Store> later, int everyListings) {
        if (everyListings < 1) {
            throw new IllegalArgumentException("every must be >= 1");
        }
        pending.addAll(later);
        this.every = everyListings;
        this.listingsSinceLast = 0;
    }

    /** Store {@code s} registers only after {@code listings} listings were answered without it. */
    void registerAfter(MockPd.Store s, int listings) {
        if (listings < 1) {
            throw new IllegalArgumentException("listings must be >= 1");
        }
        lateBy.put(s.id(), Map.entry(s, listingsAnswered + listings));
    }

    List<Long> pendingIds() {
        List<Long> out = new java.util.ArrayList<>(pending.stream().map(MockPd.Store::id).toList());
        out.addAll(lateBy.keySet());
        return out;
    }

    /** A store restarted: it registers again with a strictly newer start timestamp (R9). */
    void restarted(long id) {
        Registered r = stores.get(id);
        if (r == null) {
            throw new IllegalArgumentException("store " + id + " never registered");
        }
        register(r.store);
    }

    void replace(List<MockPd.Store> all) {
        stores.clear();
        all.forEach(this::register);
    }

    Map<Long, Long> startTimestamps() {
        Map<Long, Long> out = new TreeMap<>();
        stores.forEach((id, r) -> out.put(id, r.startTimestamp));
        return out;
    }

    void heartbeat(RegionHeartbeat hb) {
        RegionHeartbeat old = regions.get(hb.regionId());
        if (old != null && (hb.version() < old.version() || hb.version() == old.version() && hb.confVer() < old.confVer())) {
            return; // PD drops a heartbeat with a stale epoch
        }
        for (RegionHeartbeat o : regions.values()) {
            if (o.regionId() != hb.regionId() && overlap(o, hb) && hb.version() < o.version()) {
                return; // pkg/core/region.go check: a heartbeat older than a region it overlaps is stale
            }
        }
        // pkg/core/region.go setRegionLocked: the regions the new range overlaps leave the tree and the id map, so a
        // region merged away is no longer found by id (404) and its keys belong to the merge target
        regions.values().removeIf(o -> o.regionId() != hb.regionId() && overlap(o, hb));
        regions.put(hb.regionId(), hb);
    }

    private static boolean overlap(RegionHeartbeat a, RegionHeartbeat b) {
        return before(a.startKey(), b.endKey()) && before(b.startKey(), a.endKey());
    }

    /** {@code key < end}, an empty end meaning +∞. */
    private static boolean before(byte[] key, byte[] end) {
        return end.length == 0 || java.util.Arrays.compareUnsigned(key, end) < 0;
    }

    Map<Long, Long> leaders() {
        Map<Long, Long> out = new TreeMap<>();
        regions.forEach((id, hb) -> out.put(id, hb.leaderStore()));
        return out;
    }

    /** {@code GET /pd/api/v1/stores}: every registered store but tombstones; a listing may let the next one in. */
    PdReply list() {
        if (!pending.isEmpty() && ++listingsSinceLast >= every) {
            listingsSinceLast = 0;
            register(pending.poll());
        }
        for (Map.Entry<MockPd.Store, Integer> late : List.copyOf(lateBy.values())) {
            if (listingsAnswered >= late.getValue()) {
                register(late.getKey());
            }
        }
        listingsAnswered++;
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = JSON.createArrayNode();
        for (Registered r : stores.values()) {
            if (!"Tombstone".equals(r.store.state())) {
                arr.add(storeJson(r));
            }
        }
        root.put("count", arr.size());
        root.set("stores", arr);
        return PdReply.ok(root.toString());
    }

    /** {@code GET /pd/api/v1/store/{id}}. */
    PdReply get(long id) {
        Registered r = stores.get(id);
        return r == null ? PdReply.error(404, "[PD:core:ErrStoreNotFound]store id " + id + " not found")
                : PdReply.ok(storeJson(r).toString());
    }

    private ObjectNode storeJson(Registered r) {
        MockPd.Store s = r.store;
        ObjectNode o = JSON.createObjectNode();
        ObjectNode st = o.putObject("store");
        st.put("id", s.id());
        st.put("address", s.address());
        ArrayNode labels = st.putArray("labels");
        if (s.tiflash()) {
            labels.addObject().put("key", "engine").put("value", "tiflash");
        }
        st.put("version", s.version());
        st.put("start_timestamp", r.startTimestamp);
        st.put("state_name", s.state());
        o.putObject("status").put("start_ts", Instant.ofEpochSecond(r.startTimestamp).toString());
        return o;
    }

    /** {@code GET /pd/api/v1/regions}. */
    PdReply regions() {
        ObjectNode root = JSON.createObjectNode();
        root.put("count", regions.size());
        ArrayNode arr = root.putArray("regions");
        regions.values().forEach(hb -> arr.add(regionJson(hb)));
        return PdReply.ok(root.toString());
    }

    /** {@code GET /pd/api/v1/region/id/{id}}: 404 for a region no leader has reported (server/api/region.go). */
    PdReply region(String idText) {
        long id;
        try {
            id = Long.parseUnsignedLong(idText);
        } catch (NumberFormatException e) {
            return PdReply.error(400, "strconv.ParseUint: parsing \"" + idText + "\": invalid syntax");
        }
        if (id == 0) {
            return PdReply.error(400, "[PD:core:ErrRegionInvalidID]invalid region id");
        }
        RegionHeartbeat hb = regions.get(id);
        return hb == null ? PdReply.error(404, "[PD:region:ErrRegionNotFound]region " + id + " not found")
                : PdReply.ok(regionJson(hb).toString());
    }

    /**
     * {@code GET /pd/api/v1/region/key/{key}[?format=hex]} (server/api/region.go GetRegion): the region whose range
     * holds the key, 404 where no heartbeat told PD of one.
     */
    PdReply regionAt(String keyText, String format) {
        byte[] key;
        String k = java.net.URLDecoder.decode(keyText, java.nio.charset.StandardCharsets.UTF_8);
        if ("hex".equals(format)) {
            try {
                key = HexFormat.of().parseHex(k);
            } catch (IllegalArgumentException e) {
                return PdReply.error(400, "encoding/hex: invalid byte");
            }
        } else {
            key = k.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        for (RegionHeartbeat hb : regions.values()) {
            if (java.util.Arrays.compareUnsigned(hb.startKey(), key) <= 0 && before(key, hb.endKey())) {
                return PdReply.ok(regionJson(hb).toString());
            }
        }
        return PdReply.error(404, "[PD:region:ErrRegionNotFound]region not found");
    }

    private static ObjectNode regionJson(RegionHeartbeat hb) {
        HexFormat hex = HexFormat.of().withUpperCase();
        ObjectNode o = JSON.createObjectNode();
        o.put("id", hb.regionId());
        o.put("start_key", hex.formatHex(hb.startKey()));
        o.put("end_key", hex.formatHex(hb.endKey()));
        o.putObject("epoch").put("conf_ver", hb.confVer()).put("version", hb.version());
        ArrayNode peers = o.putArray("peers");
        hb.peers().forEach(p -> peers.addObject().put("id", p.id()).put("store_id", p.storeId()).put("role_name", "Voter"));
        o.putObject("leader").put("id", hb.leaderPeer()).put("store_id", hb.leaderStore()).put("role_name", "Voter");
        return o;
    }

    /** Regions as their last heartbeats told PD, by id. */
    List<RegionHeartbeat> regionList() {
        return List.copyOf(regions.values());
    }

    /** Registered stores with their start timestamps (seconds). */
    Map<MockPd.Store, Long> registeredWithStart() {
        Map<MockPd.Store, Long> out = new LinkedHashMap<>();
        stores.values().forEach(r -> out.put(r.store, r.startTimestamp));
        return out;
    }

    Map<Long, MockPd.Store> registered() {
        Map<Long, MockPd.Store> out = new LinkedHashMap<>();
        stores.forEach((id, r) -> out.put(id, r.store));
        return out;
    }
}
