package io.phybr.mock.check;

import io.phybr.mock.agent.AgentReport;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Entry;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.model.Write;
import io.phybr.mock.scenario.Expectation;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.scenario.Scenario;
import io.phybr.proto.seed.RegionRecover;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges a recovery from the model's truth, never from a planner: after the adviser's commands are
 * applied, live regions must tile the key space once, each with one leader that can win its
 * election, every committed write at or below the resolved ts must be readable from its leader, and
 * no dropped region may stay live. The adviser's exit status and diagnosis must match the scenario;
 * a history that lost data must be refused, never recovered.
 */
public final class Checker {
    private static final int MAX_LISTED = 12;

    private Checker() {
    }

    public static Verdict check(Scenario scenario, long seed, Backup backup, Map<Long, StoreImage> after,
                                Map<Long, AgentReport> agents, AdviserResult adviser) {
        List<String> failures = new ArrayList<>();
        Expectation exp = scenario.expectation();
        Set<Long> reporting = new TreeSet<>(scenario.stores());
        for (Fault f : scenario.faults()) {
            if (f instanceof Fault.Absent a) {
                reporting.remove(a.store());
            }
        }
        reporting.removeIf(s -> backup.images().get(s) != null && backup.images().get(s).bootFailure() != null);
        List<String> loss = historyLoss(backup, reporting);
        if (exp.outcome() == Expectation.Outcome.RECOVERED && !loss.isEmpty()) {
            failures.add("scenario error: it expects recovery, but the history itself lost data, so the only correct "
                    + "outcome is a refusal: " + String.join("; ", loss));
        }
        Expectation.Outcome got = Expectation.Outcome.ofExitCode(adviser.exitCode());
        if (got != exp.outcome()) {
            failures.add("adviser exit status " + adviser.exitCode() + " (" + (got == null ? "unknown" : got.word())
                    + ") but the scenario expects " + exp.outcome().word() + " (" + exp.outcome().exitCode + ")"
                    + (adviser.diagnosis().isEmpty() ? "" : "; adviser said: " + oneLine(adviser.diagnosis())));
        }
        if (!exp.diagnosis().isEmpty()
                && !adviser.diagnosis().toLowerCase(Locale.ROOT).contains(exp.diagnosis().toLowerCase(Locale.ROOT))) {
            failures.add("the adviser's diagnosis does not mention '" + exp.diagnosis() + "': "
                    + (adviser.diagnosis().isEmpty() ? "(no diagnosis)" : oneLine(adviser.diagnosis())));
        }
        for (AgentReport r : agents.values()) {
            for (String p : r.problems()) {
                failures.add("store " + r.store() + ": " + p);
            }
        }
        boolean anyCommands = agents.values().stream().anyMatch(r -> !r.commands().isEmpty());
        if (exp.outcome() == Expectation.Outcome.RECOVERED || anyCommands) {
            // a plan went out: it must have gone out whole, and the cluster must be recovered
            for (long s : reporting) {
                AgentReport r = agents.get(s);
                boolean mayNotClose = scenario.hasFault(s, Fault.NoClose.class)
                        || exp.outcome() != Expectation.Outcome.RECOVERED;
                if (r == null) {
                    failures.add("store " + s + " has no agent report");
                } else if (r.errorCode() != null && !mayNotClose) {
                    failures.add("store " + s + "'s agent ended with " + r.errorCode() + ": " + r.errorDescription());
                } else if (!r.closed() && !mayNotClose) {
                    failures.add("store " + s + "'s agent was never told to exit (close not answered)");
                }
            }
            if (exp.outcome() == Expectation.Outcome.REFUSED) {
                failures.add("the scenario expects a refusal, yet the adviser sent commands: a plan modified the cluster");
            }
            failures.addAll(checkState(backup, after));
        }
        boolean pass = failures.isEmpty();
        String details = pass ? "" : dump(scenario, seed, backup, after, agents, adviser);
        return new Verdict(pass, List.copyOf(failures), details);
    }

