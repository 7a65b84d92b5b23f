package io.phybr.adviser.flashback;

import io.grpc.Deadline;
import io.phybr.adviser.pd.Backoff;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.text.Texts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The regions the flashback walks, as PD knows them after RecoverRegion (every forced leader heartbeats PD when it
 * wins, R3), in key order over the whole key space — the way BR runs the flashback over {@code ["", "")} from
 * client-go's region cache — cross-checked against the plan by region id: the leader's store (the plan's, or the
 * candidate RecoverRounds moved it to) and the epoch version. PD's keys are the only ones the walk uses, so it does
 * not matter how the collected metas spell keys. A stretch of keys PD holds no region for (a leader that has not
 * heartbeated yet) is scanned again with backoff; one that stays is a diagnosis naming the planned regions PD lacks.
 */
final class RegionScan {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");
    private static final int PAGE = 1024;
    /** Cross-check differences logged one by one before they are only counted. */
    private static final int LOGGED = 20;

    /** What the plan says of a region it kept: the version its leader reported and its leader's store. */
    record Planned(long version, long leaderStore) {}

    /** PD did not give a tiling of the key space in time. */
    static final class Incomplete extends Exception {
        private static final long serialVersionUID = 1L;

        Incomplete(String message) {
            super(message);
        }
    }

    private RegionScan() {
    }

    /** The kept regions of the plan by id; {@code moved}: region → store RecoverRounds moved its leader to. */
    static Map<Long, Planned> planned(Plan plan, ReplicaTable table, Map<Long, Long> moved) {
        Map<Long, Planned> out = new HashMap<>();
        for (int i = 0; i < table.size(); i++) {
            int g = plan.indexOf(table.regionId(i));
            if (g >= 0 && plan.kept(g) && table.store(i) == plan.leaderStore(g) && !table.tombstone(i)) {
                long region = table.regionId(i);
                out.put(region, new Planned(table.version(i), moved.getOrDefault(region, plan.leaderStore(g))));
            }
        }
        return out;
    }

    /**
     * PD's regions over the whole key space as spans. {@code allowGaps}: the operator accepted holes in the plan, so PD
     * has no region there either. Tries {@code attempts} scans with backoff within {@code deadline}.
     */
    static List<Span> spans(PdRoutes pd, Map<Long, Planned> planned, boolean allowGaps, int attempts, long backoffMs,
                            long maxBackoffMs, Deadline deadline) throws Incomplete {
        String last = "";
        for (int attempt = 1; ; attempt++) {
            List<RegionRoute> routes = new ArrayList<>();
            List<String> gaps = new ArrayList<>();
            try {
                scanAll(pd, routes, gaps);
            } catch (PdRoutes.PdUnavailable e) {
                last = "PD could not list its regions: " + e.getMessage();
                gaps.add(last);
            }
            if (gaps.isEmpty() || allowGaps && last.isEmpty()) {
                return crossCheck(routes, planned);
            }
            if (attempt >= attempts || deadline.isExpired()) {
                throw new Incomplete(incomplete(routes, gaps, planned, attempt, last));
            }
            LOG.info("flashback-prepare: PD does not cover the key space yet ({}); scanning again in {} ms",
                    gaps.get(0), backoffMs);
            Backoff.pause(Math.min(backoffMs, Math.max(0, deadline.timeRemaining(TimeUnit.MILLISECONDS))));
            backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
            last = "";
        }
    }

    private static void scanAll(PdRoutes pd, List<RegionRoute> routes, List<String> gaps) throws PdRoutes.PdUnavailable {
        byte[] cursor = new byte[0];
        while (true) {
            List<RegionRoute> page = pd.scan(cursor, PAGE);
            if (page.isEmpty()) {
                gaps.add("no region from key " + Keys.show(cursor) + " on");
                return;
            }
            for (RegionRoute r : page) {
                if (Arrays.compareUnsigned(r.end(), cursor) <= 0 && r.end().length != 0) {
                    continue; // ends before the cursor (PD answers regions overlapping the start)
                }
                if (Arrays.compareUnsigned(r.start(), cursor) > 0) {
                    gaps.add("no region holds " + Keys.range(cursor, r.start()));
                }
                routes.add(r);
                if (r.end().length == 0) {
                    return;
                }
                cursor = r.end();
            }
        }
    }

    private static List<Span> crossCheck(List<RegionRoute> routes, Map<Long, Planned> planned) {
        List<Span> spans = new ArrayList<>(routes.size());
        int differ = 0;
        for (RegionRoute r : routes) {
            Planned p = planned.get(r.regionId());
            Span s = new Span(r, p == null ? 0 : p.version(), p == null ? 0 : p.leaderStore());
            if (s.differs()) {
                if (++differ <= LOGGED) {
                    LOG.info("flashback-prepare: PD has {}{}; the plan {} (a split, merge or leader move since, or a"
                            + " late heartbeat: TiKV's answers decide)", r.describe(), r.hasLeader() ? "" : " yet",
                            p == null ? "did not keep this region" : "has version " + p.version() + " led on store " + p.leaderStore());
                }
            }
            spans.add(s);
        }
        if (differ > 0) {
            LOG.info("flashback-prepare: {} of {} regions in PD differ from the plan", differ, routes.size());
        }
        return spans;
    }

    private static String incomplete(List<RegionRoute> routes, List<String> gaps, Map<Long, Planned> planned, int scans,
                                     String last) {
        TreeSet<Long> missing = new TreeSet<>(planned.keySet());
        routes.forEach(r -> missing.remove(r.regionId()));
        List<String> lacking = new ArrayList<>();
        for (long id : missing) {
            lacking.add("region " + id + " (leader planned on store " + planned.get(id).leaderStore() + ")");
        }
        StringBuilder sb = new StringBuilder("PD does not hold a region for every key after RecoverRegion (")
                .append(scans).append(" scans): ");
        Texts.appendListed(sb, gaps, gaps.size());
        if (!lacking.isEmpty()) {
            sb.append("; PD lacks ").append(Texts.count(lacking.size(), "planned region")).append(": ");
            Texts.appendListed(sb, lacking, lacking.size());
        }
        sb.append(". A forced leader heartbeats PD when it wins its election; one that never did cannot be reached by"
                + " its region's flashback. Nothing was prepared. Check those regions' stores, then run recover again.");
        return sb.toString();
    }
}
