package io.phybr.mock.pd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * PD's schedule config as {@code POST /pd/api/v1/config} changes it (tikv/pd {@code server/api/config.go}
 * {@code SetConfig}/{@code updateConfig}, {@code server/server.go} {@code SaveTTLConfig},
 * {@code server/config/persist_options.go} {@code supportedTTLConfigs}):
 * <ul>
 *   <li>the persisted items, which {@code GET /pd/api/v1/config} shows (a TTL item never shows there);</li>
 *   <li>TTL items ({@code ?ttlSecond=N}), which override the persisted value until they expire; {@code ttlSecond=0}
 *       deletes them; only {@code schedule.}-prefixed supported items take a TTL;</li>
 *   <li>a plain write of an item with a live TTL answers 400 "need to clean up TTL first for schedule.X";</li>
 *   <li>items are applied one by one: a bad item answers 400 and leaves the items before it applied. (Real PD walks a
 *       Go map, so its order is random; the mock walks the body in order — a client must not rely on either.)</li>
 * </ul>
 * Not thread-safe: {@link PdModel} serialises access.
 */
final class ScheduleConfig {
    /** Items whose JSON tag has {@code ,string}: PD wants "true"/"false" strings, a bare bool is a 400. */
    static final Set<String> STRING_BOOLS = Set.of("enable-tikv-split-region", "enable-location-replacement",
            "enable-one-way-merge", "enable-cross-table-merge");

    /** {@code supportedTTLConfigs}, without the {@code schedule.} prefix. */
    static final Set<String> TTL_ITEMS = Set.of("max-snapshot-count", "max-merge-region-size", "max-pending-peer-count",
            "max-merge-region-keys", "leader-schedule-limit", "region-schedule-limit", "replica-schedule-limit",
            "merge-schedule-limit", "hot-region-schedule-limit", "split-scatter-schedule-limit",
            "scheduler-max-waiting-operator", "enable-location-replacement", "enable-tikv-split-region");

    private static final List<String> REPLICATION_ITEMS = List.of("max-replicas", "location-labels");

    private record Ttl(String value, long expiresAtMillis) {
    }

    private final Clock clock;
    private final Map<String, JsonNode> persisted = new LinkedHashMap<>();
    private final Map<String, Ttl> ttl = new TreeMap<>();

    ScheduleConfig(Clock clock, Map<String, ?> initial) {
        this.clock = clock;
        initial.forEach((k, v) -> persisted.put(k, toNode(k, v)));
    }

    /** PD's defaults ({@code pkg/schedule/config/config.go}) for the items a recovery touches. */
    static Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("leader-schedule-limit", 4L);
        m.put("region-schedule-limit", 2048L);
        m.put("replica-schedule-limit", 64L);
        m.put("merge-schedule-limit", 8L);
        m.put("hot-region-schedule-limit", 4L);
        m.put("max-merge-region-size", 20L);
        m.put("max-merge-region-keys", 200000L);
        m.put("max-snapshot-count", 64L);
        m.put("max-pending-peer-count", 64L);
        m.put("enable-location-replacement", "true");
        m.put("enable-tikv-split-region", "true");
        return m;
    }

    private static JsonNode toNode(String key, Object v) {
        if (STRING_BOOLS.contains(key)) {
            return JsonNodeFactory.instance.textNode(String.valueOf(v));
        }
        if (v instanceof Number n) {
            return JsonNodeFactory.instance.numberNode(n.longValue());
        }
        return JsonNodeFactory.instance.textNode(String.valueOf(v));
    }

    /** The persisted items, as {@code GET /pd/api/v1/config/schedule} shows them. */
    Map<String, JsonNode> persisted() {
        return new LinkedHashMap<>(persisted);
    }

    /** Live TTL items (full key → value). */
    Map<String, String> liveTtl() {
        expire();
        Map<String, String> out = new TreeMap<>();
        ttl.forEach((k, t) -> out.put(k, t.value()));
        return out;
    }

    /** What the schedulers obey now: the live TTL value if any, else the persisted one. */
    String effective(String item) {
        expire();
        Ttl t = ttl.get("schedule." + item);
        if (t != null) {
            return t.value();
        }
        JsonNode n = persisted.get(item);
        return n == null ? null : n.asText();
    }

    private void expire() {
        long now = clock.millis();
        ttl.values().removeIf(t -> t.expiresAtMillis() <= now);
    }

    /** {@code POST /pd/api/v1/config[?ttlSecond=N]}. */
    PdReply post(JsonNode body, String ttlSecond) {
        if (body == null || !body.isObject()) {
            return PdReply.error(400, "json: cannot unmarshal into Go value of type map[string]interface {}");
        }
        if (ttlSecond != null && !ttlSecond.isEmpty()) {
            return saveTtl(body, ttlSecond);
        }
        for (var it = body.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            String full = key.contains(".") ? key : fullKey(key);
            if (full == null) {
                return PdReply.error(400, "config item " + key + " not found");
            }
            String problem = update(full, e.getValue());
            if (problem != null) {
                return PdReply.error(400, problem); // the items before this one stay applied
            }
        }
        return PdReply.ok(PdReply.quote("The config is updated."));
    }

    private String fullKey(String item) {
        if (persisted.containsKey(item) || TTL_ITEMS.contains(item)) {
            return "schedule." + item;
        }
        return REPLICATION_ITEMS.contains(item) ? "replication." + item : null;
    }

    private String update(String full, JsonNode value) {
        String[] kp = full.split("\\.");
        if (!"schedule".equals(kp[0])) {
            return "replication".equals(kp[0]) ? null : "config item " + full + " not found";
        }
        expire();
        if (ttl.containsKey(full)) {
            return "need to clean up TTL first for " + full;
        }
        String item = kp[kp.length - 1];
        if (!persisted.containsKey(item)) {
            return "config item " + item + " not found";
        }
        if (STRING_BOOLS.contains(item)) {
            if (!value.isTextual() || !(value.asText().equals("true") || value.asText().equals("false"))) {
                return "json: invalid use of ,string struct tag, trying to unmarshal " + value + " into bool";
            }
            persisted.put(item, JsonNodeFactory.instance.textNode(value.asText()));
            return null;
        }
        if (!value.isIntegralNumber() || value.asLong() < 0) {
            return "json: cannot unmarshal " + value + " into Go struct field ScheduleConfig." + item + " of type uint64";
        }
        persisted.put(item, JsonNodeFactory.instance.numberNode(value.asLong()));
        return null;
    }

    private PdReply saveTtl(JsonNode body, String ttlSecond) {
        int sec;
        try {
            sec = Integer.parseInt(ttlSecond);
        } catch (NumberFormatException e) {
            return PdReply.error(400, "strconv.Atoi: parsing \"" + ttlSecond + "\": invalid syntax");
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.startsWith("schedule.") || !TTL_ITEMS.contains(k.substring("schedule.".length()))) {
                return PdReply.error(400, "unsupported ttl config " + k);
            }
        }
        long expires = clock.millis() + sec * 1000L;
        for (var it = body.fields(); it.hasNext(); ) {
            var e = it.next();
            if (sec <= 0) {
                ttl.remove(e.getKey());
            } else {
                JsonNode v = e.getValue();
                String s = v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble())
                        ? Long.toString((long) v.asDouble()) : v.asText();
                ttl.put(e.getKey(), new Ttl(s, expires));
            }
        }
        return PdReply.ok(PdReply.quote(sec == 0 ? "The ttl config is deleted." : "The ttl config is updated."));
    }
}
