package io.phybr.mock.stock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Judges in-memory stores after a stock recovery: the leaders' ranges cover the key space exactly once,
 * one leader per region, every peer applied, no lock and no write newer than the resolved ts left, and (with
 * {@link #committedWrites}, taken before the recovery) every committed write at or below the resolved ts still
 * there: a recovery that deletes everything is not a recovery (issue 14 item 4: a {@code --resolved-ts 0} run
 * passed a check that only looked for newer writes).
 */
public final class StockCheck {
    private StockCheck() {
    }

    /**
     * Every store's committed writes (not locks) at or below {@code resolvedTs}: what a recovery must keep. Take it
     * before the recovery starts and pass it to {@link #check(List, long, Map)}.
     */
    public static Map<Long, List<InMemoryStoreBackend.Kv>> committedWrites(List<InMemoryStoreBackend> stores,
                                                                          long resolvedTs) {
        Map<Long, List<InMemoryStoreBackend.Kv>> out = new java.util.TreeMap<>();
        for (InMemoryStoreBackend s : stores) {
            out.put(s.storeId(), s.kvs().stream().filter(k -> !k.lock() && k.commitTs() <= resolvedTs).toList());
        }
        return out;
    }

    /**
     * Problems found, empty when the recovery passed; {@code mustSurvive} (from {@link #committedWrites}) are the
     * writes that must still be on their stores.
     */
    public static List<String> check(List<InMemoryStoreBackend> stores, long resolvedTs,
                                     Map<Long, List<InMemoryStoreBackend.Kv>> mustSurvive) {
        List<String> problems = check(stores, resolvedTs);
        for (InMemoryStoreBackend s : stores) {
            List<InMemoryStoreBackend.Kv> now = s.kvs();
            int lost = 0;
            for (InMemoryStoreBackend.Kv k : mustSurvive.getOrDefault(s.storeId(), List.of())) {
                boolean kept = now.stream().anyMatch(n -> !n.lock() && n.commitTs() == k.commitTs()
                        && Arrays.equals(n.key(), k.key()));
                if (!kept && lost++ == 0) {
                    problems.add("store " + s.storeId() + " lost the committed write at ts " + k.commitTs() + " on key "
                            + hex(k.key()) + ", at or below the resolved ts " + resolvedTs);
                }
            }
            if (lost > 1) {
                problems.add("store " + s.storeId() + " lost " + lost + " committed writes at or below the resolved ts "
                        + resolvedTs + " in all");
            }
        }
        return problems;
    }

    /**
     * Problems found, empty when the recovery passed. Judges only what is left too much (newer writes, locks) and
     * the leaders; use {@link #check(List, long, Map)} to also judge that committed writes survived.
     */
    public static List<String> check(List<InMemoryStoreBackend> stores, long resolvedTs) {
        List<String> problems = new ArrayList<>();
        Map<Long, Long> leaderStore = new HashMap<>();
        List<LocalPeer> led = new ArrayList<>();
        for (InMemoryStoreBackend s : stores) {
            if (!s.allApplied()) {
                problems.add("store " + s.storeId() + " has peers not applied to their last index");
            }
            if (s.ledger().isEmpty()) {
                for (InMemoryStoreBackend.Kv k : s.kvs()) {
                    if (k.lock() || k.commitTs() > resolvedTs) {
                        problems.add("store " + s.storeId() + " still holds " + (k.lock() ? "a lock" : "a write at ts "
                                + k.commitTs()) + " on key " + HexFormat.of().formatHex(k.key()));
                        break;
                    }
                }
            } else {
                problems.addAll(flashbackLeftovers(s, resolvedTs));
            }
            for (LocalPeer p : s.ledPeers()) {
                Long other = leaderStore.put(p.regionId(), s.storeId());
                if (other != null) {
                    problems.add("region " + p.regionId() + " has two leaders, on stores " + other + " and " + s.storeId());
                }
                led.add(p);
            }
        }
        led.sort(Comparator.comparing(LocalPeer::startKey, Arrays::compareUnsigned));
        byte[] at = new byte[0];
        boolean open = true; // still need to cover [at, +inf)
        for (LocalPeer p : led) {
            if (!open) {
                problems.add("region " + p.regionId() + " starts after the key space is already covered");
                continue;
            }
            int c = Arrays.compareUnsigned(p.startKey(), at);
            if (c > 0) {
                problems.add("keys [" + hex(at) + ", " + hex(p.startKey()) + ") have no leader");
            } else if (c < 0) {
                problems.add("region " + p.regionId() + " overlaps keys before " + hex(at));
            }
            if (p.endKey().length == 0) {
                open = false;
            } else {
                at = p.endKey();
            }
        }
        if (open) {
            problems.add("keys [" + hex(at) + ", +inf) have no leader");
        }
        return problems;
    }

    /**
     * After a flashback finish nothing is deleted: newer writes stay, shadowed by the flashback's versions. What a read
     * at the newest ts sees must be each key's latest write at or below the resolved ts (or nothing); no lock (user or
     * flashback) and no region in the flashback state may be left. The first problem of the store is named.
     */
    private static List<String> flashbackLeftovers(InMemoryStoreBackend s, long resolvedTs) {
        if (!s.ledger().preparedRegions().isEmpty()) {
            return List.of("store " + s.storeId() + " still has regions in the flashback state: "
                    + new java.util.TreeMap<>(s.ledger().preparedRegions()).keySet());
        }
        if (!s.locks(new byte[0], new byte[0]).isEmpty() || !s.ledger().locks(new byte[0], new byte[0]).isEmpty()) {
            return List.of("store " + s.storeId() + " still holds a lock");
        }
        java.util.TreeMap<byte[], Long> expected = new java.util.TreeMap<>(Arrays::compareUnsigned);
        for (StoreBackend.Version v : s.versions(new byte[0], new byte[0])) {
            expected.merge(v.key(), v.ts() <= resolvedTs ? v.ts() : 0, Math::max);
        }
        for (Map.Entry<byte[], Long> e : expected.entrySet()) {
            long seen = Flashback.valueAt(s, e.getKey(), Long.MAX_VALUE);
            if (seen != e.getValue()) {
                return List.of("store " + s.storeId() + " still shows " + (seen == 0 ? "nothing" : "the write at ts "
                        + seen) + " on key " + HexFormat.of().formatHex(e.getKey()) + " after the flashback (expected "
                        + (e.getValue() == 0 ? "nothing" : "the write at ts " + e.getValue()) + ")");
            }
        }
        return List.of();
    }

    private static String hex(byte[] k) {
        return "\"" + HexFormat.of().formatHex(k) + "\"";
    }
}
