package io.phybr.mock.replay;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.agent.AgentReport;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.proto.seed.RegionRecover;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judging a replay of a dump, which carries no history. The general checker's history-free checks
 * still apply (tiling of the live regions after the commands, exactly one non-silenced replica per
 * live region whose term no other replica exceeds, exit status and agents released); this adds that
 * every replica of a dropped region ends tombstone, and that the plan the agents received is the
 * recorded run's plan byte for byte. What needs a history is skipped, and said so.
 */
public final class ReplayChecks {
    /** The checks that need the history a dump does not carry. */
    public static final List<String> SKIPPED = List.of(
            "committed writes readable from the new leaders (needs the writes of the history)",
            "history loss: a committed write no reporting store holds (needs the writes of the history)",
            "nothing newer than the resolved ts left (needs the writes of the history)");

    private ReplayChecks() {
    }

    /**
     * The verdict of a replay: {@code result}'s, plus the dump-only checks; prints the skipped checks
     * and the plan comparison to {@code out}.
     */
    public static Rehearsal.Result judge(DumpReplay replay, MockCluster cluster, Rehearsal.Result result,
                                         PrintWriter out) {
        List<String> failures = new ArrayList<>(result.verdict().failures());
        failures.addAll(droppedRegionsTombstoned(cluster.backup().images(), cluster.stores()));
        out.println("checks skipped (the dump carries no history): " + String.join("; ", SKIPPED));
        Map<Long, AgentReport> agents = cluster.agentReports();
        boolean anyCommands = agents.values().stream().anyMatch(r -> !r.commands().isEmpty());
        if (replay.torn()) {
            out.println("plan: not compared with the recorded plan (the dump was cut short)");
        } else if (replay.recordedPlan().isPresent() && anyCommands) {
            Path recorded = replay.recordedPlan().get();
            String got = planLines(agents);
            try {
                String want = Files.readString(recorded, StandardCharsets.UTF_8);
                if (want.equals(got)) {
                    out.println("plan: byte-identical to the recorded " + recorded + " ("
                            + got.lines().count() + " commands)");
                } else {
                    failures.add("the agents received a plan that differs from the recorded " + recorded + " ("
                            + got.lines().count() + " commands vs " + want.lines().count() + ")");
                }
            } catch (IOException e) {
                failures.add("cannot read the recorded plan " + recorded + ": " + e.getMessage());
            }
        }
        out.flush();
        Verdict v = result.verdict();
        boolean pass = failures.isEmpty();
        String details = pass ? "" : v.details().isEmpty() ? cluster.dump(result.adviser()) : v.details();
        return new Rehearsal.Result(new Verdict(pass, List.copyOf(failures), details), result.adviser());
    }

    /** A region the commands tombstoned anywhere must be tombstone everywhere: dropped whole, never in part. */
    static List<String> droppedRegionsTombstoned(Map<Long, StoreImage> before, Map<Long, StoreImage> after) {
        TreeSet<Long> dropped = new TreeSet<>();
        TreeMap<Long, List<Long>> liveOn = new TreeMap<>();
        for (StoreImage img : after.values()) {
            StoreImage was = before.get(img.id);
            for (Peer p : img.allPeers()) {
                Peer q = was == null ? null : was.peer(p.regionId());
                if (p.tombstone() && q != null && !q.tombstone()) {
                    dropped.add(p.regionId());
                }
                if (p.live()) {
                    liveOn.computeIfAbsent(p.regionId(), k -> new ArrayList<>()).add(img.id);
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (long r : dropped) {
            if (liveOn.containsKey(r)) {
                out.add("region " + r + " was dropped (tombstoned) on some stores but stays live on stores "
                        + liveOn.get(r) + ": every replica of a dropped region must be tombstone");
            }
        }
        return out;
    }

    /** The commands the agents received, as plan JSON Lines (SPEC §6), sorted by store then region. */
    public static String planLines(Map<Long, AgentReport> agents) {
        StringBuilder sb = new StringBuilder();
        for (AgentReport r : new TreeMap<>(agents).values()) {
            List<RegionRecover> cmds = new ArrayList<>(r.commands());
            cmds.sort((a, b) -> Long.compare(a.getRegionId(), b.getRegionId()));
            for (RegionRecover c : cmds) {
                sb.append("{\"store\":").append(r.store()).append(",\"region_id\":").append(c.getRegionId())
                        .append(",\"term\":").append(c.getTerm()).append(",\"silence\":").append(c.getSilence())
                        .append(",\"tombstone\":").append(c.getTombstone()).append("}\n");
            }
        }
        return sb.toString();
    }
}
