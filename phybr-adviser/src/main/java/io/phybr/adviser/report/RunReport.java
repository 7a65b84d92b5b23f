package io.phybr.adviser.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.adviser.plan.Hole;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.RecordedOptions;
import io.phybr.contract.dump.DumpReader;
import io.phybr.contract.record.RecordedRun;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a report page shows, read from a run's recording (plain data, no HTML): the manifest, the regions in key
 * order with their fate and leader (the recorded reports planned again, with the run's own options — the planner is
 * deterministic, so this is the recorded plan), holes, leaders per store, and {@code explain} for the first
 * {@link #EXPLAINED} regions.
 */
public record RunReport(JsonNode manifest, String runDir, List<Region> regions, List<Hole> holes,
                        Map<Long, Integer> leadersPerStore, Map<Long, String> explain, String refusal,
                        String lastPhase, int replicas) {
    /** Regions whose explanation is embedded; beyond them the page names the command that explains any region. */
    public static final int EXPLAINED = 5000;

    /** One region as the strip draws it; {@code fate} is kept, dropped or gone. */
    public record Region(long id, byte[] start, byte[] end, String fate, long leader) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code dir} (a {@code serve} or {@code recover} recording). */
    public static RunReport read(Path dir) throws IOException {
        Path manifestFile = dir.resolve(RecordedRun.MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new IOException(dir + " holds no " + RecordedRun.MANIFEST + ": not a phybr run directory");
        }
        RecordedRun run = RecordedRun.read(manifestFile);
        JsonNode manifest = JSON.readTree(manifestFile.toFile());
        PlanOptions options = RecordedOptions.of(run);
        ReplicaTable table = new ReplicaTable(1 << 12);
        for (long s : run.stores()) {
            table.declareStore(s);
        }
        Path dump = dir.resolve(RecordedRun.DUMP);
        if (Files.isRegularFile(dump)) {
            try (InputStream in = Files.newInputStream(dump)) {
                DumpReader.readRecording(in, table, w -> { }); // a crashed run: up to its last whole line
            }
        }
        String lastPhase = null;
        Path state = dir.resolve("recover-state.json");
        if (Files.isRegularFile(state)) {
            lastPhase = JSON.readTree(state.toFile()).path("phase").asText(null);
        }
        PlanOutcome outcome = table.size() == 0 ? null : Planner.plan(table, options);
        return build(manifest, dir.toString(), table, outcome, lastPhase);
    }

    static RunReport build(JsonNode manifest, String dir, ReplicaTable t, PlanOutcome outcome, String lastPhase) {
        // one key range per region: the one its newest replica (highest version) reports
        Map<Long, Integer> rowOf = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            Integer r = rowOf.get(t.regionId(i));
            if (r == null || t.version(i) > t.version(r)) {
                rowOf.put(t.regionId(i), i);
            }
        }
        Plan plan = outcome instanceof Plan p ? p : null;
        List<Region> regions = new ArrayList<>();
        Map<Long, Integer> leaders = new TreeMap<>();
        for (long s : t.stores()) {
            leaders.put(s, 0);
        }
        Map<Long, String> explain = new TreeMap<>();
        for (var e : rowOf.entrySet()) {
            long id = e.getKey();
            int row = e.getValue();
            String fate = "unplanned";
            long leader = -1;
            if (plan != null) {
                int g = plan.indexOf(id);
                fate = plan.kept(g) ? "kept" : plan.fateRule(g).name().startsWith("DROPPED") ? "dropped" : "gone";
                leader = plan.kept(g) ? plan.leaderStore(g) : -1;
                if (leader >= 0) {
                    leaders.merge(leader, 1, Integer::sum);
                }
            }
            regions.add(new Region(id, t.startKey(row), t.endKey(row), fate, leader));
        }
        regions.sort(Comparator.comparing(Region::start, Arrays::compareUnsigned).thenComparingLong(Region::id));
        if (plan != null) {
            for (Region r : regions) {
                if (explain.size() >= EXPLAINED) {
                    break;
                }
                plan.explain(r.id()).ifPresent(x -> explain.put(r.id(), x));
            }
        }
        List<Hole> holes = plan != null ? plan.acceptedHoles() : List.of();
        String refusal = outcome instanceof Refusal r ? r.message() : null;
        return new RunReport(manifest, dir, regions, holes, leaders, explain, refusal, lastPhase, t.size());
    }
}
