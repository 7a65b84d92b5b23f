package io.phybr.mock.pd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * PD's schedulers with their persisted settings and pause state (tikv/pd {@code server/api/scheduler.go},
 * {@code pkg/schedule/schedulers/scheduler_controller.go}):
 * <ul>
 *   <li>{@code DELETE /schedulers/{name}} removes the scheduler <em>and its persisted config</em>
 *       ({@code RemoveScheduler}: {@code conf.RemoveSchedulerCfg}, {@code storage.RemoveSchedulerConfig}), so adding it
 *       back by name gets the defaults, not the operator's settings;</li>
 *   <li>{@code POST /schedulers/{name}} {@code {"delay":N}} pauses it until now+N s ({@code 0} resumes; missing
 *       {@code delay} is 400 "missing pause time"; an unknown name is 500, as the handler answers every error);</li>
 *   <li>{@code GET /schedulers} lists every scheduler (paused ones too), {@code ?status=paused} the paused ones.</li>
 * </ul>
 * Not thread-safe: {@link PdModel} serialises access.
 */
final class Schedulers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final class Entry {
        ObjectNode settings;
        long pausedUntilMillis;

        Entry(ObjectNode settings) {
            this.settings = settings;
        }
    }

    private final Clock clock;
    private final Map<String, Entry> byName = new LinkedHashMap<>();

    Schedulers(Clock clock, Map<String, String> initial) {
        this.clock = clock;
        initial.forEach((name, settings) -> byName.put(name, new Entry(parse(settings))));
    }

    /** The settings a scheduler gets when it is created by name (PD's defaults for the ones that have any). */
    static String defaultSettings(String name) {
        return switch (name) {
            case "balance-leader-scheduler" -> "{\"batch\":4}";
            case "balance-hot-region-scheduler" -> "{\"min-hot-byte-rate\":100,\"max-zombie-rounds\":3}";
            case "evict-slow-store-scheduler" -> "{\"recovery-duration\":1800}";
            default -> "{}";
        };
    }

    static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : List.of("balance-hot-region-scheduler", "balance-leader-scheduler", "balance-region-scheduler",
                "evict-slow-store-scheduler")) {
            m.put(n, defaultSettings(n));
        }
        return m;
    }

    private static ObjectNode parse(String settings) {
        try {
            JsonNode n = JSON.readTree(settings == null || settings.isBlank() ? "{}" : settings);
            if (!(n instanceof ObjectNode o)) {
                throw new IllegalArgumentException("scheduler settings must be a JSON object: " + settings);
            }
            return o;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("scheduler settings must be JSON: " + settings, e);
        }
    }

    boolean paused(String name) {
        Entry e = byName.get(name);
        return e != null && e.pausedUntilMillis > clock.millis();
    }

    /** name → settings JSON, sorted by name. */
    Map<String, String> settings() {
        Map<String, String> out = new TreeMap<>();
        byName.forEach((n, e) -> out.put(n, e.settings.toString()));
        return out;
    }

    List<String> pausedNames() {
        List<String> out = new ArrayList<>();
        byName.keySet().stream().filter(this::paused).sorted().forEach(out::add);
        return out;
    }

    PdReply list(String status) {
        List<String> names = "paused".equals(status) ? pausedNames() : new ArrayList<>(byName.keySet());
        return PdReply.ok(JSON.valueToTree(names).toString());
    }

    PdReply create(JsonNode body) {
        String name = body == null ? null : body.path("name").isTextual() ? body.path("name").asText() : null;
        if (name == null || name.isEmpty()) {
            return PdReply.error(400, "missing scheduler name");
        }
        if (byName.containsKey(name)) {
            return PdReply.error(500, "[PD:scheduler:ErrSchedulerExisted]scheduler existed");
        }
        byName.put(name, new Entry(parse(defaultSettings(name))));
        return PdReply.ok(PdReply.quote("The scheduler is created."));
    }

    PdReply delete(String name) {
        if (byName.remove(name) == null) {
            return PdReply.error(404, "[PD:scheduler:ErrSchedulerNotFound]scheduler not found");
        }
        return PdReply.ok(PdReply.quote("The scheduler is removed."));
    }

    PdReply pauseOrResume(String name, JsonNode body) {
        if (body == null || !body.isObject()) {
            return PdReply.error(400, "json: cannot unmarshal into Go value of type map[string]int64");
        }
        for (var it = body.elements(); it.hasNext(); ) {
            if (!it.next().isIntegralNumber()) {
                return PdReply.error(400, "json: cannot unmarshal into Go value of type int64");
            }
        }
        if (!body.has("delay")) {
            return PdReply.error(400, "missing pause time");
        }
        long delay = body.get("delay").asLong();
        List<Entry> targets = new ArrayList<>();
        if ("all".equals(name)) {
            targets.addAll(byName.values());
        } else {
            Entry e = byName.get(name);
            if (e == null) {
                return PdReply.error(500, "[PD:scheduler:ErrSchedulerNotFound]scheduler not found");
            }
            targets.add(e);
        }
        long until = delay > 0 ? clock.millis() + delay * 1000L : 0;
        targets.forEach(e -> e.pausedUntilMillis = until);
        return PdReply.ok(PdReply.quote("Pause or resume the scheduler successfully."));
    }

    /** {@code GET /pd/api/v1/scheduler-config/{name}/list}. */
    PdReply getSettings(String name) {
        Entry e = byName.get(name);
        return e == null ? PdReply.error(404, "404 page not found") : PdReply.ok(e.settings.toString());
    }

    /** {@code POST /pd/api/v1/scheduler-config/{name}/config}: merges the given fields into the settings. */
    PdReply setSettings(String name, JsonNode body) {
        Entry e = byName.get(name);
        if (e == null) {
            return PdReply.error(404, "404 page not found");
        }
        if (body == null || !body.isObject()) {
            return PdReply.error(400, "invalid body");
        }
        e.settings.setAll((ObjectNode) body);
        return PdReply.ok(PdReply.quote("Config is updated."));
    }
}
