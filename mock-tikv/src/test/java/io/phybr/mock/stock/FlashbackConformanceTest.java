package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.Fault.Rpc;
import io.phybr.proto.kv.error.Error;
import io.phybr.proto.kv.kvrpc.Context;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionResponse;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionResponse;
import io.phybr.proto.kv.meta.Peer;
import io.phybr.proto.kv.meta.RegionEpoch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flashback calls' answers as TiKV's (layout and upstream files: {@link FlashbackFixture}). */
class FlashbackConformanceTest extends FlashbackFixture {
    /** util.rs check_flashback_state: a prepared region refuses every read at or above flashback_start_ts. */
    @Test
    void preparedRegionRefusesReadsAtOrAboveItsStartTsButServesOlderOnes() throws Exception {
        start();
        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();

        Error e = get(1, "a", 100).getRegionError();
        assertThat(e.getFlashbackInProgress().getRegionId()).isEqualTo(1);
        assertThat(e.getFlashbackInProgress().getFlashbackStartTs()).isEqualTo(100);
        assertThat(get(1, "a", 0).getRegionError().hasFlashbackInProgress()).as("read ts 0 is no exception").isTrue();
        assertThat(value(get(1, "a", 99))).isEqualTo("v@15"); // read_ts < flashback_start_ts passes
        assertThat(value(get(2, "x", 200))).as("region 2 was not prepared").isEqualTo("v@30");
    }

    /**
     * flashback_to_version.rs: every key whose latest version is newer than the version gets a new version with its
     * value at the version (a Delete if none), keys not newer are untouched, prepare rolled back the user lock, and
     * FinishFlashback leaves the state — on every replica (the writes are Raft entries).
     */
    @Test
    void flashbackRewritesNewerKeysToTheirValueAtTheVersionAndRemovesLocks() throws Exception {
        start();
        assertThat(get(1, "d", 200).getError().getLocked().getLockVersion()).as("user lock before").isEqualTo(12);
        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();
        FlashbackToVersionResponse r = flashback(1, 1, 100, 101);
        assertThat(r.hasRegionError()).as("%s", r).isFalse();
        assertThat(r.getError()).isEmpty();

        assertThat(value(get(1, "a", 200))).isEqualTo("v@5");
        assertThat(value(get(1, "b", 200))).isEqualTo("none");
        assertThat(value(get(1, "c", 200))).isEqualTo("v@3");
        assertThat(value(get(1, "d", 200))).as("lock rolled back").isEqualTo("none");
        assertThat(value(get(1, "a", 16))).as("history stays: MVCC, nothing deleted").isEqualTo("v@15");
        for (long s = 1; s <= 3; s++) {
            InMemoryStoreBackend be = (InMemoryStoreBackend) cluster.store(s).backend();
            assertThat(Flashback.valueAt(be, b("a"), Long.MAX_VALUE)).as("store %d", s).isEqualTo(5);
            assertThat(be.ledger().preparedRegions()).as("store %d", s).isEmpty();
            assertThat(be.ledger().locks(b(""), b(""))).as("store %d", s).isEmpty();
        }
        assertThat(value(get(2, "x", 200))).as("region 2 not flashed back").isEqualTo("v@30");
    }

    /** check_flashback_commit: the same start/commit ts again answers success and writes nothing new. */
    @Test
    void flashbackIsIdempotentForTheSameStartTs() throws Exception {
        start();
        prepare(1, 1, 100);
        flashback(1, 1, 100, 101);
        int records = ((InMemoryStoreBackend) cluster.store(1).backend()).ledger().keys(b(""), b("")).size();

        FlashbackToVersionResponse again = flashback(1, 1, 100, 101);
        assertThat(again.hasRegionError()).isFalse();
        assertThat(again.getError()).isEmpty();
        assertThat(((InMemoryStoreBackend) cluster.store(1).backend()).ledger().keys(b(""), b(""))).hasSize(records);
        assertThat(value(get(1, "a", 200))).isEqualTo("v@5");
        // another start ts that never prepared finds no lock of its own: not prepared
        assertThat(flashback(1, 1, 300, 301).getRegionError().hasFlashbackNotPrepared()).isTrue();
    }

    /** check_flashback_commit / check_flashback_state at apply: a flashback without its prepare is refused. */
    @Test
    void flashbackWithoutPrepareIsNotPrepared() throws Exception {
        start();
        Error e = flashback(1, 1, 100, 101).getRegionError();
        assertThat(e.getFlashbackNotPrepared().getRegionId()).isEqualTo(1);
        assertThat(value(get(1, "a", 200))).as("nothing changed").isEqualTo("v@15");
    }

    /** flashback_to_version_read_phase.rs: commit_ts <= start_ts is InvalidTxnTso, a plain error, not a region one. */
    @Test
    void commitTsNotAboveStartTsIsAnInvalidTxnTsoError() throws Exception {
        start();
        prepare(1, 1, 100);
        FlashbackToVersionResponse r = flashback(1, 1, 100, 100);
        assertThat(r.hasRegionError()).isFalse();
        assertThat(r.getError()).contains("invalid txn tso");
    }

