package io.phybr.mock.stock;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * A store's peers in columns, ascending by region id (the order TiKV's ReadRegionMeta reports them, R1), so a
 * mock store of a million-region cluster costs ~70 bytes per peer plus its key bytes instead of ~300 bytes of
 * objects: region id, last log term, last index, commit index, version and applied index as {@code long}s,
 * the region's peer ids in a shared pool, start and end key back to back in a byte arena, and a flags byte
 * (tombstone, leader). Not thread-safe: {@link InMemoryStoreBackend} guards it.
 */
final class PeerColumns {
    private static final byte TOMBSTONE = 1;
    private static final byte LEADER = 2;

    private int size;
    private long[] region = new long[16];
    private long[] term = new long[16];
    private long[] last = new long[16];
    private long[] commit = new long[16];
    private long[] version = new long[16];
    private long[] applied = new long[16];
    private int[] peersAt = new int[16];
    private byte[] peerCount = new byte[16];
    private int[] keyAt = new int[16];
    private int[] startLen = new int[16];
    private int[] endLen = new int[16];
    private byte[] flags = new byte[16];
    private long[] peerPool = new long[16];
    private int poolSize;
    private byte[] keys = new byte[256];
    private int keysSize;

    int size() {
        return size;
    }

    /**
     * Adds a peer. Peers usually come in ascending region order (appended); one that does not is inserted in
     * place (tests, small layouts).
     *
     * @throws IllegalArgumentException the region is already there (named as store {@code storeId}'s)
     */
    void add(LocalPeer p, long appliedIndex, long storeId) {
        int at = size == 0 || region[size - 1] < p.regionId() ? size : find(p.regionId());
        if (at >= 0) {
            if (at < size) {
                throw new IllegalArgumentException("store " + storeId + " already holds region " + p.regionId());
            }
        } else {
            at = -at - 1;
        }
        grow();
        if (at < size) {
            shift(at);
        }
        size++;
        region[at] = p.regionId();
        term[at] = p.lastLogTerm();
        last[at] = p.lastIndex();
        commit[at] = p.commitIndex();
        version[at] = p.version();
        applied[at] = Math.min(appliedIndex, p.lastIndex());
        flags[at] = p.tombstone() ? TOMBSTONE : 0;
        long[] ids = p.peerIds();
        if (ids.length > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("store " + storeId + " region " + p.regionId() + " lists " + ids.length + " peers");
        }
        if (poolSize + ids.length > peerPool.length) {
            peerPool = Arrays.copyOf(peerPool, Math.max(peerPool.length * 2, poolSize + ids.length));
        }
        System.arraycopy(ids, 0, peerPool, poolSize, ids.length);
        peersAt[at] = poolSize;
        peerCount[at] = (byte) ids.length;
        poolSize += ids.length;
        byte[] s = p.startKey();
        byte[] e = p.endKey();
        if (keysSize + s.length + e.length > keys.length) {
            long want = Math.max(keys.length * 2L, (long) keysSize + s.length + e.length);
            keys = Arrays.copyOf(keys, (int) Math.min(Integer.MAX_VALUE - 8, want));
        }
        System.arraycopy(s, 0, keys, keysSize, s.length);
        System.arraycopy(e, 0, keys, keysSize + s.length, e.length);
        keyAt[at] = keysSize;
        startLen[at] = s.length;
        endLen[at] = e.length;
        keysSize += s.length + e.length;
    }

    private void grow() {
        if (size < region.length) {
            return;
        }
        int n = region.length * 2;
        region = Arrays.copyOf(region, n);
        term = Arrays.copyOf(term, n);
        last = Arrays.copyOf(last, n);
        commit = Arrays.copyOf(commit, n);
        version = Arrays.copyOf(version, n);
        applied = Arrays.copyOf(applied, n);
        peersAt = Arrays.copyOf(peersAt, n);
        peerCount = Arrays.copyOf(peerCount, n);
        keyAt = Arrays.copyOf(keyAt, n);
        startLen = Arrays.copyOf(startLen, n);
        endLen = Arrays.copyOf(endLen, n);
        flags = Arrays.copyOf(flags, n);
    }

    private void shift(int at) {
        int n = size - at;
        for (Object column : new Object[] {region, term, last, commit, version, applied, peersAt, peerCount, keyAt,
                startLen, endLen, flags}) {
            System.arraycopy(column, at, column, at + 1, n);
        }
    }

    /** Index of the region, or {@code -(insertion point) - 1}. */
    int find(long regionId) {
        return Arrays.binarySearch(region, 0, size, regionId);
    }

    long regionId(int i) {
        return region[i];
    }

    long lastIndex(int i) {
        return last[i];
    }

    long applied(int i) {
        return applied[i];
    }

    void setApplied(int i, long index) {
        applied[i] = index;
    }

    boolean tombstone(int i) {
        return (flags[i] & TOMBSTONE) != 0;
    }

    boolean leader(int i) {
        return (flags[i] & LEADER) != 0;
    }

    void setLeader(int i, boolean leader) {
        flags[i] = (byte) (leader ? flags[i] | LEADER : flags[i] & ~LEADER);
    }

    /** Peer {@code i} as a fresh {@link LocalPeer}. */
    LocalPeer peer(int i) {
        int k = keyAt[i];
        return LocalPeer.of(region[i]).peers(Arrays.copyOfRange(peerPool, peersAt[i], peersAt[i] + peerCount[i]))
                .lastLogTerm(term[i]).lastIndex(last[i]).commitIndex(commit[i]).version(version[i])
                .tombstone(tombstone(i)).range(Arrays.copyOfRange(keys, k, k + startLen[i]),
                        Arrays.copyOfRange(keys, k + startLen[i], k + startLen[i] + endLen[i])).build();
    }

    /**
     * What ReadRegionMeta sends of peer {@code i} as the columns hold it — exactly
     * {@code MetaBytes.stock} of {@link #peer}'s fields as {@link ReportedMetas} encodes a peer (its largest peer id,
     * commit index 0, not a tombstone) — straight from the columns and the key arena: no {@link LocalPeer}, no key
     * copies. The caller deals with tombstones, the Raft network's view and report faults.
     */
    byte[] stockMeta(int i) {
        int at = peersAt[i];
        long max = 0; // as LocalPeer.maxPeerId
        for (int k = 0; k < peerCount[i]; k++) {
            max = k == 0 ? peerPool[at] : Math.max(max, peerPool[at + k]);
        }
        int key = keyAt[i];
        return io.phybr.mock.agent.MetaBytes.stock(region[i], max, term[i], last[i], 0, version[i], false, keys, key,
                startLen[i], keys, key + startLen[i], endLen[i], 0);
    }

    /** The first {@code n} peers as a list whose elements are built when read (a million peers are not copied). */
    List<LocalPeer> view(int n, Object lock) {
        return new AbstractList<>() {
            @Override
            public LocalPeer get(int i) {
                if (i < 0 || i >= n) {
                    throw new IndexOutOfBoundsException(i);
                }
                synchronized (lock) {
                    return peer(i);
                }
            }

            @Override
            public int size() {
                return n;
            }
        };
    }

    /** Heap bytes of the columns, pool and arena at their current capacity. */
    long footprint() {
        return region.length * (6L * Long.BYTES + 4L * Integer.BYTES + 2) + peerPool.length * (long) Long.BYTES
                + keys.length;
    }
}
