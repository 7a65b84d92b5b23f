package io.phybr.adviser.plan;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A plan that is safe to send: the fate and leader of every region and the commands per store,
 * sorted by store then region. Immutable once built; the commands are primitive columns.
 */
public final class Plan implements PlanOutcome {
    private static final byte SILENCE = 1;
    private static final byte TOMBSTONE = 2;
    private static final byte AS_LEADER = 4;

    private final ReplicaTable t;
    private final PlanOptions options;
    private final int[] perm;
    private final int m;
    private final long[] regionIds;
    private final int[] groupStart;
    private final int[] leaderRow;
    private final byte[] leaderRule;
    private final byte[] fate;
    private final int[] droppedBy;
    private final List<Hole> acceptedHoles;
    private final long[] stores;

    private final int count;
    /**
     * Command k's region, as its index g (its id is regionIds[g], its seed term targetTerm[g] unless it is a
     * tombstone): 5 bytes a command, not the 17 of an id and a term of its own — at 30M commands, 360 MB less
     * heap to zero and fill while the planner's columns are still held.
     */
    private final int[] cmdGroup;
    private final byte[] cmdFlags;
    private final long[] targetTerm; // seed protocol: per region (null for stock)
    private final int[] storeFrom; // commands of stores[s] are [storeFrom[s], storeFrom[s+1])
    private final int[] leadersAt; // kept regions led on stores[s]
    private final PlanSummary summary;

    Plan(ReplicaTable t, PlanOptions options, int[] perm, int m, long[] regionIds, int[] groupStart,
         int[] leaderRow, byte[] leaderRule, byte[] fate, int[] droppedBy, List<Hole> acceptedHoles, long[] stores,
         int[] storeAt, long[] targetTerm) {
        this.t = t;
        this.options = options;
        this.perm = perm;
        this.m = m;
        this.regionIds = regionIds;
        this.groupStart = groupStart;
        this.leaderRow = leaderRow;
        this.leaderRule = leaderRule;
        this.fate = fate;
        this.droppedBy = droppedBy;
        this.acceptedHoles = acceptedHoles;
        this.stores = stores;
        this.targetTerm = options.protocol() == Protocol.SEED ? targetTerm : null;
        // Two passes over the regions in id order: count the commands of each store, then write
        // each at its store's next slot. The result is sorted by (store, region) without a sort,
        // and the columns are exactly as long as needed. Both passes read the planner's region-ordered
        // store index column (sequential), not the table's rows (scattered). On two cores each half of the
        // regions counts its own commands, and writes them after the first half's of the same store: the
        // one-core order.
        int ns = stores.length;
        boolean two = Parallel.worth(m);
        int mid = two ? m >>> 1 : m;
        int[] count1 = new int[ns];
        int[] count2 = new int[ns];
        int[] leaders1 = new int[ns];
        int[] leaders2 = new int[ns];
        if (two) {
            Parallel.both(() -> emitCommands(0, mid, count1, leaders1, null, null, null, storeAt),
                    () -> emitCommands(mid, m, count2, leaders2, null, null, null, storeAt));
        } else {
            emitCommands(0, m, count1, leaders1, null, null, null, storeAt);
        }
        this.storeFrom = new int[ns + 1];
        this.leadersAt = new int[ns];
        int[] next1 = new int[ns];
        int[] next2 = new int[ns];
        for (int s = 0; s < ns; s++) {
            next1[s] = storeFrom[s];
            next2[s] = storeFrom[s] + count1[s];
            storeFrom[s + 1] = next2[s] + count2[s];
            leadersAt[s] = leaders1[s] + leaders2[s];
        }
        this.count = storeFrom[ns];
        int[] group = new int[count];
        byte[] flags = new byte[count];
        if (two) {
            Parallel.both(() -> emitCommands(0, mid, null, null, next1, group, flags, storeAt),
                    () -> emitCommands(mid, m, null, null, next2, group, flags, storeAt));
        } else {
            emitCommands(0, m, null, null, next1, group, flags, storeAt);
        }
        this.cmdGroup = group;
        this.cmdFlags = flags;
        this.summary = PlanSummary.of(this);
    }

    // ---- rule 5: commands --------------------------------------------------------------

