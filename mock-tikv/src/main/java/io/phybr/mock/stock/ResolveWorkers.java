package io.phybr.mock.stock;

import java.util.ArrayList;
import java.util.List;

/**
 * The order of ResolveKvData's messages, as TiKV produces it (SPEC R11, tikv
 * {@code components/snap_recovery/src/data_resolver.rs}): {@code DataResolverManager::start} spawns two threads at once,
 * {@code cleanup_lock} (one message with the count of every lock, sent after the whole lock CF is deleted) and
 * {@code resolve_write} (one message per scanned batch), and both send into the one channel the stream drains
 * ({@code services.rs resolve_kv_data}). Nothing orders them: the lock message can come first, between two write
 * batches, or last. The mock picks one interleaving per store, deterministically and differently across stores
 * (after write message number {@code storeId mod (writes + 1)}), so a cluster of three stores shows the lock message
 * last on store 1, first on store 2 and last on store 3 for one batch of writes; a client that takes the first
 * message for the locks miscounts.
 */
final class ResolveWorkers {
    private ResolveWorkers() {
    }

    /** One ResolveKvData message: keys deleted by it, and its largest commit ts (0 for the lock message). */
    record Message(long keys, long commitTs) {
    }

    /** The stream's messages: {@code writes} in their scan order, with {@code lock} placed among them. */
    static List<Message> interleave(long storeId, Message lock, List<Message> writes) {
        int at = (int) Math.floorMod(storeId, (long) writes.size() + 1);
        List<Message> out = new ArrayList<>(writes.size() + 1);
        out.addAll(writes.subList(0, at));
        out.add(lock);
        out.addAll(writes.subList(at, writes.size()));
        return out;
    }
}
