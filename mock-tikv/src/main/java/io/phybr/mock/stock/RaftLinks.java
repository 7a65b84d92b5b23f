package io.phybr.mock.stock;

import io.phybr.mock.model.Entry;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * Who reaches whom in the {@link RaftNet}: the stores that joined, whether each one's process runs, the network
 * partitions and the stores whose peers drop vote requests (tikv#15296). It answers the questions every Raft message
 * asks before Raft sees it — is the receiving store up, does the link carry it, does the receiver hold a live peer —
 * and leaves the Raft rules (votes, leaders, commits) to {@link RaftNet}. Kept apart so the delivery rules (which a
 * new partition or drop fault changes) live in one place and the state machine reads as Raft. Plain state: guarded by
 * the {@link RaftNet}'s lock, like {@link WaitApplyStates} and {@link FlashbackLog}.
 */
final class RaftLinks {
    private final Map<Long, StoreBackend> stores = new TreeMap<>();
    private final Map<Long, BooleanSupplier> running = new TreeMap<>();
    /** Store → System.nanoTime() until which its peers drop vote requests (tikv#15296). */
    private final Map<Long, Long> refusesVotesUntil = new TreeMap<>();
    /** Stores whose peers exchange no Raft messages with other stores (a network partition). */
    private final Set<Long> isolated = new TreeSet<>();

    void join(StoreBackend backend, BooleanSupplier up) {
        stores.put(backend.storeId(), backend);
        running.put(backend.storeId(), up);
    }

    /** Whether {@code store}'s process runs. */
    boolean up(long store) {
        BooleanSupplier s = running.get(store);
        return s != null && s.getAsBoolean();
    }

    /** Whether a Raft message gets from a peer on store {@code a} to one on store {@code b}. */
    boolean link(long a, long b) {
        return a == b || !isolated.contains(a) && !isolated.contains(b);
    }

    void isolate(long store) {
        isolated.add(store);
    }

    /** @return whether the store was cut off */
    boolean heal(long store) {
        return isolated.remove(store);
    }

    boolean isolated(long store) {
        return isolated.contains(store);
    }

    void refuseVotesUntil(long store, long nanoTime) {
        refusesVotesUntil.put(store, nanoTime);
    }

    /** The store's live peer of {@code region}, or null (no such store, no such peer, or a tombstone). */
    Peer peer(long store, long region) {
        StoreBackend b = stores.get(store);
        Peer p = b == null ? null : b.raftPeer(region);
        return p == null || p.tombstone() ? null : p;
    }

    /** The backend of {@code store}, or null. */
    StoreBackend backend(long store) {
        return stores.get(store);
    }

    StoreImage image(long store) {
        return stores.get(store).raft();
    }

    /**
     * The voter {@code v}'s peer of {@code region} as a vote request from {@code candidate}'s store finds it, or null
     * when nothing reaches it or it drops the request before Raft sees it (then its term does not change).
     */
    Peer voter(long candidate, long v, long region) {
        if (v == candidate || !up(v) || !link(candidate, v) || refusesVotes(v)) {
            return null;
        }
        return peer(v, region);
    }

    private boolean refusesVotes(long store) {
        Long until = refusesVotesUntil.get(store);
        return until != null && System.nanoTime() - until < 0;
    }

    /** The live voters on running stores the leader's messages reach now, in a term it may lead. */
    List<Peer> reachedFollowers(long ls, Peer leader) {
        List<Peer> followers = new ArrayList<>();
        for (long v : leader.members().keySet()) {
            Peer q = v == ls || !up(v) || !link(ls, v) ? null : peer(v, leader.regionId());
            if (q != null && q.hardStateTerm() <= leader.hardStateTerm()) {
                followers.add(q);
            }
        }
        return followers;
    }

    /** Whether the leader and the followers it reaches are a majority of its voters. */
    static boolean quorum(Peer leader, List<Peer> followers) {
        return (followers.size() + 1) * 2 > Math.max(1, leader.members().size());
    }

    /**
     * The source entries a CommitMerge carries (fsm/peer.rs on_catch_up_logs_for_merge): the mock takes them from any
     * replica of the source region whose log holds its PrepareMerge (they are committed, so every copy agrees).
     */
    Peer mergeEntries(long sourceRegion, long prepareIndex) {
        for (StoreBackend b : stores.values()) {
            Peer p = b.raftPeer(sourceRegion);
            if (p != null && p.lastIndex() >= prepareIndex && p.entry(prepareIndex) != null
                    && p.entry(prepareIndex).command() instanceof Entry.PrepareMerge) {
                return p;
            }
        }
        return null;
    }
}