    /**
     * Counting pass over regions [gFrom, gTo) when {@code next} is null (commands per store index to counts,
     * kept regions led there to leaders); else writes each command at its store's next slot. storeAt is per
     * sorted position. Only the few regions that are not kept read rows of the table
     * (their tombstone flags).
     */
    private void emitCommands(int gFrom, int gTo, int[] counts, int[] leaders, int[] next, int[] group, byte[] flags,
                              int[] storeAt) {
        boolean seed = options.protocol() == Protocol.SEED;
        for (int g = gFrom; g < gTo; g++) {
            int from = groupStart[g];
            int to = groupStart[g + 1];
            if (fate[g] != Planner.FATE_KEPT) {
                for (int j = from; j < to; j++) {
                    if (!t.tombstone(perm[j])) {
                        emit(counts, next, group, flags, storeAt[j], g, TOMBSTONE);
                    }
                }
                continue;
            }
            int leader = leaderRow[g];
            for (int j = from; j < to; j++) {
                if (perm[j] != leader) {
                    if (seed) {
                        emit(counts, next, group, flags, storeAt[j], g, SILENCE);
                    }
                    continue;
                }
                if (next == null) {
                    leaders[storeAt[j]]++;
                }
                // Seed protocol: the leader always gets term=target, silence=false, even when its term already is
                // the target (SPEC §4 rule 5 sends it nothing then). A report carries no silence flag, so a replica
                // an earlier, killed run silenced looks exactly like one it never touched — at the target term, in a
                // tie with that run's leader — and a rerun picking it would leave the region with no leader at all
                // (Rule.LEADER_UNSILENCED, README "Candidate order").
                emit(counts, next, group, flags, storeAt[j], g, seed ? (byte) 0 : AS_LEADER);
            }
        }
    }

    private static void emit(int[] counts, int[] next, int[] group, byte[] flags, int s, int g, byte f) {
        if (next == null) {
            counts[s]++;
            return;
        }
        int k = next[s]++;
        group[k] = g;
        flags[k] = f;
    }

    // ---- commands ------------------------------------------------------------------------

    public PlanOptions options() {
        return options;
    }

    public int commandCount() {
        return count;
    }

    public long commandStore(int k) {
        // storeFrom is ascending: the store is the last one whose range starts at or before k.
        int lo = 0;
        int hi = stores.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (storeFrom[mid] <= k) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return stores[lo];
    }
    public long commandRegion(int k) { return regionIds[cmdGroup[k]]; }
    /** Seed protocol: the term to set (0 on a tombstone command). */
    public long commandTerm(int k) {
        // The seed target term of its region (rule 5), sent with a silence and to the leader; 0 on a tombstone
        return targetTerm == null || (cmdFlags[k] & TOMBSTONE) != 0 ? 0 : targetTerm[cmdGroup[k]];
    }
    public boolean commandSilence(int k) { return (cmdFlags[k] & SILENCE) != 0; }
    public boolean commandTombstone(int k) { return (cmdFlags[k] & TOMBSTONE) != 0; }
    /** Stock protocol: force this region to lead on this store. */
    public boolean commandAsLeader(int k) { return (cmdFlags[k] & AS_LEADER) != 0; }

    /** Every store that reported or was declared, ascending. */
    public long[] stores() {
        return stores.clone();
    }

    /** The first command for the store (commands are sorted by store, then region). */
    public int commandsFrom(long store) {
        int s = Arrays.binarySearch(stores, store);
        return s < 0 ? 0 : storeFrom[s];
    }

    /** One past the last command for the store; equal to {@link #commandsFrom} when it has none. */
    public int commandsTo(long store) {
        int s = Arrays.binarySearch(stores, store);
        return s < 0 ? 0 : storeFrom[s + 1];
    }

    /** Holes in the key space the operator accepted (empty unless planned with acceptHoles). */
    public List<Hole> acceptedHoles() {
        return acceptedHoles;
    }

    public PlanSummary summary() {
        return summary;
    }

    /** Writes the plan as JSON Lines (SPEC §6), sorted by store then region. */
    public void writeJsonLines(OutputStream out) throws IOException {
        PlanLines.write(this, out);
    }

    // ---- regions -------------------------------------------------------------------------

    public int regionCount() {
        return m;
    }

