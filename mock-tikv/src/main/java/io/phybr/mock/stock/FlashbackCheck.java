package io.phybr.mock.stock;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.FlashbackLedger;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checker's judgement of a flashback finish, from the model's truth: what a read at the newest ts sees on every
 * store, with the flashback's versions shadowing the writes they roll back (a flashback deletes nothing). The same
 * bar as ResolveKvData's (SPEC R11, MOCK-MODEL checks 3–4): every key reads the value of its latest write at or below
 * the resolved ts (or nothing, if it had none), nothing newer is visible, no lock is left, and no region is left in the
 * flashback state (it would refuse every read and write). Empty when it passed.
 */
final class FlashbackCheck {
    private static final int MAX_LISTED = 12;

    private FlashbackCheck() {
    }

    /** Whether any store holds flashback traces (then this check replaces the ResolveKvData visibility check). */
    public static boolean ran(Map<Long, ? extends StoreBackend> stores) {
        return stores.values().stream().anyMatch(b -> b.ledger() != null && !b.ledger().isEmpty());
    }

    public static List<String> check(Backup backup, Map<Long, ? extends StoreBackend> stores) {
        List<String> out = new ArrayList<>();
        int n = 0;
        long resolved = backup.resolvedTs();
        java.util.Set<Long> led = new java.util.TreeSet<>();
        stores.values().forEach(b -> b.raft().allPeers().forEach(p -> {
            if (p.live() && !p.silenced()) {
                led.add(p.regionId());
            }
        }));
        for (StoreBackend b : stores.values()) {
            FlashbackLedger l = b.ledger();
            if (l == null) {
                continue;
            }
            for (Map.Entry<Long, Long> e : new TreeMap<>(l.preparedRegions()).entrySet()) {
                if (n++ < MAX_LISTED) {
                    out.add("region " + e.getKey() + " on store " + b.storeId() + " is still in the flashback state "
                            + "(start ts " + e.getValue() + "): it refuses every read and write");
                }
            }
            for (Map.Entry<byte[], Long> e : l.locks(Keys.EMPTY, Keys.EMPTY).entrySet()) {
                if (n++ < MAX_LISTED) {
                    out.add("a flashback lock at ts " + e.getValue() + " is left on key " + Keys.show(e.getKey())
                            + " on store " + b.storeId());
                }
            }
            TreeMap<byte[], Long> expected = new TreeMap<>(Keys::compare);
            for (StoreBackend.Version v : b.versions(Keys.EMPTY, Keys.EMPTY)) {
                expected.merge(v.key(), v.ts() <= resolved ? v.ts() : 0, Math::max);
            }
            l.keys(Keys.EMPTY, Keys.EMPTY).forEach(k -> expected.putIfAbsent(k, 0L));
            for (Map.Entry<byte[], Long> e : expected.entrySet()) {
                if (!served(b, led, e.getKey())) {
                    continue; // only a stale replica of a dropped region covers it here: nobody reads it from here
                }
                long seen = Flashback.valueAt(b, e.getKey(), Long.MAX_VALUE);
                if (seen == e.getValue()) {
                    continue;
                }
                if (n++ >= MAX_LISTED) {
                    continue;
                }
                if (seen > resolved) {
                    out.add("write " + Keys.show(e.getKey()) + "@ts " + seen + " > resolved ts " + resolved
                            + " visible on store " + b.storeId() + " (" + writeOf(backup, e.getKey(), seen) + ")");
                } else {
                    out.add("key " + Keys.show(e.getKey()) + " on store " + b.storeId() + " reads "
                            + (seen == 0 ? "nothing" : "the write of ts " + seen) + ", but its latest write at or "
                            + "below resolved ts " + resolved + " is " + (e.getValue() == 0 ? "none"
                            : writeOf(backup, e.getKey(), e.getValue())));
                }
            }
        }
        if (n > MAX_LISTED) {
            out.add("... and " + (n - MAX_LISTED) + " more flashback problems");
        }
        return out;
    }

    /** Whether a replica on this store of a region that has a leader covers {@code key}. */
    private static boolean served(StoreBackend b, java.util.Set<Long> led, byte[] key) {
        return b.raft().allPeers().stream().anyMatch(p -> p.live() && led.contains(p.regionId())
                && Keys.contains(p.start(), p.end(), key));
    }

    private static String writeOf(Backup backup, byte[] key, long ts) {
        for (Write w : backup.writes()) {
            if (w.commitTs() == ts && java.util.Arrays.equals(w.key(), key)) {
                return w.toString();
            }
        }
        return "ts " + ts;
    }
}
