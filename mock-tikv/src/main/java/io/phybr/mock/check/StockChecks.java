package io.phybr.mock.check;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.model.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Internal (not API): public only because {@code stock.ModelStoreBackend#check} runs it; a test author
 * gets this judgement from {@code ModelStoreBackend.check} (protocol B) or {@link Checker} (protocol A).
 *
 * <p>The checker's judgement of a protocol-B (stock TiKV) recovery, from the model's truth and never from a planner:
 * {@link Checker#checkState} (tiling, one leader per kept region, committed writes readable), plus what only stock
 * TiKV makes true:
 * <ul>
 *   <li>regions the adviser asked to tombstone may keep leaderless live replicas (TiKV ignores the request);</li>
 *   <li>a forced leader must be able to win its election by Raft's vote rule over the region's voters (SPEC R3,
 *       {@code leader_keeper.rs}; raft-rs {@code is_up_to_date}): a replica whose log (last entry term, last index)
 *       is behind a majority's, or whose region's majority sits on absent stores, never becomes leader, whatever
 *       the mock store let it do. A present store without a peer of the region counts as granting: it creates an
 *       empty peer once its overlapping older region catches up ({@code fsm/store.rs maybe_create_peer_internal}
 *       drops the vote until then), and an empty log grants;</li>
 *   <li>after ResolveKvData no write newer than the resolved ts is visible on any store (SPEC R11).</li>
 * </ul>
 */
public final class StockChecks {
    private static final int MAX_LISTED = 12;

    private StockChecks() {
    }

    /** Problems found, empty when the recovery passed. */
    public static List<String> check(Backup backup, Map<Long, StoreImage> after, Set<Long> tombstoneRequested) {
        List<String> out = new ArrayList<>(Checker.checkState(backup, after, tombstoneRequested));
        out.addAll(unwinnableLeaders(after));
        out.addAll(newerThanResolved(backup, after));
        return out;
    }

    /** Forced leaders that Raft's vote rule would never elect: their log is behind a majority of their voters'. */
    public static List<String> unwinnableLeaders(Map<Long, StoreImage> after) {
        List<String> out = new ArrayList<>();
        TreeMap<Long, Peer> leaders = new TreeMap<>();
        for (StoreImage img : after.values()) {
            for (Peer p : img.allPeers()) {
                if (p.live() && !p.silenced()) {
                    leaders.putIfAbsent(p.regionId(), p);
                }
            }
        }
        for (Peer l : leaders.values()) {
            int voters = 0;
            int grants = 0;
            List<Long> ahead = new ArrayList<>();
            List<Long> missing = new ArrayList<>();
            for (long s : l.members().isEmpty() ? List.of(l.store()) : l.members().keySet()) {
                voters++;
                StoreImage img = after.get(s);
                Peer v = img == null ? null : img.peer(l.regionId());
                if (s == l.store()) {
                    grants++;
                } else if (img == null || v != null && !v.live()) {
                    missing.add(s); // a store that never came back, or one whose peer is a tombstone, does not vote
                } else if (v == null) {
                    // no peer yet: once its older overlapping region applies the split or merge from its own
                    // leader, the store creates an empty peer of this region, and an empty log grants the vote
                    grants++;
                } else if (l.lastEntryTerm() > v.lastEntryTerm()
                        || l.lastEntryTerm() == v.lastEntryTerm() && l.lastIndex() >= v.lastIndex()) {
                    grants++;
                } else {
                    ahead.add(s);
                }
            }
            if (grants < voters / 2 + 1) {
                out.add("region " + l.regionId() + "'s forced leader on store " + l.store() + " (last entry term "
                        + l.lastEntryTerm() + ", last index " + l.lastIndex() + ") cannot win its election: " + grants
                        + " of " + voters + " votes" + (ahead.isEmpty() ? "" : "; stores " + ahead
                        + " hold more up-to-date logs") + (missing.isEmpty() ? "" : "; stores " + missing
                        + " cannot vote (absent, or a tombstone)") + " (SPEC R3: RecoverRegion would never answer)");
            }
        }
        return out;
    }

    /** Writes with a commit ts above the resolved ts still visible on a store after ResolveKvData. */
    public static List<String> newerThanResolved(Backup backup, Map<Long, StoreImage> after) {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (StoreImage img : after.values()) {
            for (Write w : backup.writes()) {
                if (w.commitTs() > backup.resolvedTs() && img.data.get(w.id()) && n++ < MAX_LISTED) {
                    out.add("write " + Keys.show(w.key()) + "@ts " + w.commitTs() + " > resolved ts "
                            + backup.resolvedTs() + " visible on store " + img.id + " (" + w + ")");
                }
            }
        }
        if (n > MAX_LISTED) {
            out.add("... and " + (n - MAX_LISTED) + " more writes newer than the resolved ts");
        }
        return out;
    }
}
