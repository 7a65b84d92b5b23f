package io.phybr.adviser.plan;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
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

    /** One JSON object, keys in a fixed order. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"policy\":\"").append(policy.name().toLowerCase()).append("\",\"protocol\":\"")
                .append(protocol.name().toLowerCase()).append("\",\"replicas\":").append(replicas)
                .append(",\"regions_seen\":").append(regionsSeen).append(",\"regions_kept\":").append(regionsKept)
                .append(",\"regions_dropped\":").append(regionsDropped).append(",\"regions_gone\":").append(regionsGone)
                .append(",\"commands\":").append(commands).append(",\"tombstone_commands\":").append(tombstoneCommands)
                .append(",\"holes_accepted\":").append(holesAccepted);
        appendMap(sb, "leaders_per_store", leadersPerStore);
        appendMap(sb, "commands_per_store", commandsPerStore);
        sb.append(",\"decisions\":{");
        boolean first = true;
        for (Map.Entry<Rule, Integer> e : rules.entrySet()) {
            sb.append(first ? "" : ",").append('"').append(e.getKey().name().toLowerCase()).append("\":").append(e.getValue());
            first = false;
        }
        return sb.append("}}").toString();
    }

    private static void appendMap(StringBuilder sb, String name, Map<Long, Integer> map) {
        sb.append(",\"").append(name).append("\":{");
        boolean first = true;
        for (Map.Entry<Long, Integer> e : map.entrySet()) {
            sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
            first = false;
        }
        sb.append('}');
    }
}
