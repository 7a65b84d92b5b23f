package io.phybr.adviser.plan;

import io.phybr.adviser.text.Texts;
import java.util.ArrayList;
import java.util.List;

/**
 * Rule 4 of SPEC §4: the kept regions must tile the whole key space; the holes they leave, and the refusal that
 * names them with the dropped or gone replicas that used to cover each.
 */
final class Coverage {
    private final ReplicaTable t;
    private final KeyArena keys;
    private final int m;
    private final int[] perm;
    private final int[] groupStart;
    private final long[] regionIds;
    private final byte[] fate;
    private final int[] droppedBy;
    final List<Hole> holes = new ArrayList<>();

    Coverage(Planner.Run run) {
        this.t = run.t;
        this.keys = run.keys;
        this.m = run.m;
        this.perm = run.perm;
        this.groupStart = run.groupStart;
        this.regionIds = run.regionIds;
        this.fate = run.fate;
        this.droppedBy = run.droppedBy;
    }

    void findHoles(Overlaps o) {
        // Walk the kept candidates in key order; 'covered' is the end of what is tiled so far, held as the arena
        // address of a kept region's end key: keys are copied out only for a hole. Every column read here is in
        // start order, so the walk is sequential.
        long coveredAddr = 0;
        int coveredLen = 0;
        boolean toInfinity = false;
        boolean first = true;
        for (int p = 0; p < o.cands; p++) {
            if (!o.kept.contains(p)) {
                continue;
            }
            long startAddr = o.addr[p];
            int startLen = o.startLen[p];
            if (first ? startLen > 0 : keys.compare(startAddr, startLen, coveredAddr, coveredLen) > 0) {
                holes.add(new Hole(first ? new byte[0] : keys.copy(coveredAddr, coveredLen), keys.copy(startAddr, startLen)));
            }
            first = false;
            if (o.endLen[p] == 0) {
                toInfinity = true;
                break;
            }
            coveredAddr = startAddr + startLen; // the end key follows the start key in the arena
            coveredLen = o.endLen[p];
        }
        if (first) {
            holes.add(new Hole(new byte[0], new byte[0]));
        } else if (!toInfinity) {
            holes.add(new Hole(keys.copy(coveredAddr, coveredLen), new byte[0]));
        }
    }

    Refusal refusal() {
        List<String> lines = new ArrayList<>();
        for (int h = 0; h < holes.size(); h++) {
            Hole hole = holes.get(h);
            StringBuilder line = new StringBuilder("hole ").append(hole);
            if (h < Texts.MAX_LISTED) {
                line.append(" was covered ").append(coveringReplicas(hole));
            }
            lines.add(line.toString());
        }
        StringBuilder sb = new StringBuilder("Refusing to plan: the regions that survive do not cover the whole key space; ")
                .append(holes.size()).append(holes.size() == 1 ? " hole: " : " holes: ");
        Texts.appendListed(sb, lines, lines.size());
        sb.append(". Recovering now would lose the data in ").append(holes.size() == 1 ? "it" : "them")
                .append(", so no command was sent to any store. Make sure every store reported"
                        + " (a missing store is the usual cause), or accept the loss explicitly with --accept-holes.");
        return new Refusal(Refusal.Kind.HOLE, sb.toString(), lines);
    }

    /** The replicas of dropped or gone regions whose own range overlaps the hole. */
    private String coveringReplicas(Hole hole) {
        List<String> found = new ArrayList<>();
        int total = 0;
        for (int g = 0; g < m; g++) {
            if (fate[g] == Planner.FATE_KEPT) {
                continue;
            }
            for (int j = groupStart[g]; j < groupStart[g + 1]; j++) {
                int i = perm[j];
                if (hole.overlaps(t.startKey(i), t.endKey(i))) {
                    if (++total <= 6) {
                        found.add("store " + t.store(i) + " region " + t.regionId(i) + " (version " + t.version(i)
                                + (t.tombstone(i) ? ", tombstone" : "") + ", "
                                + (fate[g] == Planner.FATE_GONE ? "no live replica" : "displaced by region " + regionIds[droppedBy[g]])
                                + ")");
                    }
                }
            }
        }
        if (total == 0) {
            return "by no replica at all";
        }
        String s = "only by " + String.join(", ", found);
        return total > found.size() ? s + " and " + (total - found.size()) + " more" : s;
    }
}
