package io.phybr.mock.pd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The state machine behind the mock PD's HTTP API: routes one call to the piece that owns it and answers with PD's
 * status codes and bodies (tikv/pd {@code server/api/{admin,config,scheduler,store,region}.go}). Thread-safe: every
 * call runs under this object's lock and none of them blocks.
 */
final class PdModel {
    static final String API = "/pd/api/v1";
    static final String MARKER = API + "/admin/cluster/markers/snapshot-recovering";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ScheduleConfig config;
    private final Schedulers schedulers;
    private final StoreRegistry stores;
    private boolean marked;
    private boolean hasLeader = true;
    private long baseAllocId = 1000;

    PdModel(Clock clock, List<MockPd.Store> stores, boolean marked, Map<String, ?> schedule, Map<String, String> schedulers) {
        this.config = new ScheduleConfig(clock, schedule);
        this.schedulers = new Schedulers(clock, schedulers);
        this.stores = new StoreRegistry(clock, stores);
        this.marked = marked;
    }

    synchronized PdState state() {
        Map<String, String> persisted = new java.util.TreeMap<>();
        config.persisted().forEach((k, v) -> persisted.put(k, v.asText()));
        return new PdState(persisted, config.liveTtl(), schedulers.settings(), schedulers.pausedNames(), marked,
                baseAllocId);
    }

    synchronized String effectiveConfig(String item) {
        return config.effective(item);
    }

    synchronized void setMarked(boolean m) {
        marked = m;
    }

    synchronized void setHasLeader(boolean leader) {
        hasLeader = leader;
    }

    synchronized PdReply pauseScheduler(String name, long delaySeconds) {
        return schedulers.pauseOrResume(name, new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("delay", delaySeconds));
    }

    /** The schedulers tidb br/pkg/pdutil/pd.go pauses ({@code Schedulers}). */
    private static final List<String> BR_SCHEDULERS = List.of("balance-leader-scheduler", "balance-hot-region-scheduler",
            "balance-region-scheduler", "shuffle-leader-scheduler", "shuffle-region-scheduler",
            "shuffle-hot-region-scheduler");

    /**
     * What a BR killed before restoring PD leaves for {@code left} more (see {@code Fault.KilledRunLeftPaused}): its
     * schedulers that PD has paused, and pd.go's {@code expectPDCfg} items that PD has set with a TTL, through the same
     * calls BR makes.
     */
    synchronized void killedBrLeftPaused(java.time.Duration left, int stores) {
        for (String name : BR_SCHEDULERS) {
            if (schedulers.settings().containsKey(name)) {
                schedulers.pauseOrResume(name, JSON.createObjectNode().put("delay", left.toSeconds()));
            }
        }
        Map<String, JsonNode> was = config.persisted();
        ObjectNode items = JSON.createObjectNode(); // full keys, as pd.go doPauseConfigs sends them
        for (String k : List.of("max-merge-region-keys", "max-merge-region-size")) {
            if (was.containsKey(k)) {
                items.put("schedule." + k, 0);
            }
        }
        for (String k : List.of("leader-schedule-limit", "region-schedule-limit", "max-snapshot-count")) {
            if (was.containsKey(k)) {
                items.put("schedule." + k, Math.min(40, was.get(k).asLong() * stores)); // pauseConfigMulStores
            }
        }
        if (was.containsKey("enable-location-replacement")) {
            items.put("schedule.enable-location-replacement", "false");
        }
        if (was.containsKey("max-pending-peer-count")) {
            items.put("schedule.max-pending-peer-count", Integer.MAX_VALUE); // maxPendingPeerUnlimited
        }
        PdReply r = config.post(items, Long.toString(left.toSeconds()));
        if (r.status() != 200) {
            throw new IllegalStateException("the killed run's TTL items: PD answers " + r.status() + " " + r.body());
        }
    }

    synchronized void withStores(java.util.function.Consumer<StoreRegistry> change) {
        change.accept(stores);
    }

