package io.phybr.adviser.stock;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdRegion;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.text.Texts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RecoverRegion in bounded rounds. Real TiKV answers RecoverRegion only once every forced leader of the call leads
 * and applied (R3): one region whose candidate cannot win an election makes the whole store's call hang, with no
 * error. So each round is bounded; after a round, PD's region leaders (TiKV leaders heartbeat to PD on becoming
 * leader, also in recovery mode) tell which forced regions of the stores that did not answer still have no
 * leader there. Each such region moves to its next candidate, and the next round sends the changed command lists:
 * first to the stores that lose a region — the newer RecoverRegion aborts their older one (R6), so no store keeps
 * campaigning for a region another store is now forced to lead (tidb-operator#5297) — and only then to the stores
 * that gain one. When a region has no candidate left, or PD cannot tell which regions are stuck, the phase stops
 * with one paragraph naming each region, its candidates and why none could win.
 *
 * <p>Candidate order. The first candidate is the plan's (SPEC §4, BR policy: hard-state term, then last index).
 * The hard-state term can exceed the term of a replica's last entry (R2), so the plan's pick can hold a shorter log
 * than a majority and lose every vote (R3). A failed pick proves some voter's log is more up to date than the
 * candidate's; the replica with the longest log is then the likeliest winner, so the next candidates are taken by
 * last index first (then hard-state term, then store id). Ranking by last index from the start is not safer: a
 * replica can hold a long uncommitted tail from an older term that the newer leader never replicated (tikv#16307);
 * it then loses every vote against the newer term's entries. Neither order can lose committed data — the vote
 * rule itself refuses a candidate missing committed entries — so the order only decides how many rounds it takes.
 */
final class RecoverRounds {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    /** One replica that could lead a region. */
    record Candidate(long store, long lastLogTerm, long lastIndex) {
    }

    private final PhaseRunner runner;
    private final PlanSender sender;
    private final StoreWatch watch;
    private final PdClient pd;
    private final PdRetry pdRetry;
    private final ReplicaTable table;
    private final Duration roundTimeout;

    RecoverRounds(PhaseRunner runner, PlanSender sender, StoreWatch watch, PdClient pd, PdRetry pdRetry,
                  ReplicaTable table, Duration roundTimeout) {
        this.runner = runner;
        this.sender = sender;
        this.watch = watch;
        this.pd = pd;
        this.pdRetry = pdRetry;
        this.table = table;
        this.roundTimeout = roundTimeout;
    }

    /** Runs rounds until every store with commands answered; returns the regions moved (region → store). */
    Map<Long, Long> run(List<PdStore> stores, Duration timeout) throws PhaseFailure, PdException {
        Assignment a = sender.assignment();
        long end = System.nanoTime() + timeout.toNanos();
        Map<Long, PdStore> byId = new TreeMap<>();
        stores.forEach(s -> byId.put(s.id(), s));
        List<PdStore> targets = stores.stream().filter(s -> a.hasCommands(s.id())).toList();
        Map<Long, List<Long>> tried = new HashMap<>(); // region → stores forced so far, in order
        Set<Long> losers = Set.of();
        for (int round = 1; ; round++) {
            long left = end - System.nanoTime();
            Duration bound = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(left, roundTimeout.toNanos())));
            for (PdStore s : targets) {
                for (long r : a.leaders(s.id())) {
                    List<Long> t = tried.computeIfAbsent(r, k -> new ArrayList<>());
                    if (!t.contains(s.id())) {
                        t.add(s.id()); // forced on this store from this round on
                    }
                }
            }
            CountDownLatch losersSent = new CountDownLatch(losers.size());
            Set<Long> losing = losers;
            Map<Long, PhaseRunner.StoreResult> results = runner.runAll(Phase.RECOVER, "commands", targets, bound,
                    (s, ch, d, p) -> {
                        if (!losing.contains(s.id()) && !losersSent.await(d.timeRemaining(TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS)) {
                            throw StoreFailure.timedOut(StockTexts.losersNotSent(s, losing));
                        }
                        sender.send(s, ch, d, p, losing.contains(s.id()) ? losersSent::countDown : () -> { });
                    });
            List<String> failures = new ArrayList<>();
            List<PdStore> timedOut = new ArrayList<>();
            for (PdStore s : targets) {
                PhaseRunner.StoreResult r = results.get(s.id());
                if (r.failure() != null && r.timedOut()) {
                    timedOut.add(s);
                } else if (r.failure() != null) {
                    failures.add(r.failure());
                }
            }
            if (!failures.isEmpty()) {
                throw new PhaseFailure(ExitCode.FAILURE, StockTexts.phaseFailed(Phase.RECOVER,
                        failures.size() + timedOut.size(), targets.size(), failures));
            }
            if (timedOut.isEmpty()) {
                return a.moves();
            }
            // Which forced regions of the stores that did not answer have no leader there, as PD heard it.
            Map<Long, List<Long>> stuck = new TreeMap<>();
            List<PdStore> appliedNotAnswered = new ArrayList<>();
            Map<Long, String> mergedNow = new TreeMap<>();
            for (PdStore s : timedOut) {
                List<Long> noLeader = new ArrayList<>();
                boolean lostToMerge = false;
                for (long r : a.leaders(s.id())) {
                    OptionalLong leader;
                    Optional<PdRegion> into;
                    try {
                        leader = pdRetry.run("read region " + r + "'s leader", () -> pd.regionLeaderStore(r));
                        into = leader.isEmpty() ? mergedInto(r, s.id()) : Optional.empty();
                    } catch (PdException e) {
                        throw new PhaseFailure(ExitCode.TIMEOUT, StockTexts.recoverStuckPdCannotTell(timedOut, a, bound, e.getMessage()));
                    }
                    if (into.isPresent()) {
                        // R4: the merge destroyed the region on every store its target's leader reached; LeaderKeeper
                        // then gets RegionNotFound forever and the store's call never answers. Force it nowhere.
                        a.drop(r);
                        lostToMerge = true;
                        mergedNow.put(r, StockTexts.mergedInto(r, s.id(), into.get()));
                        LOG.warn("recover: round {}: region {} (forced on store {}) was merged into region {} during RecoverRegion; "
                                + "it is forced nowhere from now on, and store {} gets its commands again without it",
                                round, r, s.id(), into.get().id(), s.id());
                    } else if (leader.isEmpty() || leader.getAsLong() != s.id()) {
                        noLeader.add(r);
                    }
                }
                if (noLeader.isEmpty() && lostToMerge) {
                    continue; // hung on the merged-away regions alone: the next round's call aborts the old one (R6)
                }
                if (noLeader.isEmpty()) {
                    // Every leader won, yet no answer: the leader-apply wait hangs (R8), and stays pending there.
                    watch.interrupted(s.id(), StockTexts.recoverAbandonedInApply());
                    appliedNotAnswered.add(s);
                } else {
                    stuck.put(s.id(), noLeader);
                }
            }
            if (!appliedNotAnswered.isEmpty()) {
                throw new PhaseFailure(ExitCode.TIMEOUT, StockTexts.recoverLeadersNotApplied(appliedNotAnswered, bound));
            }
            if (System.nanoTime() >= end) {
                throw new PhaseFailure(ExitCode.TIMEOUT, stuck.isEmpty()
                        ? StockTexts.recoverMergedAwayOutOfTime(mergedNow, round, bound)
                        : StockTexts.recoverUnwinnable(unwinnable(stuck, tried, byId, round), round, bound, true));
            }
            // Move each stuck region to its next candidate; a region with none left ends the phase.
            Map<Long, Long> moves = new LinkedHashMap<>();
            Map<Long, Long> fromOf = new HashMap<>();
            Map<Long, List<Candidate>> none = new TreeMap<>();
            for (Map.Entry<Long, List<Long>> e : stuck.entrySet()) {
                for (long r : e.getValue()) {
                    List<Long> t = tried.computeIfAbsent(r, k -> new ArrayList<>());
                    if (!t.contains(e.getKey())) {
                        t.add(e.getKey());
                    }
                    Candidate next = candidates(r, byId).stream().filter(c -> !t.contains(c.store())).findFirst().orElse(null);
                    if (next == null) {
                        none.put(r, candidates(r, byId));
                    } else {
                        moves.put(r, next.store());
                        fromOf.put(r, e.getKey());
                    }
                }
            }
            if (!none.isEmpty()) {
                throw new PhaseFailure(ExitCode.TIMEOUT, StockTexts.recoverUnwinnable(unwinnable(stuck, tried, byId, round), round, bound, false));
            }
            Set<Long> lose = new TreeSet<>();
            Set<Long> next = new TreeSet<>();
            timedOut.forEach(s -> next.add(s.id())); // their old calls still campaign: each gets a newer one
            for (Map.Entry<Long, Long> m : moves.entrySet()) {
                long from = fromOf.get(m.getKey());
                a.move(m.getKey(), from, m.getValue());
                lose.add(from);
                next.add(m.getValue());
                LOG.warn("recover: round {}: region {} has no leader on store {} after {}; forcing its next candidate on store {}",
                        round, m.getKey(), from, Texts.duration(bound), m.getValue());
            }
            losers = lose;
            targets = next.stream().map(byId::get).toList();
        }
    }

    /**
     * The region {@code regionId} was merged into, if PD shows it so: PD no longer knows the region itself, and the
     * region PD holds at its start key is another one, with a newer epoch version, whose range holds all of the range
     * {@code store}'s replica reported. (A region whose forced leader merely cannot win is also unknown to a fresh PD,
     * but no newer region covers it.)
     */
    private Optional<PdRegion> mergedInto(long regionId, long store) {
        for (int i = 0; i < table.size(); i++) {
            if (table.regionId(i) == regionId && table.store(i) == store && !table.tombstone(i)) {
                byte[] start = table.startKey(i);
                byte[] endKey = table.endKey(i);
                long version = table.version(i);
                Optional<PdRegion> at;
                try {
                    at = pdRetry.run("read the region at region " + regionId + "'s start key", () -> pd.regionAtKey(start));
                } catch (PdException e) {
                    // cannot tell a merge: the region stays stuck and moves on as any other (PD's leader read decided)
                    LOG.info("recover: cannot tell from PD whether region {} was merged away: {}", regionId, e.getMessage());
                    return Optional.empty();
                }
                return at.filter(t -> t.id() != regionId && t.version() > version && t.covers(start, endKey));
            }
        }
        return Optional.empty();
    }

    /** The stuck regions, each with every candidate and what happened to it. */
    private Map<Long, String> unwinnable(Map<Long, List<Long>> stuck, Map<Long, List<Long>> tried, Map<Long, PdStore> byId, int rounds) {
        Map<Long, String> out = new TreeMap<>();
        for (List<Long> regions : stuck.values()) {
            for (long r : regions) {
                out.put(r, StockTexts.candidatesOf(r, candidates(r, byId), tried.getOrDefault(r, List.of()), byId.keySet()));
            }
        }
        return out;
    }

    /** A region's live replicas on the stores taking part, next-candidate order: last index, hard-state term, store. */
    List<Candidate> candidates(long regionId, Map<Long, PdStore> stores) {
        List<Candidate> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < table.size(); i++) {
            if (table.regionId(i) == regionId && !table.tombstone(i) && stores.containsKey(table.store(i))
                    && seen.add(table.store(i))) {
                out.add(new Candidate(table.store(i), table.term(i), table.index(i)));
            }
        }
        out.sort(Comparator.comparingLong(Candidate::lastIndex).reversed()
                .thenComparing(Comparator.comparingLong(Candidate::lastLogTerm).reversed())
                .thenComparingLong(Candidate::store));
        return out;
    }
}
