package io.phybr.adviser.plan;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Deliberately broken seed-policy planners for the rehearsal's {@code SeedMutatedPlannerTest} (test code only): each
 * is the real {@link Planner} with ONE SPEC §4 rule broken, made by editing the decided columns (leader row, fate,
 * target term) through the planner's package-private {@code beforePlan} seam, so the plan's commands follow from the
 * broken decision exactly as the real planner would emit them. Lives in the planner's package on the test classpath.
 */
public final class SeedPlanMutants {
    /** A named broken planner: the SPEC §4 rule it breaks, and the planner to inject. */
    public record Mutant(String name, String rule, BiFunction<ReplicaTable, PlanOptions, PlanOutcome> planner) {
    }

    private SeedPlanMutants() {
    }

    public static List<Mutant> all() {
        return List.of(
                mutant("leader-lowest-applied-index", "rule 2: the leader has the highest applied_index",
                        SeedPlanMutants::leaderByLowestIndex),
                mutant("leader-tie-lowest-term", "rule 2: on equal applied_index the higher term leads",
                        SeedPlanMutants::tieByLowestTerm),
                mutant("region-left-without-leader", "rules 2, 5: every kept region gets one unsilenced leader",
                        SeedPlanMutants::lastRegionWithoutLeader),
                mutant("stale-overlap-not-tombstoned", "rules 3, 5: a displaced region's replicas are tombstoned",
                        SeedPlanMutants::droppedKept),
                mutant("newer-overlap-tombstoned", "rule 3: of two overlapping regions the newer version is kept",
                        SeedPlanMutants::newerDropped),
                mutant("equal-version-higher-id-wins", "rule 3: at equal versions the lower region id wins",
                        SeedPlanMutants::equalVersionHigherIdWins));
    }

    /**
     * Mutants no check can catch (not in {@link #all}), because they are behaviour-equivalent against the seed agent.
     *
     * <p>{@code target-term-of-leader} (the leader's own term instead of the highest over the region's replicas,
     * issue 14): the seed agent, tikv/tikv {@code cmd/tikv-phybr/src/main.rs} (commit 446085bd), first cuts every
     * reported replica's log to its applied index ({@code cut_logs(rid, applied_index + 1, ..)}, hard-state commit =
     * applied), then for each non-tombstone command writes {@code hard_state.term = command.term} whenever the two
     * differ — it lowers a term as readily as it raises it — and only then starts the TiKV, where each unsilenced
     * region campaigns ({@code SignificantMsg::Campaign}: raft-rs {@code become_candidate}, term + 1). SPEC §4 rule 5
     * sends every non-leader replica a command, and our plan sends the leader one too (README, LEADER_UNSILENCED);
     * tombstone replicas are neither reported nor started by the agent ({@code scan_regions} skips them), so they never
     * vote. Whatever target T the plan names, every voter of the region therefore restarts at hard-state term T and
     * the forced leader campaigns at T + 1, above every voter; its log (highest applied index; every log cut to its
     * applied, committed entries agree) is at least as up to date as each voter's, so it wins the same election in
     * both cases. The leader's own term is at least its last entry's term and so at least every follower's last
     * entry's term, so lowering a follower to it leaves no hard state below its own log. The term value reaches
     * nothing else: PD compares heartbeat terms only with heartbeats it saw ({@code pkg/core/region.go}
     * {@code isTermBehind}), and the restore procedure starts PD without region meta and no leader heartbeats before
     * these campaigns. The mock's agent ({@code Peer.takeRecoverCommand}) lowers terms as the real one does, so
     * it is not friendlier than the agent here; the checker's "leader term at least every replica's" holds under
     * both plans for the same reason. Kept here, out of CI ({@code -Dphybr.seed-mutants.survivors=true} still runs
     * it and fails, as it should for an equivalent mutant).
     */
    public static List<Mutant> survivors() {
        return List.of(
                mutant("target-term-of-leader", "rule 5: the target term is the highest term over the region's replicas",
                        SeedPlanMutants::targetTermOfLeader));
    }