    /** fsm/peer.rs pre_propose_raft_command: a follower answers NotLeader naming the leader it knows. */
    @Test
    void followerAnswersNotLeaderWithTheLeader() throws Exception {
        start();
        Error e = prepare(1, 2, 100).getRegionError();
        assertThat(e.getNotLeader().getRegionId()).isEqualTo(1);
        assertThat(e.getNotLeader().getLeader().getStoreId()).isEqualTo(1);
        assertThat(e.getNotLeader().getLeader().getId()).isEqualTo(11);
    }

    /** util.rs check_req_region_epoch (PrepareFlashback checks version and conf_ver): EpochNotMatch with the region. */
    @Test
    void staleEpochAnswersEpochNotMatchWithTheCurrentRegion() throws Exception {
        start();
        PrepareFlashbackToVersionResponse r = tikv(1).kvPrepareFlashbackToVersion(PrepareFlashbackToVersionRequest
                .newBuilder().setContext(ctx(1, 1, 2)).setStartTs(100).setVersion(VERSION).build());
        assertThat(r.getRegionError().getEpochNotMatch().getCurrentRegionsList())
                .anySatisfy(reg -> {
                    assertThat(reg.getId()).isEqualTo(1);
                    assertThat(reg.getRegionEpoch().getVersion()).isEqualTo(3);
                    // TiKV's region boundaries are encoded keys (as PD's), not the raw keys of the request
                    assertThat(reg.getEndKey().toByteArray()).isEqualTo(io.phybr.mock.pd.KeyCodec.encode(b("m")));
                });
        assertThat(((InMemoryStoreBackend) cluster.store(1).backend()).ledger().preparedRegions()).isEmpty();
    }

    /** RegionNotFound for a region the store holds no peer of; StoreNotMatch for a request meant for another store. */
    @Test
    void unknownRegionIsRegionNotFoundAndAnotherStoresPeerIsStoreNotMatch() throws Exception {
        start();
        PrepareFlashbackToVersionResponse r = tikv(1).kvPrepareFlashbackToVersion(PrepareFlashbackToVersionRequest
                .newBuilder().setContext(ctx(99, 1, 3)).setStartTs(100).setVersion(VERSION).build());
        assertThat(r.getRegionError().getRegionNotFound().getRegionId()).isEqualTo(99);
        PrepareFlashbackToVersionResponse wrong = tikv(1).kvPrepareFlashbackToVersion(PrepareFlashbackToVersionRequest
                .newBuilder().setContext(ctx(1, 2, 3)).setStartTs(100).setVersion(VERSION).build());
        assertThat(wrong.getRegionError().getStoreNotMatch().getActualStoreId()).isEqualTo(1);
    }

    /**
     * A store restarting in the middle of prepare (after the admin command, before the lock): the call breaks, the
     * persisted flashback state stays (RegionLocalState), the forced leader is gone (R9: NotLeader, nobody
     * re-elects), and once it leads again the flashback is not prepared until prepare runs again.
     */
    @Test
    void storeRestartedDuringPrepareKeepsTheStateLosesTheLeaderAndNeedsPrepareAgain() throws Exception {
        start(new Fault.RestartDuring(1, Rpc.PREPARE_FLASHBACK, -1, 1));
        assertThatThrownBy(() -> prepare(1, 1, 100)).isInstanceOf(StatusRuntimeException.class)
                .satisfies(t -> assertThat(((StatusRuntimeException) t).getStatus().getCode())
                        .isEqualTo(Status.Code.UNAVAILABLE));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(1).reboots() == 1 && cluster.store(1).running());

        Error lost = prepare(1, 1, 100).getRegionError();
        assertThat(lost.hasNotLeader()).isTrue();
        assertThat(lost.getNotLeader().hasLeader()).as("nobody leads region 1 now").isFalse();
        assertThat(((InMemoryStoreBackend) cluster.store(1).backend()).ledger().flashbackStartTs(1)).isEqualTo(100);

