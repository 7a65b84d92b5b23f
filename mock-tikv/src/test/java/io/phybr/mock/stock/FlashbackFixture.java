package io.phybr.mock.stock;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.mock.fault.Fault;
import io.phybr.proto.kv.kvrpc.Context;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.FlashbackToVersionResponse;
import io.phybr.proto.kv.kvrpc.GetRequest;
import io.phybr.proto.kv.kvrpc.GetResponse;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionRequest;
import io.phybr.proto.kv.kvrpc.PrepareFlashbackToVersionResponse;
import io.phybr.proto.kv.meta.Peer;
import io.phybr.proto.kv.meta.RegionEpoch;
import io.phybr.proto.kv.tikv.TikvGrpc;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * The mock stock stores' flashback calls behave as TiKV's (tikv {@code src/server/service/kv.rs},
 * {@code src/storage/txn/commands/flashback_to_version_read_phase.rs}, {@code src/storage/txn/actions/flashback_to_version.rs},
 * {@code components/raftstore/src/store/util.rs check_flashback_state}, {@code fsm/apply.rs exec_flashback},
 * {@code fsm/peer.rs pre_propose_raft_command}), one test per behaviour named after what it models. They must fail if
 * the mock is made friendlier. {@link FlashbackConformanceTest} pins the calls' answers, {@link
 * FlashbackRaftConformanceTest} how the flashback state travels by Raft and reaches PD and writes.
 *
 * <p>Layout: region 1 [-, m) and region 2 [m, +inf) on stores 1..3 (peers 11/12/13 and 21/22/23, epoch version 3
 * conf_ver 1), store 1 leads region 1 and store 2 leads region 2 after a real election. Every store holds the same
 * user data (replicated): a@5, a@15, b@20, c@3 and a user lock on d at ts 12; flashbacks go to version 10.
 */
abstract class FlashbackFixture {
    static final long VERSION = 10;

    MockStockCluster cluster;
    private final Map<Long, ManagedChannel> channels = new TreeMap<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        for (ManagedChannel ch : channels.values()) {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
        }
        Leaks.assertNoServersLeft();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    void start(Fault... faults) throws Exception {
        List<StockReplica> layout = new ArrayList<>();
        for (int s = 1; s <= 3; s++) {
            layout.add(new StockReplica(s, LocalPeer.of(1).peers(11, 12, 13).lastLogTerm(6).lastIndex(10).version(3)
                    .range(b(""), b("m")).build(), 10));
            layout.add(new StockReplica(s, LocalPeer.of(2).peers(21, 22, 23).lastLogTerm(6).lastIndex(10).version(3)
                    .range(b("m"), b("")).build(), 10));
        }
        List<InMemoryStoreBackend> backends = MockStockCluster.backends(layout);
        for (InMemoryStoreBackend be : backends) {
            be.addKv(new InMemoryStoreBackend.Kv(b("a"), 5, false)).addKv(new InMemoryStoreBackend.Kv(b("a"), 15, false))
                    .addKv(new InMemoryStoreBackend.Kv(b("b"), 20, false)).addKv(new InMemoryStoreBackend.Kv(b("c"), 3, false))
                    .addKv(new InMemoryStoreBackend.Kv(b("d"), 12, true)).addKv(new InMemoryStoreBackend.Kv(b("x"), 30, false));
        }
        cluster = MockStockCluster.builder(backends).faults(List.of(faults)).start();
        assertThat(cluster.net().campaign(1, 1)).isTrue();
        assertThat(cluster.net().campaign(2, 2)).isTrue();
    }

    TikvGrpc.TikvBlockingStub tikv(long store) {
        ManagedChannel ch = channels.computeIfAbsent(store,
                s -> NettyChannelBuilder.forTarget(cluster.store(s).address()).usePlaintext().build());
        return TikvGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    static Context ctx(long region, long store, long version) {
        return Context.newBuilder().setRegionId(region)
                .setPeer(Peer.newBuilder().setId(region * 10 + store).setStoreId(store))
                .setRegionEpoch(RegionEpoch.newBuilder().setVersion(version).setConfVer(1)).build();
    }

    PrepareFlashbackToVersionResponse prepare(long region, long store, long startTs) {
        return tikv(store).kvPrepareFlashbackToVersion(PrepareFlashbackToVersionRequest.newBuilder()
                .setContext(ctx(region, store, 3)).setStartTs(startTs).setVersion(VERSION).build());
    }

    FlashbackToVersionResponse flashback(long region, long store, long startTs, long commitTs) {
        return tikv(store).kvFlashbackToVersion(FlashbackToVersionRequest.newBuilder()
                .setContext(ctx(region, store, 3)).setVersion(VERSION).setStartTs(startTs).setCommitTs(commitTs).build());
    }

    GetResponse get(long store, String key, long ts) {
        long region = key.compareTo("m") < 0 ? 1 : 2;
        return tikv(store).kvGet(GetRequest.newBuilder().setContext(ctx(region, store, 3)).setKey(ByteString.copyFrom(b(key)))
                .setVersion(ts).build());
    }

    static String value(GetResponse r) {
        assertThat(r.hasRegionError()).as("%s", r).isFalse();
        return r.getNotFound() ? "none" : r.getValue().toStringUtf8();
    }

    long stateOn(long store, long region) {
        return ((InMemoryStoreBackend) cluster.store(store).backend()).ledger().flashbackStartTs(region);
    }

    io.phybr.proto.kv.meta.Region pdRegion(long id) {
        ManagedChannel ch = channels.computeIfAbsent(0L,
                s -> NettyChannelBuilder.forTarget(cluster.pd().address()).usePlaintext().build());
        return io.phybr.proto.kv.pd.PDGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getRegionByID(io.phybr.proto.kv.pd.GetRegionByIDRequest.newBuilder()
                        .setHeader(io.phybr.proto.kv.pd.RequestHeader.newBuilder().setClusterId(
                                io.phybr.mock.pd.MockPd.clusterId())).setRegionId(id).build()).getRegion();
    }
    io.phybr.proto.kv.kvrpc.PrewriteResponse prewrite(long store, String key, long startTs) {
        long region = key.compareTo("m") < 0 ? 1 : 2;
        return tikv(store).kvPrewrite(io.phybr.proto.kv.kvrpc.PrewriteRequest.newBuilder().setContext(ctx(region, store, 3))
                .addMutations(io.phybr.proto.kv.kvrpc.Mutation.newBuilder().setOp(io.phybr.proto.kv.kvrpc.Op.Put)
                        .setKey(ByteString.copyFrom(b(key))).setValue(ByteString.copyFrom(b("v"))))
                .setPrimaryLock(ByteString.copyFrom(b(key))).setStartVersion(startTs).setLockTtl(3000).build());
    }
}
