package io.phybr.adviser.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.stock.StoreChannels;
import io.phybr.adviser.flashback.GrpcPdRoutes;
import io.phybr.adviser.pd.PdStore;
import io.phybr.proto.kv.pd.GetMembersResponse;
import io.phybr.proto.kv.pd.PDGrpc;
import io.phybr.contract.ExitCode;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StockLayouts;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Found by probing PD's store list through the rogue PD (issue 14; the random mutants had not hit it): an address
 * gRPC cannot parse as a target — a space, a bad escape, an unclosed IPv6 bracket, no host, two ports, a port out of
 * range — must end in one paragraph naming the store and its address, before PD is paused or any store is called;
 * never an internal error (exit 1) with IllegalArgumentException text, or a collect timeout with a stack trace.
 */
class RoguePdAddressTest {
    @AfterEach
    void noLeaks() {
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b:20160", "[::1:20160", "", "h:1:2", "127.0.0.1:99999"})
    void aStoreAddressThatIsNotHostPortIsNamedBeforeAnythingChanges(String address) throws Exception {
        try (MockStockCluster c = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 6, 4))).start();
             RogueCluster rogue = new RogueCluster(c, w -> w.peer().equals(RogueCluster.Wire.PD_HTTP)
                     && w.what().startsWith(PdClient.STORES)
                     ? new String(w.honest(), StandardCharsets.UTF_8).replace(c.store(3).address(), address)
                             .getBytes(StandardCharsets.UTF_8) : null)) {
            // the stores dialled where PD lists them, as `recover` does (not through the rogues)
            Outcome o = rogue.recovery(Finish.RESOLVE, 100).channels(StoreChannels.netty(null)).build().run();

            assertThat(o.exitCode()).as(o.verdict()).isEqualTo(ExitCode.FAILURE);
            assertThat(o.verdict()).contains("store 3").contains("\"" + address + "\"").doesNotContain("Exception")
                    .doesNotContain("\n");
            assertThat(o.phase()).isEqualTo("prepare");
            assertThat(c.pd().mutatingCalls()).as("PD was not paused").isEmpty();
            c.stores().forEach(s -> assertThat(s.calls()).as("store %d", s.storeId()).isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://a b:2379", "http://[::1:2379", "h:1:2"})
    void aPdLeaderUrlThatIsNotHostPortIsNamedAndNothingIsPrepared(String url) throws Exception {
        try (MockStockCluster c = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 6, 4))).start();
             RogueCluster rogue = new RogueCluster(c, w -> w.peer().equals(RogueCluster.Wire.PD_GRPC)
                     && w.what().equals(PDGrpc.getGetMembersMethod().getFullMethodName()) ? leaderAt(w.honest(), url) : null)) {
            // PD's members dialled as `recover` dials them: the leader's client URL, with the stores' channel options
            Outcome o = rogue.recovery(Finish.FLASHBACK, 100)
                    .pdRoutes(p -> new GrpcPdRoutes(java.util.List.of(rogue.pdGrpcAddress()),
                            a -> StoreChannels.netty(null).open(new PdStore(0, a, false, "Up")), java.time.Duration.ofSeconds(2)))
                    .build().run();

            assertThat(o.exitCode()).as(o.verdict()).isEqualTo(ExitCode.FAILURE);
            assertThat(o.verdict()).contains(url).doesNotContain("Exception").doesNotContain("internal error")
                    .doesNotContain("\n");
            c.stores().forEach(s -> assertThat(s.calls()).as("store %d", s.storeId()).isEmpty());
        }
    }

    /** The honest GetMembers answer with the leader's client URL replaced. */
    private static byte[] leaderAt(byte[] honest, String url) {
        try {
            GetMembersResponse m = GetMembersResponse.parseFrom(honest);
            return m.toBuilder().setLeader(m.getLeader().toBuilder().clearClientUrls().addClientUrls(url)).build()
                    .toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
