package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.model.Write;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.proto.recoverdata.RecoverRegionRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A forced leader whose log starts after a snapshot (a peer added by AddPeer) meets a follower that was cut off before
 * that point: the leader holds none of the entries the follower needs, so it sends a Raft snapshot of its replica at
 * its applied index — the RegionLocalState (range, epoch, peers) and the region's KV data (raftstore
 * {@code peer_storage.rs do_snapshot}, {@code apply_snapshot}, {@code clear_extra_data}; {@code worker/region.rs
 * apply_snap}). The mock's recovery-mode Raft used to hand the follower the leader's log alone: it stepped over the
 * entries below the leader's log base without applying them, kept its old range and epoch, and missed every write
 * committed there; a flashback entry then restored, on that follower, the value of a write it never held, and the
 * checker reported a write at or below the resolved ts lost (issue 14: random stock history 2081714741270035720 of run
 * 2081714741270035687, drawn with first elections). The same history is the corpus scenario
 * {@code raft-snapshot-to-cut-off-follower.scn}.
 */
class RaftSnapshotConformanceTest {
    /** Store 2 is cut off before the write at or below the resolved ts; store 4 joins by a snapshot after it. */
    static final String HISTORY = String.join("\n",
            "stores 1 2 3 4",
            "region 1 - - on 1 2 3",
            "lag store 2 region 1",
            "write r1 40",
            "add-peer r1 store 4",
            "resolved",
            "snapshot store 1",
            "snapshot store 3",
            "write r1 40",
            "expect recovered",
            "");

    /** The original history, shrunk: store 2's peer of region 6 was cut off before region 6 split at 08ad4e. */
    static final String SPLIT_HISTORY = String.join("\n",
            "stores 1 2 3 4",
            "region 1 - 50 on 1 2 3",
            "region 2 50 - on 1 2 3",
            "lag store 2 region 1",
            "split r1 at 30 new r3",
            "write r1 20",
            "add-peer r1 store 4",
            "resolved",
            "snapshot store 1",
            "snapshot store 3",
            "write r1 20",
            "expect recovered",
            "");

    @Test
    void aFollowerTheLeaderHoldsNoEntriesForInstallsTheLeadersRegionAndData() {
        Backup backup = ScenarioParser.parse("raft-snapshot", HISTORY).run();
        Map<Long, StoreImage> images = backup.freshImages();
        long base = images.get(4L).peer(1).logBase();
        assertThat(images.get(2L).peer(1).lastIndex()).as("store 2's log ends before store 4's begins").isLessThan(base);
        RaftNet net = store4LeadsRegion1(backup, images);
        synchronized (net) {
            Peer leader = images.get(4L).peer(1);
            Peer follower = images.get(2L).peer(1);
            assertThat(follower.members()).as("store 2's region state after the snapshot").isEqualTo(leader.members());
            assertThat(follower.appliedIndex()).as("store 2 applied").isEqualTo(leader.appliedIndex());
            Write atResolved = backup.writes().get(0);
            assertThat(atResolved.commitTs()).isLessThanOrEqualTo(backup.resolvedTs());
            assertThat(images.get(2L).data.get(atResolved.id()))
                    .as("store 2 holds %s, committed below the leader's log base", atResolved).isTrue();
        }
    }

    @Test
    void aSnapshotNarrowsAStaleRangeToTheLeaders() {
        Backup backup = ScenarioParser.parse("raft-snapshot-split", SPLIT_HISTORY).run();
        Map<Long, StoreImage> images = backup.freshImages();
        RaftNet net = store4LeadsRegion1(backup, images);
        synchronized (net) {
            Peer leader = images.get(4L).peer(1);
            Peer follower = images.get(2L).peer(1);
            assertThat(Keys.range(follower.start(), follower.end())).as("store 2's range after the snapshot")
                    .isEqualTo(Keys.range(leader.start(), leader.end()));
            assertThat(follower.version()).as("store 2's epoch version").isEqualTo(leader.version());
        }
    }

    /** The backup's stores in one recovery-mode Raft network, store 4's peer of region 1 elected (as RecoverRegion would). */
    private static RaftNet store4LeadsRegion1(Backup backup, Map<Long, StoreImage> images) {
        RaftNet net = new RaftNet();
        images.keySet().forEach(id -> net.join(new ModelStoreBackend(id, images, backup), () -> true));
        assertThat(net.campaign(4, 1)).as("store 4 (the longest log) wins region 1").isTrue();
        return net;
    }

    /** The symptom: the flashback finish on store 4's leadership leaves every replica reading the resolved ts's value. */
    @Test
    void theFlashbackOverASnapshottedFollowerKeepsTheWriteAtTheResolvedTs() {
        Backup backup = ScenarioParser.parse("raft-snapshot", HISTORY).run();
        DirectStockStores stores = new DirectStockStores(backup, backup.freshImages(), Duration.ofMinutes(5));
        assertThat(stores.recoverRegion(4, List.of(RecoverRegionRequest.newBuilder().setRegionId(1).setAsLeader(true)
                .build()))).as("RecoverRegion on store 4 answers").isTrue();
        long startTs = stores.aboveEveryWrite();
        assertThat(stores.flashback(1, backup.resolvedTs(), startTs, startTs + 1)).as("flashback of region 1").isNull();
        assertThat(stores.check()).as("the checker after the flashback").isEmpty();
    }
}
