package io.phybr.adviser.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counts that tell an operator what a plan does (SPEC §4 rule 6).
 *
 * @param leadersPerStore  store id → kept regions led there, by ascending store id
 * @param commandsPerStore store id → commands sent there
 * @param rules            how many regions each rule decided (leader rule and fate rule per region)
 */
public record PlanSummary(Policy policy, Protocol protocol, long replicas, int regionsSeen, int regionsKept,
                          int regionsDropped, int regionsGone, int commands, int tombstoneCommands,
                          int holesAccepted, Map<Long, Integer> leadersPerStore,
                          Map<Long, Integer> commandsPerStore, Map<Rule, Integer> rules) {

    static PlanSummary of(Plan p) {
        long[] stores = p.stores();
        int[] ruleCounts = new int[Rule.values().length];
        int kept = 0;
        int dropped = 0;
        int gone = 0;
        for (int g = 0; g < p.regionCount(); g++) {
            Rule fate = p.fateRule(g);
            ruleCounts[fate.ordinal()]++;
            ruleCounts[p.leaderRule(g).ordinal()]++;
            if (fate == Rule.KEPT) {
                kept++;
            } else if (fate == Rule.DROPPED_OVERLAP) {
                dropped++;
            } else {
                gone++;
            }
        }
        Map<Long, Integer> leadersPerStore = new LinkedHashMap<>();
        Map<Long, Integer> commandsPerStore = new LinkedHashMap<>();
        for (int s = 0; s < stores.length; s++) {
            leadersPerStore.put(stores[s], p.leadersOnStore(s));
            commandsPerStore.put(stores[s], p.commandsTo(stores[s]) - p.commandsFrom(stores[s]));
        }
        Map<Rule, Integer> rules = new EnumMap<>(Rule.class);
        for (Rule r : Rule.values()) {
            if (ruleCounts[r.ordinal()] > 0) {
                rules.put(r, ruleCounts[r.ordinal()]);
            }
        }
        int tombstones = 0;
        for (int k = 0; k < p.commandCount(); k++) {
            if (p.commandTombstone(k)) {
                tombstones++;
            }
        }
        return new PlanSummary(p.options().policy(), p.options().protocol(), p.replicaCount(), p.regionCount(),
                kept, dropped, gone, p.commandCount(), tombstones, p.acceptedHoles().size(),
                Collections.unmodifiableMap(leadersPerStore), Collections.unmodifiableMap(commandsPerStore),
                Collections.unmodifiableMap(rules));
    }

    /** A few lines for the log. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("plan (policy ").append(policy.name().toLowerCase()).append(", ")
                .append(protocol.name().toLowerCase()).append(" commands): ")
                .append(replicas).append(" replicas, ").append(regionsSeen).append(" regions seen, ")
                .append(regionsKept).append(" kept, ").append(regionsDropped).append(" dropped, ")
                .append(regionsGone).append(" gone; ").append(commands).append(" commands (")
                .append(tombstoneCommands).append(" tombstone)");
        if (holesAccepted > 0) {
            sb.append("; ").append(holesAccepted).append(" hole(s) ACCEPTED by the operator, their data is lost");
        }
        sb.append("\n  leaders per store:");
        leadersPerStore.forEach((s, n) -> sb.append(' ').append(s).append('=').append(n));
        sb.append("\n  commands per store:");
        commandsPerStore.forEach((s, n) -> sb.append(' ').append(s).append('=').append(n));
        sb.append("\n  decisions:");
        rules.forEach((r, n) -> sb.append(' ').append(r.name().toLowerCase()).append('=').append(n));
        return sb.toString();
    }

    /**
     * Jackson's mapper, built on first use (only --summary-json writes with it): built with this class, it loaded ~380
     * Jackson classes in every cold {@code plan}, ~0.2 s of CPU on the one thread running between planning and writing.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** One JSON object, keys in a fixed order (written by Jackson, as every JSON the tools emit). */
    public ObjectNode toJsonNode() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("policy", policy.name().toLowerCase(Locale.ROOT));
        o.put("protocol", protocol.name().toLowerCase(Locale.ROOT));
        o.put("replicas", replicas);
        o.put("regions_seen", regionsSeen);
        o.put("regions_kept", regionsKept);
        o.put("regions_dropped", regionsDropped);
        o.put("regions_gone", regionsGone);
        o.put("commands", commands);
        o.put("tombstone_commands", tombstoneCommands);
        o.put("holes_accepted", holesAccepted);
        ObjectNode leaders = o.putObject("leaders_per_store");
        leadersPerStore.forEach((store, n) -> leaders.put(Long.toString(store), n));
        ObjectNode perStore = o.putObject("commands_per_store");
        commandsPerStore.forEach((store, n) -> perStore.put(Long.toString(store), n));
        ObjectNode decisions = o.putObject("decisions");
        rules.forEach((rule, n) -> decisions.put(rule.name().toLowerCase(Locale.ROOT), n));
        return o;
    }

    /** {@link #toJsonNode()} on one line. */
    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(toJsonNode());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of numbers and strings always serializes
        }
    }
}
