package io.phybr.mock.stock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The flashback's Raft entries per region, and how far each store's replica applied them. TiKV proposes every
 * flashback step through the region's leader — the {@code PrepareFlashback}/{@code FinishFlashback} admin commands
 * ({@code fsm/apply.rs exec_flashback}) and the read and commit phases' writes — so a replica gets the flashback
 * state and writes when it applies those entries: at once where the leader reaches it, later for a follower that was
 * down or cut off (it catches up when the leader replicates to it again), never without a quorum. Keeping the
 * entries apart from the peers' {@code Peer} logs leaves the elections, WaitApply and RecoverRegion models as they
 * were; a store that becomes leader applies what it missed first (a Raft leader holds every committed entry).
 * Guarded by the {@link RaftNet}'s lock; survives store restarts (the applied state is on disk).
 */
final class FlashbackLog {
    /** Region → its flashback entries in commit order, each a change to one replica's backend. */
    private final Map<Long, List<Consumer<StoreBackend>>> entries = new TreeMap<>();
    /** Store → region → entries applied there. */
    private final Map<Long, Map<Long, Integer>> applied = new TreeMap<>();

    /** A committed entry: appended, applied on {@code reached} (the leader and the followers it reaches now). */
    void commit(long region, Consumer<StoreBackend> entry, List<StoreBackend> reached) {
        entries.computeIfAbsent(region, r -> new ArrayList<>()).add(entry);
        reached.forEach(b -> catchUp(b, region));
    }

    /** {@code b}'s replica of {@code region} applies the committed entries it has not applied yet. */
    void catchUp(StoreBackend b, long region) {
        List<Consumer<StoreBackend>> log = entries.get(region);
        if (log == null || b.ledger() == null) {
            return;
        }
        Map<Long, Integer> mine = applied.computeIfAbsent(b.storeId(), s -> new TreeMap<>());
        for (int i = mine.getOrDefault(region, 0); i < log.size(); i++) {
            log.get(i).accept(b);
            mine.put(region, i + 1);
        }
    }

    /** Entries of {@code region} that {@code store} has not applied (0: in step with the leader). */
    int behind(long store, long region) {
        List<Consumer<StoreBackend>> log = entries.get(region);
        return log == null ? 0 : log.size() - applied.getOrDefault(store, Map.of()).getOrDefault(region, 0);
    }
}