    private static Mutant mutant(String name, String rule, Consumer<Planner.Run> breakRule) {
        return new Mutant(name, rule, (t, o) -> Planner.plan(t, o, breakRule));
    }

    /** Kept regions with two or more live replicas are led by the one with the lowest applied index (first store on ties). */
    private static void leaderByLowestIndex(Planner.Run r) {
        for (int g = 0; g < r.m; g++) {
            if (r.fate[g] != Planner.FATE_KEPT || live(r, g) < 2) {
                continue;
            }
            int worst = -1;
            for (int j = r.groupStart[g]; j < r.groupStart[g + 1]; j++) {
                int row = r.perm[j];
                if (!r.t.tombstone(row) && (worst < 0 || r.t.index(row) < r.t.index(worst))) {
                    worst = row;
                }
            }
            r.leaderRow[g] = worst;
        }
    }

    /** Among the live replicas at the leader's applied index, the lowest term leads (first store on ties). */
    private static void tieByLowestTerm(Planner.Run r) {
        for (int g = 0; g < r.m; g++) {
            if (r.fate[g] != Planner.FATE_KEPT || r.leaderRow[g] < 0) {
                continue;
            }
            long top = r.t.index(r.leaderRow[g]);
            int pick = -1;
            for (int j = r.groupStart[g]; j < r.groupStart[g + 1]; j++) {
                int row = r.perm[j];
                if (!r.t.tombstone(row) && r.t.index(row) == top && (pick < 0 || r.t.term(row) < r.t.term(pick))) {
                    pick = row;
                }
            }
            r.leaderRow[g] = pick;
        }
    }

    /** The kept region with the highest id gets no leader: every replica of it is silenced. */
    private static void lastRegionWithoutLeader(Planner.Run r) {
        for (int g = r.m - 1; g >= 0; g--) {
            if (r.fate[g] == Planner.FATE_KEPT) {
                r.leaderRow[g] = -1;
                return;
            }
        }
    }

    /** Every displaced region is kept (led by its own leader) instead of tombstoned. */
    private static void droppedKept(Planner.Run r) {
        for (int g = 0; g < r.m; g++) {
            if (r.fate[g] == Planner.FATE_DROPPED && r.leaderRow[g] >= 0) {
                r.fate[g] = Planner.FATE_KEPT;
            }
        }
    }

    /** Each displaced region is kept and the newer region that displaced it tombstoned instead. */
    private static void newerDropped(Planner.Run r) {
        swapDisplaced(r, false);
    }

    /** Where a region was displaced by one of equal version (a lower id), the higher id is kept instead. */
    private static void equalVersionHigherIdWins(Planner.Run r) {
        swapDisplaced(r, true);
    }

    private static void swapDisplaced(Planner.Run r, boolean equalVersionsOnly) {
        byte[] fate = r.fate.clone();
        for (int d = 0; d < r.m; d++) {
            int k = r.droppedBy[d];
            if (fate[d] != Planner.FATE_DROPPED || k < 0 || fate[k] != Planner.FATE_KEPT || r.leaderRow[d] < 0) {
                continue;
            }
            if (equalVersionsOnly && r.t.version(r.leaderRow[d]) != r.t.version(r.leaderRow[k])) {
                continue;
            }
            r.fate[d] = Planner.FATE_KEPT;
            r.fate[k] = Planner.FATE_DROPPED;
        }
    }

    /** The target term is the leader's own term, not the highest over the region's replicas. */
    private static void targetTermOfLeader(Planner.Run r) {
        for (int g = 0; g < r.m; g++) {
            if (r.leaderRow[g] >= 0) {
                r.targetTerm[g] = r.t.term(r.leaderRow[g]);
            }
        }
    }

    private static int live(Planner.Run r, int g) {
        int n = 0;
        for (int j = r.groupStart[g]; j < r.groupStart[g + 1]; j++) {
            n += r.t.tombstone(r.perm[j]) ? 0 : 1;
        }
        return n;
    }
}
