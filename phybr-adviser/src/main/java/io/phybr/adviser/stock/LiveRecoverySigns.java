package io.phybr.adviser.stock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdRetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What PD shows while a recovery (ours or BR's) holds it: paused schedulers ({@code GET /schedulers?status=paused},
 * how BR pauses them) and schedule limits at 0. PD keeps no owner tag on either, so these are signs, not proof; a
 * killed run leaves them for at most its pause TTL. The marker is no sign: it stays set for the whole restore.
 */
final class LiveRecoverySigns {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");
    private static final ObjectMapper JSON = new ObjectMapper();

    private LiveRecoverySigns() {
    }

    static List<String> fromPd(PdClient pd, PdRetry retry) {
        List<String> signs = new ArrayList<>();
        try {
            JsonNode paused = JSON.readTree(retry.run("list paused schedulers",
                    () -> pd.call("GET", PdClient.SCHEDULERS + "?status=paused", null)));
            List<String> names = new ArrayList<>();
            paused.forEach(n -> names.add(n.asText()));
            if (!names.isEmpty()) {
                signs.add("PD has paused schedulers " + names + " (recover and BR pause them while recovering)");
            }
            // recover now holds the limits at 0 as TTL items, which PD does not show; persisted zeros are what an
            // older recover (or an operator by hand) leaves.
            Map<String, JsonNode> config = retry.run("read schedule config", pd::scheduleConfig);
            JsonNode leader = config.get("leader-schedule-limit");
            JsonNode region = config.get("region-schedule-limit");
            if (leader != null && region != null && leader.asLong(-1) == 0 && region.asLong(-1) == 0) {
                signs.add("PD's leader- and region-schedule-limit are 0 (recover holds them there while recovering)");
            }
        } catch (PdException | java.io.IOException | RuntimeException e) {
            LOG.warn("dry run: cannot read PD's schedulers to look for a live recovery ({})", e.getMessage());
        }
        return signs;
    }
}
