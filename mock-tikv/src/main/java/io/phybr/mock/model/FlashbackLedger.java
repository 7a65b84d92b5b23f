package io.phybr.mock.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a flashback leaves in one store's kv engine, beside the store's own writes (which it never deletes): TiKV's
 * flashback is an MVCC transaction, so it adds versions instead of removing any
 * ({@code src/storage/txn/actions/flashback_to_version.rs}). Held by the store's backend, so it survives a restart
 * (the flashback state is persisted in {@code RegionLocalState}, {@code fsm/apply.rs exec_flashback}).
 * <ul>
 *   <li>per region, the flashback state: the {@code flashback_start_ts} a PrepareFlashback admin command set
 *       (absent once FinishFlashback ran);</li>
 *   <li>the flashback's own lock (one key per region, at {@code start_ts}: {@code prewrite_flashback_key});</li>
 *   <li>the flashback's writes: key, {@code commit_ts}, {@code start_ts} and the value they restore, named by the
 *       commit ts of the user write that wrote it (0: the key did not exist at the version, a Delete).</li>
 * </ul>
 * A test reads it through its store's {@code StoreBackend.ledger()} (e.g. {@link #preparedRegions()}: the regions a
 * flashback left prepared). Keys are raw, as everywhere in the mock. Thread-safe.
 */
public final class FlashbackLedger {
    /** One version written by a flashback: it makes {@code restoredTs}'s value (0: none) the key's latest. */
    public record Record(byte[] key, long commitTs, long startTs, long restoredTs) {
    }

    private final Map<Long, Long> prepared = new TreeMap<>();
    private final TreeMap<byte[], Long> locks = new TreeMap<>(Keys::compare);
    private final TreeMap<byte[], List<Record>> records = new TreeMap<>(Keys::compare);

    /** The region's flashback_start_ts, or 0 when it is not in the flashback state. */
    public synchronized long flashbackStartTs(long region) {
        return prepared.getOrDefault(region, 0L);
    }

    public synchronized void prepare(long region, long startTs) {
        prepared.put(region, startTs);
    }

    public synchronized void finish(long region) {
        prepared.remove(region);
    }

    /** Regions still in the flashback state (prepared, never finished). */
    public synchronized Map<Long, Long> preparedRegions() {
        return Map.copyOf(prepared);
    }

    public synchronized void lock(byte[] key, long startTs) {
        locks.put(key.clone(), startTs);
    }

    /** The flashback lock on {@code key}'s start ts, or 0. */
    public synchronized long lockTs(byte[] key) {
        return locks.getOrDefault(key, 0L);
    }

    public synchronized void unlock(byte[] key) {
        locks.remove(key);
    }

    /** Flashback locks in {@code [start, end)}: key → start ts. */
    public synchronized TreeMap<byte[], Long> locks(byte[] start, byte[] end) {
        TreeMap<byte[], Long> out = new TreeMap<>(Keys::compare);
        locks.forEach((k, ts) -> {
            if (Keys.contains(start, end, k)) {
                out.put(k, ts);
            }
        });
        return out;
    }

    /** Adds a flashback write; the same (key, commit ts) twice is one write (a replayed Raft entry). */
    public synchronized void write(Record r) {
        List<Record> l = records.computeIfAbsent(r.key().clone(), k -> new ArrayList<>());
        l.removeIf(o -> o.commitTs() == r.commitTs());
        l.add(r);
    }

    /** Every flashback write of {@code key}. */
    public synchronized List<Record> records(byte[] key) {
        return List.copyOf(records.getOrDefault(key, List.of()));
    }

    /** Keys with flashback writes in {@code [start, end)}. */
    public synchronized List<byte[]> keys(byte[] start, byte[] end) {
        List<byte[]> out = new ArrayList<>();
        records.keySet().forEach(k -> {
            if (Keys.contains(start, end, k)) {
                out.add(k);
            }
        });
        return out;
    }

    /** Whether nothing was ever written here (no state, lock or write). */
    public synchronized boolean isEmpty() {
        return prepared.isEmpty() && locks.isEmpty() && records.isEmpty();
    }
}
