package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.phybr.proto.kv.error.Error;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The flashback state travels as TiKV's: by Raft apply to the followers, to PD with the leader's next heartbeat, and
 * to writes at propose (layout and upstream files: {@link FlashbackFixture}).
 */
class FlashbackRaftConformanceTest extends FlashbackFixture {
    /**
     * fsm/apply.rs exec_flashback: PrepareFlashback is an admin command proposed by the leader, so a replica enters
     * the flashback state when it applies it — at once where the leader reaches it, and a follower cut off from the
     * leader only once it catches up. The mock must not put a replica the leader cannot reach in the state at once.
     */
    @Test
    void prepareReachesFollowersByRaftApply_aFollowerCutOffSeesItOnlyAfterItCatchesUp() throws Exception {
        start();
        cluster.net().isolate(3); // store 3 runs but hears nothing from the leader on store 1

        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();
        assertThat(stateOn(1, 1)).as("the leader applied it").isEqualTo(100);
        assertThat(stateOn(2, 1)).as("a reached follower applied it").isEqualTo(100);
        assertThat(stateOn(3, 1)).as("the cut-off follower has not").isZero();
        assertThat(flashback(1, 1, 100, 101).hasRegionError()).isFalse();
        assertThat(((InMemoryStoreBackend) cluster.store(3).backend()).ledger().isEmpty())
                .as("nor any of the flashback's writes").isTrue();

        cluster.net().heal(3); // the leader replicates to it again: it applies prepare, writes and finish in order
        assertThat(stateOn(3, 1)).isZero();
        assertThat(((InMemoryStoreBackend) cluster.store(3).backend()).ledger().records(b("a")))
                .as("the flashback's write of a reached store 3 by catch-up").hasSize(1);
    }

    /**
     * A leader that reaches no quorum cannot commit the PrepareFlashback proposal: TiKV's proposal waits and the
     * request gets no answer (the client's deadline ends it), and no replica enters the flashback state.
     */
    @Test
    void aLeaderWithoutAQuorumLeavesPrepareUnansweredAndNoReplicaPrepared() throws Exception {
        start();
        cluster.net().isolate(2);
        cluster.net().isolate(3);

        assertThatThrownBy(() -> tikv(1).withDeadlineAfter(300, TimeUnit.MILLISECONDS).kvPrepareFlashbackToVersion(
                PrepareFlashbackToVersionRequest.newBuilder().setContext(ctx(1, 1, 3)).setStartTs(100).setVersion(VERSION)
                        .build())).isInstanceOf(StatusRuntimeException.class)
                .satisfies(t -> assertThat(((StatusRuntimeException) t).getStatus().getCode())
                        .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        for (long s = 1; s <= 3; s++) {
            assertThat(stateOn(s, 1)).as("store %d", s).isZero();
        }
    }

    /**
     * PD learns a region's flashback state (metapb.Region is_in_flashback / flashback_start_ts) only from its
     * leader's heartbeats, and TiKV sends none when the flashback admin command applies (fsm/peer.rs
     * on_set_flashback_state): PD's copy lags until the next heartbeat — here the one a new leader sends.
     */
    @Test
    void pdSeesTheFlashbackStateOnlyFromTheLeadersNextHeartbeat() throws Exception {
        start();
        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();
        assertThat(pdRegion(1).getIsInFlashback()).as("no heartbeat since the prepare").isFalse();

        assertThat(cluster.net().campaign(2, 1)).isTrue(); // a new leader heartbeats its region meta
        io.phybr.proto.kv.meta.Region r = pdRegion(1);
        assertThat(r.getIsInFlashback()).isTrue();
        assertThat(r.getFlashbackStartTs()).isEqualTo(100);
        assertThat(pdRegion(2).getIsInFlashback()).isFalse();
    }

    /**
     * util.rs check_flashback_state (at propose, fsm/peer.rs pre_propose_raft_command): a region in the flashback
     * state refuses every write but the flashback's with FlashbackInProgress — a write carries no read ts, so unlike
     * a read it is refused even below flashback_start_ts; once FinishFlashback applied, writes are not refused.
     */
    @Test
    void preparedRegionRefusesWritesWithFlashbackInProgressWhateverTheirStartTs() throws Exception {
        start();
        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();

        for (long startTs : new long[] {50, 100, 200}) {
            Error e = prewrite(1, "a", startTs).getRegionError();
            assertThat(e.hasFlashbackInProgress()).as("prewrite at %d: %s", startTs, e).isTrue();
            assertThat(e.getFlashbackInProgress().getRegionId()).isEqualTo(1);
            assertThat(e.getFlashbackInProgress().getFlashbackStartTs()).isEqualTo(100);
        }
        assertThat(prewrite(2, "x", 200).hasRegionError()).as("region 2 was not prepared").isFalse();

        assertThat(flashback(1, 1, 100, 101).hasRegionError()).isFalse();
        assertThat(prewrite(1, "a", 200).hasRegionError()).as("finished: no longer refused").isFalse();
    }
}
