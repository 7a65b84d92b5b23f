package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Entry;
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
 * A forced leader meets a follower holding a committed entry the leader's log contradicts. Raft's leader completeness
 * rules this out, but volume snapshots are taken store after store: an entry committed on stores 1 and 2 after store
 * 1's snapshot survives the restore on store 2 alone, and with pre-vote off (TiKV's recovery mode turns it off,
 * {@code init_cluster.rs}) store 4, cut off and campaigning in vain, reports a hard-state term above both (SPEC R2)
 * and is BR's first pick; store 1's shorter log votes for it (R3). Named after raft-rs' rule (no SPEC §3.1 R covers a
 * follower's side of replication): raft-rs never overwrites a committed entry and never panics over it here. Its
 * leader probes down to an index below the follower's commit, which {@code src/raft.rs Raft::handle_append_entries}
 * answers with a success at the follower's commit index ("got message with lower index than committed") before
 * {@code src/raft_log.rs RaftLog::maybe_append} and its "entry {} conflict with committed entry {}" fatal are reached
 * (that fatal needs an append anchored at or above the commit that conflicts at or below it: impossible, a conflict is
 * always after the anchor). The leader so counts the follower matched at its commit and every later append, anchored
 * at the leader's own entry there, is rejected and dropped as stale ({@code src/tracker/progress.rs
 * Progress::maybe_decr_to}). The follower keeps its log and data and takes nothing more. The mock used to truncate
 * the committed entry and let the follower take the leader's later entries (issue 14: pre-vote-off first-elections
 * histories 777101414 and 777103048; scenario {@code prevote-off-short-leader-meets-committed-entry.scn}).
 */
class CommittedConflictConformanceTest {
    /** History 777101414 shrunk: the write commits on stores 1 and 2 at region 9's index 8, after store 1's snapshot. */
    static final String HISTORY = String.join("\n",
            "stores 1 2 4",
            "region 3 - - on 2 1 4",
            "split r3 at 7480000000000000ff585f728000000000ff0ac9c80000000000fa new r9",
            "snapshot store 1",
            "split r9 at 7480000000000000ff585f728000000000ff0bf6f30000000000fa new r11",
            "lag store 4 region 9",
            "campaign store 4 region 9",
            "write r9 7480000000000000ff585f728000000000ff0acf610000000000fa",
            "expect recovered",
            "");

    @Test
    void raftRs_aFollowerWhoseCommittedEntryTheLeaderLacksKeepsItAndTakesNothingMore() {
        Backup backup = ScenarioParser.parse("committed-conflict", HISTORY).run();
        Map<Long, StoreImage> images = backup.freshImages();
        Write write = backup.writes().get(backup.writes().size() - 1);
        Peer follower = images.get(2L).peer(9);
        long committed = follower.commitIndex();
        long termThere = follower.entryTerm(committed);
        assertThat(committed).as("store 2 committed the write's entry").isGreaterThanOrEqualTo(write.index());
        assertThat(images.get(4L).peer(9).hardStateTerm()).as("store 4 campaigned in vain: its hard-state term")
                .isGreaterThan(follower.hardStateTerm());
        RaftNet net = new RaftNet();
        images.keySet().forEach(id -> net.join(new ModelStoreBackend(id, images, backup), () -> true));
        assertThat(net.campaign(4, 9)).as("store 4 wins region 9 with store 1's vote").isTrue();
        synchronized (net) {
            Peer leader = images.get(4L).peer(9);
            assertThat(leader.entryTerm(committed)).as("the leader's own entry at store 2's commit index")
                    .isNotEqualTo(termThere);
            assertThat(follower.entryTerm(committed)).as("store 2 keeps its committed entry").isEqualTo(termThere);
            assertThat(follower.lastIndex()).as("store 2 takes no entry of the leader").isEqualTo(committed);
            assertThat(follower.hardStateTerm()).as("store 2 took the leader's term").isEqualTo(leader.hardStateTerm());
            assertThat(images.get(2L).data.get(write.id())).as("store 2 keeps %s", write).isTrue();
            Entry mine = images.get(1L).peer(9).entry(committed);
            assertThat(mine == null ? -1 : mine.term()).as("store 1, whose log had no such entry, took the leader's")
                    .isEqualTo(leader.entryTerm(committed));
        }
    }

    /** The symptom the checker saw: the flashback runs through store 4 and never reaches store 2's replica. */
    @Test
    void raftRs_theFlashbackNeverReachesTheWedgedReplica() {
        Backup backup = ScenarioParser.parse("committed-conflict", HISTORY).run();
        DirectStockStores stores = new DirectStockStores(backup, backup.freshImages(), Duration.ofMinutes(5));
        assertThat(stores.recoverRegion(4, List.of(RecoverRegionRequest.newBuilder().setRegionId(9).setAsLeader(true)
                .build()))).as("RecoverRegion on store 4 answers").isTrue();
        long startTs = stores.aboveEveryWrite();
        assertThat(stores.flashback(9, backup.resolvedTs(), startTs, startTs + 1)).as("flashback of region 9").isNull();
        assertThat(stores.flashbackBehind(2, 9)).as("flashback entries store 2's replica of region 9 never applied")
                .isPositive();
        assertThat(stores.flashbackBehind(1, 9)).as("store 1 applied every flashback entry").isZero();
    }
}
