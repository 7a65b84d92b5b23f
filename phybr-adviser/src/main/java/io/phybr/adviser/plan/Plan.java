package io.phybr.adviser.plan;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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

    private int count;
    private long[] cmdStore;
    private long[] cmdRegion;
    private long[] cmdTerm;
    private byte[] cmdFlags;
    private final int[] storeFrom; // commands of stores[s] are [storeFrom[s], storeFrom[s+1])
    private final PlanSummary summary;

    Plan(ReplicaTable t, PlanOptions options, int[] perm, int m, long[] regionIds, int[] groupStart,
         int[] leaderRow, byte[] leaderRule, byte[] fate, int[] droppedBy, List<Hole> acceptedHoles, long[] stores) {
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
        buildCommands();
        this.storeFrom = new int[stores.length + 1];
        for (int s = 0, k = 0; s < stores.length; s++) {
            storeFrom[s] = k;
            while (k < count && cmdStore[k] == stores[s]) {
                k++;
            }
            storeFrom[s + 1] = k;
        }
        this.summary = PlanSummary.of(this);
    }

    // ---- rule 5: commands --------------------------------------------------------------

    private void buildCommands() {
        int cap = t.size() + 16; // at most one command per replica: no regrowth on the hot path
        cmdStore = new long[cap];
        cmdRegion = new long[cap];
        cmdTerm = new long[cap];
        cmdFlags = new byte[cap];
        boolean seed = options.protocol() == Protocol.SEED;
        for (int g = 0; g < m; g++) {
            int from = groupStart[g];
            int to = groupStart[g + 1];
            if (fate[g] != Planner.FATE_KEPT) {
                for (int j = from; j < to; j++) {
                    int i = perm[j];
                    if (!t.tombstone(i)) {
                        add(t.store(i), regionIds[g], 0, TOMBSTONE);
                    }
                }
                continue;
            }
            int leader = leaderRow[g];
            if (!seed) {
                add(t.store(leader), regionIds[g], 0, AS_LEADER);
                continue;
            }
            long target = 0;
            for (int j = from; j < to; j++) {
                target = Math.max(target, t.term(perm[j]));
            }
            for (int j = from; j < to; j++) {
                int i = perm[j];
                if (i != leader) {
                    add(t.store(i), regionIds[g], target, SILENCE);
                } else if (t.term(i) != target) {
                    add(t.store(i), regionIds[g], target, (byte) 0);
                }
            }
        }
        // Generated in region order; a stable sort by store gives (store, region) order.
        int[] order = new int[count];
        for (int k = 0; k < count; k++) {
            order[k] = k;
        }
        Sorting.radixByColumn(order, count, cmdStore);
        long[] s2 = new long[count];
        long[] r2 = new long[count];
        long[] t2 = new long[count];
        byte[] f2 = new byte[count];
        for (int k = 0; k < count; k++) {
            int o = order[k];
            s2[k] = cmdStore[o];
            r2[k] = cmdRegion[o];
            t2[k] = cmdTerm[o];
            f2[k] = cmdFlags[o];
        }
        cmdStore = s2;
        cmdRegion = r2;
        cmdTerm = t2;
        cmdFlags = f2;
    }

    private void add(long store, long region, long term, byte flags) {
        if (count == cmdStore.length) {
            int cap = count + (count >> 1) + 16;
            cmdStore = Arrays.copyOf(cmdStore, cap);
            cmdRegion = Arrays.copyOf(cmdRegion, cap);
            cmdTerm = Arrays.copyOf(cmdTerm, cap);
            cmdFlags = Arrays.copyOf(cmdFlags, cap);
        }
        cmdStore[count] = store;
        cmdRegion[count] = region;
        cmdTerm[count] = term;
        cmdFlags[count] = flags;
        count++;
    }

    // ---- commands ------------------------------------------------------------------------

    public PlanOptions options() {
        return options;
    }

    public int commandCount() {
        return count;
    }

    public long commandStore(int k) { return cmdStore[k]; }
    public long commandRegion(int k) { return cmdRegion[k]; }
    /** Seed protocol: the term to set (0 on a tombstone command). */
    public long commandTerm(int k) { return cmdTerm[k]; }
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
        StringBuilder sb = new StringBuilder(128 * 1024);
        boolean seed = options.protocol() == Protocol.SEED;
        for (int k = 0; k < count; k++) {
            sb.append("{\"store\":").append(cmdStore[k]).append(",\"region_id\":").append(cmdRegion[k]);
            if (seed) {
                sb.append(",\"term\":").append(cmdTerm[k]).append(",\"silence\":").append(commandSilence(k));
            } else {
                sb.append(",\"as_leader\":").append(commandAsLeader(k));
            }
            sb.append(",\"tombstone\":").append(commandTombstone(k)).append("}\n");
            if (sb.length() > 120 * 1024) {
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                sb.setLength(0);
            }
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
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
            if (cmdRegion[k] != regionId) {
                continue;
            }
            shown++;
            sb.append("  command to store ").append(cmdStore[k]).append(':');
            if (options.protocol() == Protocol.SEED) {
                sb.append(" term=").append(cmdTerm[k]).append(" silence=").append(commandSilence(k));
            } else {
                sb.append(" as_leader=").append(commandAsLeader(k));
            }
            sb.append(" tombstone=").append(commandTombstone(k)).append('\n');
        }
        if (shown == 0) {
            sb.append("  no command: every replica is already in its target state\n");
        }
        return Optional.of(sb.toString());
    }

    long replicaCount() {
        return t.size();
    }
}
