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
 * one leader per region, every peer applied, no lock and no write newer than the resolved ts left.
 * (The history-model checker judges committed writes too; this one needs only the stores.)
 */
public final class StockCheck {
    private StockCheck() {
    }

    /** Problems found, empty when the recovery passed. */
    public static List<String> check(List<InMemoryStoreBackend> stores, long resolvedTs) {
        List<String> problems = new ArrayList<>();
        Map<Long, Long> leaderStore = new HashMap<>();
        List<LocalPeer> led = new ArrayList<>();
        for (InMemoryStoreBackend s : stores) {
            if (!s.allApplied()) {
                problems.add("store " + s.storeId() + " has peers not applied to their last index");
            }
            for (InMemoryStoreBackend.Kv k : s.kvs()) {
                if (k.lock() || k.commitTs() > resolvedTs) {
                    problems.add("store " + s.storeId() + " still holds " + (k.lock() ? "a lock" : "a write at ts " + k.commitTs())
                            + " on key " + HexFormat.of().formatHex(k.key()));
                    break;
                }
            }
            Map<Long, LocalPeer> peers = new HashMap<>();
            s.peers().forEach(p -> peers.put(p.regionId(), p));
            for (long r : s.leaders()) {
                Long other = leaderStore.put(r, s.storeId());
                if (other != null) {
                    problems.add("region " + r + " has two leaders, on stores " + other + " and " + s.storeId());
                }
                led.add(peers.get(r));
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

    private static String hex(byte[] k) {
        return "\"" + HexFormat.of().formatHex(k) + "\"";
    }
}
