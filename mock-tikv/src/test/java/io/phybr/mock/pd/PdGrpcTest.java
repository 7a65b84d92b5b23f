package io.phybr.mock.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.fault.Fault;
import io.phybr.proto.kv.pd.GetMembersRequest;
import io.phybr.proto.kv.pd.GetRegionByIDRequest;
import io.phybr.proto.kv.pd.GetRegionRequest;
import io.phybr.proto.kv.pd.GetRegionResponse;
import io.phybr.proto.kv.pd.GetAllStoresRequest;
import io.phybr.proto.kv.pd.PDGrpc;
import io.phybr.proto.kv.pd.RequestHeader;
import io.phybr.proto.kv.pd.ScanRegionsRequest;
import io.phybr.proto.kv.pd.TsoRequest;
import io.phybr.proto.kv.pd.TsoResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mock PD's pdpb side as tikv/pd's {@code server/grpc_service.go} behaves, reached on PD's one client port (cmux:
 * HTTP and gRPC share it), and its faults as data.
 */
class PdGrpcTest {
    private MockPd pd;
    private ManagedChannel channel;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (pd != null) {
            pd.close();
        }
        assertThat(MockPd.live()).isZero();
    }

    private PDGrpc.PDBlockingStub start() throws Exception {
        pd = MockPd.builder().stores(List.of(MockPd.Store.tikv(1, "127.0.0.1:1"),
                MockPd.Store.tikv(2, "127.0.0.1:2").withVersion("6.1.0"), MockPd.Store.tiflash(9, "127.0.0.1:9"))).start();
        channel = NettyChannelBuilder.forTarget(pd.address()).usePlaintext().build();
        // Nothing here stalls PD but stalledTsoNeverAnswers (its own 1 s deadline), so the bound only catches a hang:
        // 30 s, as PD calls elsewhere. The first call opens the channel (perhaps the JVM's first: measured over 5 s at
        // load 20-34), and this deadline is absolute, shared by every call of the test on the stub.
        return PDGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static RequestHeader header() {
        return RequestHeader.newBuilder().setClusterId(MockPd.clusterId()).build();
    }

    /** One Tso stream, several requests: {physical, logical} strictly increasing, count honoured. */
    private List<TsoResponse> tso(int... counts) throws Exception {
        return tsoWithin(30, counts); // catches a hang only (see start)
    }

    private List<TsoResponse> tsoWithin(int deadlineSeconds, int... counts) throws Exception {
        LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
        StreamObserver<TsoRequest> req = PDGrpc.newStub(channel).withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                .tso(new StreamObserver<>() {
                    public void onNext(TsoResponse r) { got.add(r); }
                    public void onError(Throwable t) { got.add(t); }
                    public void onCompleted() { }
                });
        java.util.ArrayList<TsoResponse> out = new java.util.ArrayList<>();
        for (int c : counts) {
            req.onNext(TsoRequest.newBuilder().setHeader(header()).setCount(c).build());
            Object o = got.poll(deadlineSeconds + 30L, TimeUnit.SECONDS); // the slack only catches a hang
            assertThat(o).as("an answer or an error within the deadline").isNotNull();
            if (o instanceof Throwable t) {
                req.onCompleted();
                throw (Exception) t;
            }
            out.add((TsoResponse) o);
        }
        req.onCompleted();
        return out;
    }

    @Test
    void tsoIsMonotonicOnTheSharedClientPortAndHttpStillAnswersThere() throws Exception {
        PDGrpc.PDBlockingStub stub = start();
        assertThat(stub.getMembers(GetMembersRequest.getDefaultInstance()).getHeader().getClusterId())
                .isEqualTo(MockPd.clusterId());
        List<TsoResponse> r = tso(1, 10, 1);
        long prev = 0;
        for (TsoResponse t : r) {
            long ts = Tso.compose(t.getTimestamp().getPhysical(), t.getTimestamp().getLogical());
            assertThat(ts - t.getCount() + 1).as("first of the batch after the previous").isGreaterThan(prev);
            prev = ts;
        }
        java.net.http.HttpResponse<String> http = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + pd.address() + "/pd/api/v1/stores"))
                        .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(http.statusCode()).isEqualTo(200);
        assertThat(http.body()).contains("\"version\":\"6.1.0\"");
    }

    /** grpc_service.go validateRequest: a request without this cluster's id fails FAILED_PRECONDITION. */
    @Test
    void wrongClusterIdIsRefused() throws Exception {
        PDGrpc.PDBlockingStub stub = start();
        assertThatThrownBy(() -> stub.getAllStores(GetAllStoresRequest.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("mismatch cluster id");
        assertThat(stub.getAllStores(GetAllStoresRequest.newBuilder().setHeader(header()).build()).getStoresList())
                .extracting(s -> s.getVersion()).containsExactly("7.5.1", "6.1.0", "v7.5.1");
    }

    /** A PD without TSO (fault pd POST /pdpb.PD/Tso status 404): UNIMPLEMENTED, as gRPC maps HTTP 404. */
    @Test
    void pdWithoutTsoAnswersUnimplemented() throws Exception {
        start();
        pd.inject(new Fault.PdStatus("POST", "/pdpb.PD/Tso", 5, 404));
        assertThatThrownBy(() -> tso(1)).isInstanceOf(StatusRuntimeException.class)
                .satisfies(t -> assertThat(((StatusRuntimeException) t).getStatus().getCode())
                        .isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThat(pd.calls()).anyMatch(c -> c.path().equals("/pdpb.PD/Tso") && c.status() == 404);
    }

    /** A stalled Tso never answers: only the client's deadline ends it. */
    @Test
    void stalledTsoNeverAnswers() throws Exception {
        start();
        pd.inject(new Fault.PdStall("POST", "/pdpb.PD/Tso", 1, false));
        CompletableFuture<Object> f = CompletableFuture.supplyAsync(() -> {
            try {
                return tsoWithin(1, 1);
            } catch (Exception e) {
                return e;
            }
        });
        Object o = f.get(60, TimeUnit.SECONDS); // the 1 s deadline of the stream ends it (60 s: catches a hang)
        assertThat(o).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) o).getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    /** Regions as heartbeats told PD, keys memcomparable-encoded (PD stores encoded keys); unknown: no region. */
    @Test
    void regionsComeFromHeartbeatsWithEncodedKeys() throws Exception {
        PDGrpc.PDBlockingStub stub = start();
        byte[] m = "m".getBytes(StandardCharsets.US_ASCII);
        pd.heartbeat(new RegionHeartbeat(1, 1, 11, new byte[0], m, 1, 3,
                List.of(new RegionHeartbeat.Peer(11, 1), new RegionHeartbeat.Peer(12, 2))));
        pd.heartbeat(new RegionHeartbeat(2, 2, 22, m, new byte[0], 1, 3, List.of(new RegionHeartbeat.Peer(22, 2))));
        GetRegionResponse r = stub.getRegionByID(GetRegionByIDRequest.newBuilder().setHeader(header()).setRegionId(1).build());
        assertThat(r.getRegion().getEndKey().toByteArray()).isEqualTo(KeyCodec.encode(m)).hasSize(9);
        assertThat(r.getRegion().getRegionEpoch().getVersion()).isEqualTo(3);
        assertThat(r.getLeader().getStoreId()).isEqualTo(1);
        GetRegionResponse byKey = stub.getRegion(GetRegionRequest.newBuilder().setHeader(header())
                .setRegionKey(ByteString.copyFrom(KeyCodec.encode("x".getBytes(StandardCharsets.US_ASCII)))).build());
        assertThat(byKey.getRegion().getId()).isEqualTo(2);
        assertThat(stub.getRegionByID(GetRegionByIDRequest.newBuilder().setHeader(header()).setRegionId(99).build())
                .hasRegion()).isFalse();
        assertThat(stub.scanRegions(ScanRegionsRequest.newBuilder().setHeader(header()).build()).getRegionsList())
                .extracting(x -> x.getRegion().getId()).containsExactly(1L, 2L);
    }

    @Test
    void keyCodecRoundTripsAndMatchesTikvsLayout() {
        assertThat(KeyCodec.encode(new byte[0])).isEmpty();
        assertThat(KeyCodec.encode(new byte[] {1, 2, 3})).containsExactly(1, 2, 3, 0, 0, 0, 0, 0, (byte) 0xFA);
        assertThat(KeyCodec.encode(new byte[8])).hasSize(18).endsWith(0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xF7);
        for (int n = 0; n < 20; n++) {
            byte[] k = new byte[n];
            java.util.Arrays.fill(k, (byte) n);
            assertThat(KeyCodec.decode(KeyCodec.encode(k))).isEqualTo(k);
        }
    }
}