    /** Committed writes no reporting store can serve, and key ranges no reported live replica covers. */
    public static List<String> historyLoss(Backup backup, Set<Long> reporting) {
        List<String> out = new ArrayList<>();
        int lost = 0;
        for (Write w : backup.mustSurvive()) {
            // held: some reporting store has a live replica covering the key that can serve it
            boolean held = false;
            for (long s : reporting) {
                StoreImage img = backup.images().get(s);
                for (Peer p : img.allPeers()) {
                    if (p.live() && Keys.contains(p.start(), p.end(), w.key()) && (img.data.get(w.id())
                            || holdsUnapplied(p, w))) {
                        held = true;
                        break;
                    }
                }
                if (held) {
                    break;
                }
            }
            if (!held && lost++ < MAX_LISTED) {
                out.add("committed " + w + " is readable from no live replica of any reporting store");
            }
        }
        if (lost > MAX_LISTED) {
            out.add("... and " + (lost - MAX_LISTED) + " more lost writes");
        }
        List<byte[][]> ranges = new ArrayList<>();
        for (long s : reporting) {
            for (Peer p : backup.images().get(s).allPeers()) {
                if (p.live()) {
                    ranges.add(new byte[][] {p.start(), p.end()});
                }
            }
        }
        ranges.sort((x, y) -> Keys.compare(x[0], y[0]));
        byte[] reach = Keys.EMPTY;
        boolean inf = false;
        for (byte[][] r : ranges) {
            if (inf) {
                break;
            }
            if (Keys.compare(r[0], reach) > 0) {
                out.add("no reported live replica covers " + Keys.range(reach, r[0]));
            }
            if (r[1].length == 0) {
                inf = true;
            } else if (Keys.compare(r[1], reach) > 0) {
                reach = r[1];
            }
        }
        if (!inf) {
            out.add("no reported live replica covers " + Keys.range(reach, Keys.EMPTY));
        }
        return out;
    }

    /** Checks 1-5 on the store images after the commands were applied. */
    public static List<String> checkState(Backup backup, Map<Long, StoreImage> after) {
        return checkState(backup, after, Set.of());
    }

    /**
     * Whether {@code leader}'s peer drops every message of {@code other} (tikv raftstore {@code fsm/peer.rs
     * PeerFsmDelegate::check_msg}): a message whose region epoch is stale (older version or conf_ver) from a store the
     * region no longer has a peer on is handled as stale ({@code handle_stale_msg}: dropped, the sender told to GC
     * itself) — a replica removed by a conf change it never applied cannot vote, and its higher term never reaches
     * the leader.
     */
    private static boolean droppedAsStale(Peer other, Peer leader) {
        boolean staleEpoch = other.version() < leader.version() || other.confVer() < leader.confVer();
        return staleEpoch && !leader.members().containsKey(other.store());
    }