        assertThat(cluster.net().campaign(1, 1)).isTrue(); // the adviser sends RecoverRegion again
        assertThat(get(1, "a", 200).getRegionError().hasFlashbackInProgress()).as("state persisted").isTrue();
        assertThat(flashback(1, 1, 100, 101).getRegionError().hasFlashbackNotPrepared()).as("no lock").isTrue();
        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();
        assertThat(flashback(1, 1, 100, 101).hasRegionError()).isFalse();
        assertThat(value(get(1, "a", 200))).isEqualTo("v@5");
    }

    /**
     * A store restarting in the middle of the flashback (its writes applied, the locked key not yet committed): the
     * call breaks, the lock and the flashback state stay, so after a new election the same flashback finishes it.
     */
    @Test
    void storeRestartedDuringFlashbackIsFinishedByTheSameFlashbackAgain() throws Exception {
        start(new Fault.RestartDuring(1, Rpc.FLASHBACK, -1, 1));
        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();
        assertThatThrownBy(() -> flashback(1, 1, 100, 101)).isInstanceOf(StatusRuntimeException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.store(1).reboots() == 1 && cluster.store(1).running());
        InMemoryStoreBackend be = (InMemoryStoreBackend) cluster.store(1).backend();
        assertThat(be.ledger().flashbackStartTs(1)).as("still in the flashback state").isEqualTo(100);
        assertThat(be.ledger().locks(b(""), b(""))).as("the locked key is not committed yet").hasSize(1);

        assertThat(cluster.net().campaign(1, 1)).isTrue();
        assertThat(flashback(1, 1, 100, 101).hasRegionError()).isFalse();
        assertThat(value(get(1, "a", 200))).isEqualTo("v@5");
        assertThat(value(get(1, "b", 200))).isEqualTo("none");
        assertThat(be.ledger().preparedRegions()).isEmpty();
    }

    /**
     * {@code mock-tikv stores}' check ({@link StockCheck}) judges a flashback finish by what reads see: the newer
     * writes stay (shadowed), so a region left out fails and all regions flashed back pass.
     */
    @Test
    void theInMemoryStoresCheckJudgesAFlashbackByWhatReadsSee() throws Exception {
        start();
        List<InMemoryStoreBackend> stores = cluster.stores().stream().map(st -> (InMemoryStoreBackend) st.backend()).toList();
        Map<Long, List<InMemoryStoreBackend.Kv>> committed = StockCheck.committedWrites(stores, VERSION);
        prepare(1, 1, 100);
        flashback(1, 1, 100, 101);
        assertThat(StockCheck.check(stores, VERSION, committed))
                .anySatisfy(p -> assertThat(p).contains("still shows the write at ts 30").contains("after the flashback"));
        prepare(2, 2, 100);
        flashback(2, 2, 100, 101);
        assertThat(StockCheck.check(stores, VERSION, committed)).isEmpty();
    }

    /** A busy scheduler answers the region error ServerIsBusy and changes nothing. */
    @Test
    void busyStoreAnswersServerIsBusy() throws Exception {
        start(new Fault.Busy(1, Rpc.PREPARE_FLASHBACK, 2));
        assertThat(prepare(1, 1, 100).getRegionError().hasServerIsBusy()).isTrue();
        assertThat(prepare(1, 1, 100).getRegionError().hasServerIsBusy()).isTrue();
        assertThat(((InMemoryStoreBackend) cluster.store(1).backend()).ledger().preparedRegions()).isEmpty();
        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();
    }

    /** tikv#13541 (v6.4.0): a TiKV before 6.4 has no two-phase flashback — UNIMPLEMENTED; PD lists its version. */
    @Test
    void tikvBefore64AnswersUnimplementedAndPdListsItsVersion() throws Exception {
        start(new Fault.TikvVersion(3, "6.1.7"));
        assertThatThrownBy(() -> prepare(1, 3, 100)).isInstanceOf(StatusRuntimeException.class)
                .satisfies(t -> assertThat(((StatusRuntimeException) t).getStatus().getCode())
                        .isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThat(prepare(1, 1, 100).hasRegionError()).isFalse();
        java.net.http.HttpResponse<String> stores = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + cluster.pdAddress()
                        + "/pd/api/v1/stores")).timeout(Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(stores.body()).contains("\"version\":\"6.1.7\"").contains("\"version\":\"7.5.1\"");
    }

    /** A split between RecoverRegion and the flashback (raftstore exec_batch_split): the old epoch is refused. */
    @Test
    void splitBeforePrepareAnswersEpochNotMatchWithBothHalves() throws Exception {
        start(new Fault.SplitBefore(1, Rpc.PREPARE_FLASHBACK, 1, "63", 7, 1));
        Error e = prepare(1, 1, 100).getRegionError();
        assertThat(e.getEpochNotMatch().getCurrentRegionsList()).extracting(r -> r.getId()).containsExactlyInAnyOrder(1L, 7L);
        assertThat(cluster.net().leaders()).containsEntry(7L, 1L);
        assertThat(cluster.pd().leaders()).containsEntry(7L, 1L);
        PrepareFlashbackToVersionResponse right = tikv(1).kvPrepareFlashbackToVersion(PrepareFlashbackToVersionRequest
                .newBuilder().setContext(Context.newBuilder().setRegionId(7).setPeer(Peer.newBuilder().setId(7001).setStoreId(1))
                        .setRegionEpoch(RegionEpoch.newBuilder().setVersion(4).setConfVer(1))).setStartTs(100)
                .setVersion(VERSION).build());
        assertThat(right.hasRegionError()).as("%s", right).isFalse();
    }

    /** A leader moved between RecoverRegion and the flashback: the old leader answers NotLeader naming the new one. */
    @Test
    void leaderMovedBeforePrepareAnswersNotLeaderWithTheNewLeader() throws Exception {
        start(new Fault.LeaderMoveBefore(1, Rpc.PREPARE_FLASHBACK, 1, 3, 1));
        Error e = prepare(1, 1, 100).getRegionError();
        assertThat(e.getNotLeader().getLeader().getStoreId()).isEqualTo(3);
        assertThat(prepare(1, 3, 100).hasRegionError()).isFalse();
    }
}
