package io.phybr.mock.stock;

import io.phybr.mock.model.Entry;
import io.phybr.mock.model.Group;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.RecoveryRaft;
import io.phybr.mock.model.StoreImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The Raft network between the mock stock stores of one cluster, in recovery mode ({@code init_cluster.rs}: no
 * election happens by itself — election timeout is infinite, prevote and check-quorum are off — so leaders appear
 * only where RecoverRegion's LeaderKeeper campaigns). It runs elections by Raft's vote rule over the voters on
 * running stores (SPEC R3), replicates a leader's log to its live followers and commits what a majority holds, and
 * keeps each peer's pending WaitApply state (SPEC R8, R10). A restarted store loses its leaders and its pending
 * states (R9). One lock (this object) guards every replica of every store, and the plain state it delegates to:
 * {@link RaftLinks} (which messages get through), {@link WaitApplyStates}, {@link FlashbackLog}.
 */
final class RaftNet {
    /** Told when a store's peer becomes leader (PD learns leaders from their heartbeats). */
    @FunctionalInterface
    public interface LeaderListener {
        void leads(long store, Peer leader);
    }

    /** Who reaches whom: the stores, their processes, partitions, dropped votes. */
    private final RaftLinks links = new RaftLinks();
    /** Region → store whose peer leads it now. */
    private final Map<Long, Long> leaders = new TreeMap<>();
    /** Each peer's pending WaitApply state (TiKV's snapshot_recovery_state). */
    private final WaitApplyStates waits = new WaitApplyStates(links::peer);
    private final List<LeaderListener> listeners = new ArrayList<>();
    /** The flashback's entries per region and each replica's progress through them. */
    private final FlashbackLog flashbackLog = new FlashbackLog();

    /** A store joins the network: {@code backend} holds its replicas, {@code up} says whether its process runs. */
    public synchronized void join(StoreBackend backend, BooleanSupplier up) {
        links.join(backend, up);
        backend.raft().allPeers().forEach(Peer::silence); // recovery mode: nobody leads until forced
    }

    public synchronized void onLeader(LeaderListener l) {
        listeners.add(l);
    }

    /** The store is cut off from the others' Raft messages (its process runs and serves RecoverData). */
    public synchronized void isolate(long store) {
        links.isolate(store);
    }

    /** The partition of {@code store} heals: leaders elsewhere replicate to its peers again. */
    public synchronized void heal(long store) {
        if (links.heal(store)) {
            settleAll();
        }
    }

    /** The store's peers drop every vote request until {@code nanoTime} (System.nanoTime()), tikv#15296. */
    public synchronized void refuseVotesUntil(long store, long nanoTime) {
        links.refuseVotesUntil(store, nanoTime);
    }

    public synchronized boolean isolated(long store) {
        return links.isolated(store);
    }

    /**
     * Whether {@code store}'s peer of {@code region} leads it now (LeaderKeeper's check_leader). A peer a merge
     * destroyed (the target applied CommitMerge on this store) does not, even if it had won: TiKV's router has no such
     * region any more, so check_leader gets RegionNotFound (leader_keeper.rs, SPEC R4).
     */
    public synchronized boolean leads(long store, long region) {
        Long l = leaders.get(region);
        return l != null && l == store && links.up(store) && links.peer(store, region) != null;
    }

    /**
     * {@code store}'s peer of {@code region} campaigns once (CampaignType::ForceLeader → raft campaign): it wins only
     * with the votes of a majority of the region's voters, each on a running store and no more up to date than it.
     *
     * @return false when it lost, or the store holds no live peer of the region (TiKV: RegionNotFound)
     */
    public synchronized boolean campaign(long store, long region) {
        Peer c = links.peer(store, region);
        if (c == null || !links.up(store)) {
            return false;
        }
        long term = RecoveryRaft.campaign(c);
        int voters = Math.max(1, c.members().size());
        int votes = c.members().isEmpty() || c.members().containsKey(store) ? 1 : 0;
        for (Map.Entry<Long, Long> m : c.members().entrySet()) {
            long v = m.getKey();
            Peer q = links.voter(store, v, region);
            if (q == null) {
                continue; // nothing reaches the voter, or it drops the request before Raft sees it (no term change)
            }
            if (RecoveryRaft.requestVote(q, c, term)) {
                votes++;
            } else {
                RecoveryRaft.observe(c, q.hardStateTerm()); // a rejection in a higher term ends the candidacy
            }
        }
        if (c.hardStateTerm() != term || votes * 2 <= voters) {
            return false;
        }
        Long old = leaders.put(region, store);
        if (old != null && old != store) {
            Peer o = links.peer(old, region);
            if (o != null) {
                o.silence();
            }
        }
        c.unsilence();
        RecoveryRaft.becomeLeader(c);
        flashbackLog.catchUp(links.backend(store), region); // a Raft leader holds (and applies) every committed entry
        settle(region);
        for (LeaderListener l : listeners) {
            l.leads(store, c);
        }
        return true;
    }

    /**
     * The leader of {@code region} (if its store runs) replicates its log to every live voter on a running store and
     * commits it once a majority holds it; everyone applies what is committed. A conf change the leader applies
     * meanwhile changes whom it replicates to: TiKV's leader adds a new voter's progress when it applies the AddPeer
     * (raftstore {@code fsm/peer.rs on_ready_change_peer} → raft-rs {@code apply_conf_change}, whose
     * {@code post_conf_change} appends to everyone in the new configuration) and pings it, so the region settles again
     * over its new voters. Settling once over the voters of the election's configuration left a voter added by an
     * AddPeer the forced leader had not applied yet without the rest of the log — a split after it never created the
     * child there, and no flashback of the child reached its newer writes (issue 14, random stock history
     * 1113446058281858334; scenario {@code leader-applies-add-peer-after-election}). Terminates: the voters change only
     * when the leader applies an entry.
     */
    private void settle(long region) {
        Long ls = leaders.get(region);
        Peer leader = ls == null || !links.up(ls) ? null : links.peer(ls, region);
        if (leader == null) {
            return;
        }
        java.util.Set<Long> voters = new java.util.TreeSet<>(leader.members().keySet());
        List<Peer> reached = links.reachedFollowers(ls, leader);
        List<Peer> followers = taking(leader, reached);
        // one holding a committed entry the leader contradicts (RecoveryRaft.holdsCommittedEntryLeaderLacks) takes the
        // term and nothing else; raft-rs counts it matched up to its commit: a quorum member for entries up to there
        List<Peer> wedged = reached.stream().filter(f -> !followers.contains(f)).toList();
        List<Peer> matched = new ArrayList<>(followers);
        wedged.stream().filter(f -> f.commitIndex() >= leader.lastIndex()).forEach(matched::add);
        if (!RaftLinks.quorum(leader, matched)) {
            return; // no quorum: nothing new commits, so the leader never applies its own empty entry
        }
        wedged.forEach(f -> {
            RecoveryRaft.observe(f, leader.hardStateTerm());
            f.silence();
        });
        for (Peer f : followers) {
            byte[] oldStart = f.start();
            byte[] oldEnd = f.end();
            if (RecoveryRaft.follow(f, leader)) {
                links.backend(f.store()).installSnapshotData(links.backend(ls), f, oldStart, oldEnd);
            }
            f.silence();
        }
        List<Long> bornUnderLeader = applyThenSilenceNewPeers(ls, leader, leader.lastIndex());
        List<long[]> bornUnderFollowers = new ArrayList<>();
        for (Peer f : followers) {
            applyThenSilenceNewPeers(f.store(), f, leader.commitIndex())
                    .forEach(child -> bornUnderFollowers.add(new long[] {f.store(), child}));
            flashbackLog.catchUp(links.backend(f.store()), region);
        }
        if (!leader.tombstone() && !voters.equals(leader.members().keySet())) {
            settle(region);
        }
        // after the followers applied the split too: TiKV parks a vote request for a peer its store has not created
        // yet (store.rs pending_msgs) and hands it over in on_ready_split_region, so they can vote
        bornUnderLeader.forEach(child -> campaignSplitBorn(ls, child, true));
        bornUnderFollowers.forEach(sc -> campaignSplitBorn(sc[0], sc[1], false));
    }

    /**
     * A peer a split just created on {@code store} campaigns where TiKV's does: {@code on_ready_split_region}
     * (raftstore fsm/peer.rs) calls {@code maybe_campaign(is_leader)} (store/peer.rs), which campaigns once when the
     * parent peer on this store leads, the new region has more than one peer and its term is still
     * RAFT_INIT_LOG_TERM; a region whose only peer is this one campaigned when {@code Peer::new} created it. The
     * campaign is the ordinary vote over the live voters ({@link #campaign}); a lost one is never retried — recovery
     * mode's election timeout is infinite (init_cluster.rs). Not modelled (harsher): a follower's parent that leads
     * later makes its {@code uncampaigned_new_regions} campaign (peer.rs on_role_changed), a list TiKV clears as soon
     * as the parent hears a valid leader (fsm/peer.rs check_uncampaigned_regions).
     */
    private void campaignSplitBorn(long store, long child, boolean parentLeads) {
        Peer c = links.peer(store, child);
        if (c == null || leaders.containsKey(child)) {
            return;
        }
        boolean alone = c.members().size() <= 1;
        if (alone || parentLeads && c.hardStateTerm() <= Group.INIT_TERM) {
            campaign(store, child);
        }
    }

    /** The reached followers that take the leader's entries: not those holding a committed entry it contradicts. */
    private static List<Peer> taking(Peer leader, List<Peer> reached) {
        return reached.stream().filter(f -> !RecoveryRaft.holdsCommittedEntryLeaderLacks(f, leader)).toList();
    }

    /**
     * A flashback entry proposed by {@code store}'s leader peer of {@code region}: committed when a majority of the
     * voters gets it, then applied on the leader and the followers it reaches; a follower down or cut off applies it
     * when it catches up ({@link FlashbackLog}).
     *
     * @return false when it cannot commit: the store does not lead the region, or no quorum is reachable (TiKV's
     *     proposal then waits uncommitted; the caller's request gets no answer)
     */
    synchronized boolean proposeFlashback(long store, long region, Consumer<StoreBackend> entry) {
        Peer leader = leads(store, region) ? links.peer(store, region) : null;
        if (leader == null) {
            return false;
        }
        // a follower holding a conflicting committed entry takes none of the flashback's entries; harsher than raft-rs
        // where its commit index lies beyond the leader's last entry (it would count for the first few of them)
        List<Peer> followers = taking(leader, links.reachedFollowers(store, leader));
        if (!RaftLinks.quorum(leader, followers)) {
            return false;
        }
        List<StoreBackend> reached = new ArrayList<>();
        reached.add(links.backend(store));
        followers.forEach(f -> reached.add(links.backend(f.store())));
        flashbackLog.commit(region, entry, reached);
        return true;
    }

    /** Flashback entries of {@code region} that {@code store}'s replica has not applied yet. */
    synchronized int flashbackBehind(long store, long region) {
        return flashbackLog.behind(store, region);
    }

    /**
     * Applies up to {@code index} on {@code p}; peers the log's splits created on the store are silenced unless they
     * lead. Every other peer's flag is kept right by whoever changes {@link #leaders} (campaign, split, restart), so
     * the store's peers are walked only when applying added some: walking them on every settle made a million-region
     * RecoverRegion quadratic (a million campaigns, each over up to a million peers) and it never finished.
     */
    private List<Long> applyThenSilenceNewPeers(long store, Peer p, long index) {
        StoreImage img = links.image(store);
        int before = img.peers.size();
        long appliedBefore = p.appliedIndex();
        RecoveryRaft.commitAndApply(img, p, index, links::mergeEntries);
        if (img.peers.size() == before) {
            return List.of();
        }
        silenceAllBut(store);
        catchUpBehindFollowers(store);
        return splitBorn(store, p, appliedBefore);
    }

    /** The regions whose peers on {@code store} the splits {@code p} applied after {@code from} created. */
    private List<Long> splitBorn(long store, Peer p, long from) {
        List<Long> born = new ArrayList<>();
        for (long i = from + 1; i <= p.appliedIndex(); i++) {
            Entry e = p.entry(i);
            if (e != null && e.command() instanceof Entry.Split sp
                    && sp.newPeers().containsKey(store) && links.peer(store, sp.newRegion()) != null) {
                born.add(sp.newRegion());
            }
        }
        return born;
    }

    /**
     * A peer a split just created on {@code store} is a follower its region's leader reaches from now on: TiKV's
     * leader replicates to every follower on each tick, so a region elected before this store applied the split
     * still catches the new peer up — and a CommitMerge in that log destroys the merged source here (fsm/peer.rs
     * on_catch_up_logs_for_merge). Waiting for the next election instead left such a source live and leaderless for
     * good, depending on which store's RecoverRegion campaigned first. Walked only when applying created peers.
     */
    private void catchUpBehindFollowers(long store) {
        List<Long> behind = new ArrayList<>();
        for (Peer q : links.image(store).allPeers()) {
            Long ls = leaders.get(q.regionId());
            Peer leader = ls == null || ls == store || q.tombstone() ? null : links.peer(ls, q.regionId());
            if (leader != null && q.appliedIndex() < leader.commitIndex()) {
                behind.add(q.regionId());
            }
        }
        behind.forEach(this::settle);
    }

    /** Peers created by applying a split are followers too: in recovery mode only forced leaders lead. */
    private void silenceAllBut(long store) {
        for (Peer p : links.image(store).allPeers()) {
            Long l = leaders.get(p.regionId());
            if (l == null || l != store) {
                p.silence();
            } else {
                p.unsilence();
            }
        }
    }

    /** Replicas catch up with whatever leaders there are (a restarted store's followers rejoin). */
    public synchronized void settleAll() {
        new ArrayList<>(leaders.keySet()).forEach(this::settle);
    }

    /**
     * The store restarted (R9): in recovery mode nobody re-elects its forced leaders, and its peers forget their
     * pending WaitApply states; its log and applied state (on disk) stay.
     */
    public synchronized void restarted(long store) {
        leaders.entrySet().removeIf(e -> {
            if (e.getValue() == store) {
                Peer p = links.peer(store, e.getKey());
                if (p != null) {
                    p.silence();
                }
                return true;
            }
            return false;
        });
        waits.forget(store);
    }

    // ---- WaitApply states (WaitApplyStates) ------------------------------------------------------------------------

    /** A WaitApply request reaches {@code store}'s peer of {@code region}. */
    synchronized WaitApplyStates.Admission admit(long store, long region, boolean leaderWait) {
        return waits.admit(store, region, leaderWait, leads(store, region));
    }

    /** Whether {@code store}'s peer of {@code region} no longer waits (applied to its target, or its state is gone). */
    public synchronized boolean applied(long store, long region) {
        return waits.applied(store, region);
    }

    /** Regions of {@code store} whose peers have a pending WaitApply state. */
    public synchronized List<Long> waiting(long store) {
        return waits.waiting(store);
    }

    /** Region → the store whose peer leads it now. */
    public synchronized Map<Long, Long> leaders() {
        return Map.copyOf(leaders);
    }

    // ---- what the flashback service needs (Flashback) ------------------------------------------------------------

    /** The backend of {@code store}, or null. */
    synchronized StoreBackend backend(long store) {
        return links.backend(store);
    }

    /** The store whose peer leads {@code region} now (running or not), or null. */
    synchronized Long leaderOf(long region) {
        return leaders.get(region);
    }

    /** Whether {@code store}'s process runs. */
    synchronized boolean running(long store) {
        return links.up(store);
    }

    /**
     * A split the leader of {@code parent} proposes now and applies with the followers it reaches (raftstore
     * {@code exec_batch_split}): the parent keeps {@code [start, at)} with version + 1, {@code child} takes
     * {@code [at, end)} with the same version and members (new peer ids), its peers start at RAFT_INIT_LOG_TERM and
     * campaign as after any split ({@link #campaignSplitBorn}). Without a quorum the proposal never commits. A
     * follower down or cut off now never gets the child (harsher than TiKV, whose leader would catch it up later: the
     * scripted split has no log entry to replay). PD hears the leaders' heartbeats.
     *
     * @return false when the parent has no running leader with a quorum, or {@code at} is not strictly inside its range
     */
    synchronized boolean split(long parent, byte[] at, long child) {
        Long ls = leaders.get(parent);
        Peer l = ls == null || !links.up(ls) ? null : links.peer(ls, parent);
        if (l == null || Keys.compare(at, l.start()) <= 0
                || l.end().length > 0 && Keys.compare(at, l.end()) >= 0) {
            return false;
        }
        List<Peer> applying = new ArrayList<>(links.reachedFollowers(ls, l));
        if (!RaftLinks.quorum(l, applying)) {
            return false;
        }
        applying.add(0, l);
        TreeMap<Long, Long> members = new TreeMap<>();
        l.members().keySet().forEach(s -> members.put(s, child * 1000 + Math.abs(s)));
        for (Peer p : applying) {
            Peer c = Peer.of(p.store(), child).peerId(members.get(p.store())).applied(Group.INIT_INDEX)
                    .lastIndex(Group.INIT_INDEX).term(Group.INIT_TERM).range(at.clone(), p.end())
                    .version(p.version() + 1).confVer(p.confVer()).members(members).build();
            c.silence();
            p.keepLeftOfSplit(at);
            links.image(p.store()).peers.put(child, c);
        }
        for (LeaderListener li : listeners) {
            li.leads(ls, l);
        }
        campaignSplitBorn(ls, child, true);
        return true;
    }
}