    /**
     * Whether the leaderless live replicas {@code live} of one region (all its replicas: {@code peers}) are peers
     * TiKV leaves inert through the recovery and removes by itself afterwards, so the region needs no leader: every
     * one was created during the recovery (its store's backup image lacks it: a follower applied an old split), and
     * TiKV collects each at its first campaign, while together they cannot elect a leader first.
     *
     * <p>TiKV: the split creates the peer (raftstore {@code fsm/apply.rs exec_batch_split}: no region state of the new
     * region on this store), which campaigns only where its parent peer leads ({@code fsm/peer.rs
     * on_ready_split_region → maybe_campaign}); in recovery mode no election timeout ever fires (snap_recovery
     * {@code init_cluster.rs}: election timeout ticks of 12 hours), so a follower's child stays a follower without a
     * leader, applied to its last index (WaitApply answers at once, R8), in no plan. After the normal restart it
     * campaigns; a voter whose peer of the region is a tombstone whose region no longer has the campaigner's store
     * answers as to any stale peer ({@code fsm/store.rs check_msg → handle_stale_msg}: a gc message with the
     * tombstone's epoch), and the campaigner destroys itself when its own epoch is older ({@code fsm/peer.rs
     * handle_gc_peer_msg}). A tombstone that still lists the store (a merge the store never joined) answers with its
     * merge target instead ({@code need_gc_merge}), not modelled: such a replica stays named (harsher).
     */
    private static boolean inertUntilCollected(Backup backup, List<Peer> peers, List<Peer> live) {
        for (Peer p : live) {
            StoreImage before = backup.images().get(p.store());
            if (before == null || before.peer(p.regionId()) != null) {
                return false; // reported before the recovery: the plan decides it (tombstone or lead)
            }
            if (live.size() >= p.members().size() / 2 + 1) {
                return false; // enough of them to elect a stale leader among themselves before any gc message
            }
            boolean collected = peers.stream().anyMatch(t -> t.tombstone() && p.members().containsKey(t.store())
                    && !t.members().containsKey(p.store())
                    && (p.version() < t.version() || p.confVer() < t.confVer()));
            if (!collected) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks 1-5; {@code mayStayLeaderless} are regions whose live replicas may be left without a leader (protocol
     * B: the adviser asked to tombstone them, which TiKV ignores — MOCK-MODEL check 5); peers a recovery created that
     * TiKV leaves inert and then collects need no leader either ({@code inertUntilCollected}).
     */
    public static List<String> checkState(Backup backup, Map<Long, StoreImage> after, Set<Long> mayStayLeaderless) {
        List<String> failures = new ArrayList<>();
        TreeMap<Long, List<Peer>> byRegion = new TreeMap<>();
        for (StoreImage img : after.values()) {
            for (Peer p : img.allPeers()) {
                byRegion.computeIfAbsent(p.regionId(), k -> new ArrayList<>()).add(p);
            }
        }
        List<Peer> leaders = new ArrayList<>();
        for (Map.Entry<Long, List<Peer>> e : byRegion.entrySet()) {
            List<Peer> live = e.getValue().stream().filter(Peer::live).toList();
            if (live.isEmpty()) {
                continue;
            }
            List<Peer> lead = live.stream().filter(p -> !p.silenced()).toList();
            if (lead.isEmpty()) {
                if (!mayStayLeaderless.contains(e.getKey()) && !inertUntilCollected(backup, e.getValue(), live)) {
                    failures.add("region " + e.getKey() + " has no leader: its live replicas on stores " + stores(live)
                            + " may not campaign, so it is neither recovered nor dropped (tombstone)");
                }
                continue;
            }
            if (lead.size() > 1) {
                failures.add("region " + e.getKey() + " has " + lead.size() + " non-silenced live replicas on stores "
                        + stores(lead) + ": exactly one must lead");
                continue;
            }
            Peer l = lead.get(0);
            for (Peer other : live) {
                if (other.hardStateTerm() > l.hardStateTerm() && !droppedAsStale(other, l)) {
                    failures.add("region " + e.getKey() + "'s leader on store " + l.store() + " has term " + l.hardStateTerm()
                            + " below term " + other.hardStateTerm() + " of its replica on store " + other.store()
                            + ": it cannot win the election");
                }
            }
            leaders.add(l);
        }
        leaders.sort((a, b) -> Keys.compare(a.start(), b.start()));
        // check 1: tiling
        byte[] reach = Keys.EMPTY;
        boolean inf = false;
        for (Peer l : leaders) {
            if (inf) {
                failures.add("overlap: region " + l.regionId() + " " + Keys.range(l.start(), l.end())
                        + " (leader on store " + l.store() + ") overlaps a live region that already reaches +inf");
                continue;
            }
            int c = Keys.compare(l.start(), reach);
            if (c > 0) {
                failures.add("hole: no live region covers " + Keys.range(reach, l.start()));
            } else if (c < 0) {
                failures.add("overlap: region " + l.regionId() + " " + Keys.range(l.start(), l.end())
                        + " (leader on store " + l.store() + ") overlaps the live region before it on "
                        + Keys.range(l.start(), reach));
            }
            if (l.end().length == 0) {
                inf = true;
            } else if (Keys.compare(l.end(), reach) > 0) {
                reach = l.end();
            }
        }
        if (!inf) {
            failures.add("hole: no live region covers " + Keys.range(reach, Keys.EMPTY));
        }
        // check 3: committed writes readable from the leader now covering their key
        int lost = 0;
        for (Write w : backup.mustSurvive()) {
            Peer cover = null;
            for (Peer l : leaders) {
                if (Keys.contains(l.start(), l.end(), w.key())) {
                    cover = l;
                    break;
                }
            }
            String why = null;
            if (cover == null) {
                why = "no live region covers its key";
            } else if (!after.get(cover.store()).data.get(w.id())
                    && !holdsUnapplied(cover, w)) {
                why = "region " + cover.regionId() + "'s leader on store " + cover.store() + " (applied "
                        + cover.appliedIndex() + ", last " + cover.lastIndex() + ") neither applied it nor holds it in its log";
            }
            if (why != null && lost++ < MAX_LISTED) {
                failures.add("lost committed " + w + ": " + why);
            }
        }
        if (lost > MAX_LISTED) {
            failures.add("... and " + (lost - MAX_LISTED) + " more lost committed writes");
        }
        return failures;
    }

    /**
     * Does {@code p} hold {@code w} in its own log beyond its applied index (so it applies it once it leads and
     * commits)? The entry at the write's index must be that write: a tail an older leader wrote and a newer one
     * overwrote elsewhere holds other entries there (tikv#16307).
     */
    static boolean holdsUnapplied(Peer p, Write w) {
        return p.regionId() == w.regionId() && p.appliedIndex() < w.index()
                && p.entry(w.index()) != null && p.entry(w.index()).command() instanceof Entry.Write e
                && e.writeId() == w.id();
    }

    private static String stores(List<Peer> peers) {
        return peers.stream().map(p -> p.store()).toList().toString();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Seed, scenario, per-store reports and commands, and a per-region table of what each store holds. */
    public static String dump(Scenario scenario, long seed, Backup backup, Map<Long, StoreImage> after,
                              Map<Long, AgentReport> agents, AdviserResult adviser) {
        StringBuilder b = new StringBuilder();
        b.append("== seed ").append(seed).append(", scenario ").append(scenario.name()).append(" ==\n");
        b.append(scenario.render());
        b.append("== adviser: exit ").append(adviser.exitCode()).append(adviser.diagnosis().isEmpty() ? ""
                : ", said: " + oneLine(adviser.diagnosis())).append('\n');
        b.append("== agents ==\n");
        for (AgentReport r : agents.values()) {
            b.append(r.summary()).append('\n');
            for (RegionRecover c : r.commands()) {
                b.append("    command region ").append(c.getRegionId()).append(" term ").append(c.getTerm())
                        .append(c.getSilence() ? " silence" : "").append(c.getTombstone() ? " tombstone" : "")
                        .append('\n');
            }
        }
        b.append("== regions: reported (before) -> after commands ==\n");
        TreeSet<Long> ids = new TreeSet<>();
        backup.images().values().forEach(i -> ids.addAll(i.peers.keySet()));
        for (long r : ids) {
            b.append("region ").append(r).append('\n');
            for (StoreImage img : backup.images().values()) {
                Peer p = img.peer(r);
                if (p == null) {
                    continue;
                }
                Peer q = after.containsKey(img.id) ? after.get(img.id).peer(r) : null;
                b.append(String.format(Locale.ROOT, "  store %-3d applied %-5d last %-5d term %-4d version %-4d %s%s",
                        img.id, p.appliedIndex(), p.lastIndex(), p.hardStateTerm(), p.version(), Keys.range(p.start(), p.end()),
                        p.tombstone() ? " tombstone" : ""));
                if (q != null) {
                    b.append("  ->  ").append(q.tombstone() ? "tombstone" : q.silenced() ? "silenced" : "LEADER")
                            .append(" term ").append(q.hardStateTerm());
                }
                b.append('\n');
            }
        }
        b.append("== truth: committed layout ==\n");
        backup.committedLayout().forEach(g -> b.append("  region ").append(g.id()).append(" version ")
                .append(g.version()).append(' ').append(Keys.range(g.start(), g.end())).append(" on ")
                .append(g.members().keySet()).append(" leader ").append(g.leader()).append('\n'));
        b.append("  ").append(backup.mustSurvive().size()).append(" committed writes at or below resolved ts ")
                .append(backup.resolvedTs()).append('\n');
        return b.toString();
    }
}