    /** Region ids, ascending; region index {@code g} is the position in this order. */
    public long regionId(int g) {
        return regionIds[g];
    }

    public boolean kept(int g) {
        return fate[g] == Planner.FATE_KEPT;
    }

    /** The store the region's leader is on, or -1 if it has no live replica. */
    public long leaderStore(int g) {
        return leaderRow[g] < 0 ? -1 : t.store(leaderRow[g]);
    }

    public Rule leaderRule(int g) {
        return Rule.of(leaderRule[g]);
    }

    public Rule fateRule(int g) {
        return fate[g] == Planner.FATE_KEPT ? Rule.KEPT : fate[g] == Planner.FATE_DROPPED ? Rule.DROPPED_OVERLAP : Rule.GONE;
    }

    /** The region index of a region id, or -1. */
    public int indexOf(long regionId) {
        int lo = 0;
        int hi = m - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compare(regionIds[mid], regionId);
            if (c == 0) {
                return mid;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    /** Why the region ended as it did: its replicas, its leader and the rule, its fate, its commands. */
    public Optional<String> explain(long regionId) {
        int g = indexOf(regionId);
        if (g < 0) {
            return Optional.empty();
        }
        boolean seedFields = options.policy() == Policy.SEED;
        StringBuilder sb = new StringBuilder();
        sb.append("region ").append(regionId).append(": ").append(groupStart[g + 1] - groupStart[g])
                .append(" replica(s), policy ").append(options.policy().name().toLowerCase()).append('\n');
        for (int j = groupStart[g]; j < groupStart[g + 1]; j++) {
            int i = perm[j];
            sb.append("  store ").append(t.store(i));
            if (seedFields) {
                sb.append(" applied_index=").append(t.index(i)).append(" term=").append(t.term(i));
            } else {
                sb.append(" last_log_term=").append(t.term(i)).append(" last_index=").append(t.index(i))
                        .append(" commit_index=").append(t.commitIndex(i));
            }
            sb.append(" version=").append(t.version(i)).append(" range=[\"").append(Planner.hex(t.startKey(i)))
                    .append("\", \"").append(Planner.hex(t.endKey(i))).append("\")");
            if (t.tombstone(i)) {
                sb.append(" tombstone");
            }
            if (i == leaderRow[g]) {
                sb.append("  <- leader");
            }
            sb.append('\n');
        }
        sb.append("  leader: ");
        if (leaderRow[g] < 0) {
            sb.append("none (").append(leaderRule(g).text()).append(")\n");
        } else {
            sb.append("store ").append(leaderStore(g)).append(" (").append(leaderRule(g).text()).append(")\n");
        }
        sb.append("  fate: ").append(fateRule(g).text());
        if (fate[g] == Planner.FATE_DROPPED) {
            int k = droppedBy[g];
            int kl = leaderRow[k];
            sb.append(" (region ").append(regionIds[k]).append(" version ").append(t.version(kl)).append(" range [\"")
                    .append(Planner.hex(t.startKey(kl))).append("\", \"").append(Planner.hex(t.endKey(kl))).append("\"))");
        }
        sb.append('\n');
        int shown = 0;
        for (int k = 0; k < count; k++) {
            if (cmdGroup[k] != g) {
                continue;
            }
            shown++;
            sb.append("  command to store ").append(commandStore(k)).append(':');
            if (options.protocol() == Protocol.SEED) {
                sb.append(" term=").append(commandTerm(k)).append(" silence=").append(commandSilence(k));
            } else {
                sb.append(" as_leader=").append(commandAsLeader(k));
            }
            sb.append(" tombstone=").append(commandTombstone(k));
            if (options.protocol() == Protocol.SEED && !commandTombstone(k) && !commandSilence(k)
                    && t.term(leaderRow[g]) == commandTerm(k)) {
                sb.append("  (").append(Rule.LEADER_UNSILENCED.text()).append(')');
            }
            sb.append('\n');
        }
        if (shown == 0) {
            sb.append("  no command: every replica is already in its target state\n");
        }
        return Optional.of(sb.toString());
    }

    /** Kept regions led on each store, by store index. */
    int leadersOnStore(int s) {
        return leadersAt[s];
    }

    long replicaCount() {
        return t.size();
    }
}
