package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.check.Checker;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.ScenarioParser;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * R8 beside a peer the recovery creates: a follower that applies an old split during the recovery creates a peer of a
 * region merged away since. TiKV creates it (raftstore {@code fsm/apply.rs exec_batch_split}: the store has no region
 * state of it), it does not campaign where its parent follows ({@code fsm/peer.rs on_ready_split_region →
 * maybe_campaign}) and recovery mode never times an election out (snap_recovery {@code init_cluster.rs}: 12-hour
 * election timeout), so it stays a leaderless follower applied to its last index — WaitApply answers at once
 * ({@code services.rs wait_apply}, R8) — in no plan; after the normal restart its first campaign meets a tombstone
 * whose region no longer lists its store ({@code fsm/store.rs check_msg → handle_stale_msg}) and the gc message
 * destroys it ({@code fsm/peer.rs handle_gc_peer_msg}). The checker named it "region 2 has no leader"
 * (random stock history 2026112802729, both finishes), harsher than TiKV.
 */
class InertSplitPeerConformanceTest {
    static final Path HISTORY = Path.of("scenarios", "r8-peer-a-recovery-splits-off-a-merged-region-stays-inert.scn");

    @Test
    void R8_aPeerARecoverySplitsOffARegionMergedAwaySinceStaysInertAndNeedsNoLeader() {
        Backup backup = ScenarioParser.parse(HISTORY).run();
        Map<Long, StoreImage> images = backup.freshImages();
        assertThat(images.get(2L).peer(2)).as("store 2 never applied the split in the history").isNull();
        RaftNet net = new RaftNet();
        images.keySet().forEach(id -> net.join(new ModelStoreBackend(id, images, backup), () -> true));

        assertThat(net.campaign(1, 1)).as("store 1 forced to lead region 1, which commits on store 2 too").isTrue();
        assertThat(net.campaign(1, 3)).as("store 1 forced to lead region 3, which holds region 2's keys").isTrue();

        synchronized (net) {
            Peer created = images.get(2L).peer(2);
            assertThat(created).as("store 2's follower of region 1 applied the split: region 2's peer exists").isNotNull();
            assertThat(created.live()).isTrue();
            assertThat(created.appliedIndex()).as("applied to its last index: WaitApply answers at once")
                    .isEqualTo(created.lastIndex());
            assertThat(net.leaders()).as("it did not campaign: its parent follows").doesNotContainKey(2L);
            for (long s : new long[] {1, 3}) {
                Peer t = images.get(s).peer(2);
                assertThat(t.tombstone()).as("store %d's region 2 was merged away", s).isTrue();
                assertThat(t.members()).as("and no longer lists store 2").doesNotContainKey(2L);
            }
            assertThat(Checker.checkState(backup, images, Set.of())).isEmpty();

            // without a tombstone to answer its campaign (stores 1 and 3 never back), nothing collects it: named
            Map<Long, StoreImage> alone = new TreeMap<>(Map.of(2L, images.get(2L)));
            assertThat(Checker.checkState(backup, alone, Set.of()))
                    .anySatisfy(f -> assertThat(f).startsWith("region 2 has no leader"));
        }
    }
}