    synchronized <T> T readStores(java.util.function.Function<StoreRegistry, T> read) {
        return read.apply(stores);
    }

    synchronized PdReply route(String method, String path, String query, String body) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        if (!p.startsWith(API + "/")) {
            return PdReply.text(404, "404 page not found");
        }
        String rest = p.substring(API.length());
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            if ("POST".equals(method)) {
                return PdReply.error(400, "invalid character in JSON body");
            }
            json = null;
        }
        switch (method + " " + rest) {
            case "GET /stores": return stores.list();
            case "GET /regions": return stores.regions();
            case "GET /config": return configJson();
            case "GET /config/schedule": return PdReply.ok(JSON.valueToTree(config.persisted()).toString());
            case "POST /config": return config.post(json, param(query, "ttlSecond"));
            case "GET /schedulers": return schedulers.list(param(query, "status"));
            case "POST /schedulers": return schedulers.create(json);
            case "GET /admin/cluster/markers/snapshot-recovering": return PdReply.ok("{\"marked\":" + marked + "}");
            case "POST /admin/cluster/markers/snapshot-recovering": marked = true; return PdReply.ok("");
            case "DELETE /admin/cluster/markers/snapshot-recovering": marked = false; return PdReply.ok("");
            case "POST /admin/base-alloc-id": return baseAllocId(json);
            default: break;
        }
        if (rest.startsWith("/schedulers/")) {
            String name = rest.substring("/schedulers/".length());
            if ("DELETE".equals(method)) {
                return schedulers.delete(name);
            }
            if ("POST".equals(method)) {
                return schedulers.pauseOrResume(name, json);
            }
        }
        if (rest.startsWith("/scheduler-config/")) {
            String[] parts = rest.substring("/scheduler-config/".length()).split("/");
            if (parts.length == 2 && "GET".equals(method) && "list".equals(parts[1])) {
                return schedulers.getSettings(parts[0]);
            }
            if (parts.length == 2 && "POST".equals(method) && "config".equals(parts[1])) {
                return schedulers.setSettings(parts[0], json);
            }
        }
        if (rest.startsWith("/region/key/") && "GET".equals(method)) {
            return stores.regionAt(rest.substring("/region/key/".length()), param(query, "format"));
        }
        if (rest.startsWith("/region/id/") && "GET".equals(method)) {
            return stores.region(rest.substring("/region/id/".length()));
        }
        if (rest.startsWith("/store/") && "GET".equals(method)) {
            try {
                return stores.get(Long.parseUnsignedLong(rest.substring("/store/".length())));
            } catch (NumberFormatException e) {
                return PdReply.error(400, "invalid store id");
            }
        }
        return PdReply.text(404, "404 page not found");
    }

    private PdReply configJson() {
        ObjectNode root = JSON.createObjectNode();
        root.set("schedule", JSON.valueToTree(config.persisted()));
        root.putObject("replication").put("max-replicas", 3);
        return PdReply.ok(root.toString());
    }

    /** server/api/admin.go recoverAllocID: 400 bad id, then 403 unless marked, then 503 without a leader; it sets. */
    private PdReply baseAllocId(JsonNode json) {
        if (json == null || !json.isObject()) {
            return PdReply.error(400, "invalid request body");
        }
        JsonNode id = json.get("id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            return PdReply.text(400, "invalid id value");
        }
        long v;
        try {
            v = Long.parseUnsignedLong(id.asText());
        } catch (NumberFormatException e) {
            return PdReply.text(400, "strconv.ParseUint: parsing \"" + id.asText() + "\": invalid syntax");
        }
        if (!marked) {
            return PdReply.text(403, "can only recover alloc id when recovering mark marked");
        }
        if (!hasLeader) {
            return PdReply.text(503, "[PD:server:ErrLeaderNil]leader is nil");
        }
        baseAllocId = v;
        return PdReply.text(200, "");
    }

    private static String param(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            if (k.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
