package io.phybr.mock.stock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A store held in memory: its peers (with applied index and leadership) and a flat list of MVCC keys
 * (writes and locks with their commit ts). Enough to check what the adviser did: who was forced to
 * lead, that everything got applied, and that nothing newer than the resolved ts is left.
 */
public final class InMemoryStoreBackend implements StoreBackend {
    /** One key of the store's KV data: a committed write, or a lock (locks are always deleted by resolve). */
    public record Kv(byte[] key, long commitTs, boolean lock) {
    }

    private static final class PeerState {
        final LocalPeer meta;
        long applied;
        boolean leader;

        PeerState(LocalPeer meta, long applied) {
            this.meta = meta;
            this.applied = applied;
        }
    }

    private final long storeId;
    private final Map<Long, PeerState> peers = new TreeMap<>();
    private final List<Kv> kvs = new ArrayList<>();
    private final List<Long> forced = new ArrayList<>();
    private int reboots;

    public InMemoryStoreBackend(long storeId) {
        this.storeId = storeId;
    }

    /** Adds a peer that has applied up to {@code applied} (≤ its last index). */
    public synchronized InMemoryStoreBackend addPeer(LocalPeer p, long applied) {
        if (peers.containsKey(p.regionId())) {
            throw new IllegalArgumentException("store " + storeId + " already holds region " + p.regionId());
        }
        peers.put(p.regionId(), new PeerState(p, Math.min(applied, p.lastIndex())));
        return this;
    }

    public synchronized InMemoryStoreBackend addKv(Kv kv) {
        kvs.add(kv);
        return this;
    }

    @Override
    public long storeId() {
        return storeId;
    }

    @Override
    public synchronized List<LocalPeer> peers() {
        List<LocalPeer> out = new ArrayList<>();
        peers.values().forEach(p -> out.add(p.meta));
        return out;
    }

    @Override
    public synchronized void forceLeader(long regionId) {
        PeerState p = peers.get(regionId);
        if (p == null || p.meta.tombstone()) {
            throw new IllegalArgumentException("region " + regionId + " not found on store " + storeId);
        }
        p.leader = true;
        p.applied = p.meta.lastIndex();
        forced.add(regionId);
    }

    @Override
    public synchronized void applyAll() {
        peers.values().forEach(p -> p.applied = p.meta.lastIndex());
    }

    @Override
    public long resolve(long resolvedTs, ResolveProgress progress) {
        long deleted = 0;
        long cursor = 0;
        List<Kv> doomed;
        synchronized (this) {
            doomed = kvs.stream().filter(k -> k.lock() || k.commitTs() > resolvedTs).toList();
            kvs.removeAll(doomed);
        }
        for (Kv k : doomed) {
            deleted++;
            cursor = k.commitTs();
            if (deleted % 64 == 0) {
                progress.report(deleted, cursor);
            }
        }
        progress.report(deleted, cursor);
        return deleted;
    }

    @Override
    public synchronized void reboot() {
        reboots++;
        peers.values().forEach(p -> p.leader = false);
    }

    // ---- what tests look at ---------------------------------------------------------------

    /** Regions whose peer here is leader now. */
    public synchronized Set<Long> leaders() {
        Set<Long> out = new TreeSet<>();
        peers.forEach((id, p) -> {
            if (p.leader) {
                out.add(id);
            }
        });
        return out;
    }

    /** Every forceLeader call, in order (a re-sent plan shows up twice). */
    public synchronized List<Long> forcedLeaders() {
        return List.copyOf(forced);
    }

    public synchronized boolean allApplied() {
        return peers.values().stream().allMatch(p -> p.applied == p.meta.lastIndex());
    }

    public synchronized List<Kv> kvs() {
        return List.copyOf(kvs);
    }

    public synchronized int reboots() {
        return reboots;
    }

    @Override
    public String toString() {
        return "InMemoryStoreBackend[store " + storeId + ", " + peers.size() + " peers, " + kvs.size() + " keys]";
    }

    static String hex(byte[] b) {
        return Arrays.toString(b);
    }
}
