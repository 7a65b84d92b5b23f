package io.phybr.mock.pd;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.phybr.mock.fault.Fault;
import io.phybr.proto.kv.meta.Peer;
import io.phybr.proto.kv.meta.Region;
import io.phybr.proto.kv.meta.RegionEpoch;
import io.phybr.proto.kv.meta.StoreLabel;
import io.phybr.proto.kv.meta.StoreState;
import io.phybr.proto.kv.pd.GetAllStoresRequest;
import io.phybr.proto.kv.pd.GetAllStoresResponse;
import io.phybr.proto.kv.pd.GetMembersRequest;
import io.phybr.proto.kv.pd.GetMembersResponse;
import io.phybr.proto.kv.pd.GetRegionByIDRequest;
import io.phybr.proto.kv.pd.GetRegionRequest;
import io.phybr.proto.kv.pd.GetRegionResponse;
import io.phybr.proto.kv.pd.GetStoreRequest;
import io.phybr.proto.kv.pd.GetStoreResponse;
import io.phybr.proto.kv.pd.Member;
import io.phybr.proto.kv.pd.PDGrpc;
import io.phybr.proto.kv.pd.RequestHeader;
import io.phybr.proto.kv.pd.ResponseHeader;
import io.phybr.proto.kv.pd.ScanRegionsRequest;
import io.phybr.proto.kv.pd.ScanRegionsResponse;
import io.phybr.proto.kv.pd.TsoRequest;
import io.phybr.proto.kv.pd.TsoResponse;
import java.util.List;

/**
 * The mock PD's gRPC side, {@code pdpb.PD} (tikv/pd {@code server/grpc_service.go}), as the flashback finish meets it:
 * <ul>
 *   <li>GetMembers answers without checking the cluster id and tells it in its header; every other call with another
 *       cluster id (0 included) fails FAILED_PRECONDITION "mismatch cluster id" ({@code validateRequest});</li>
 *   <li>Tso is a bidi stream: each request gets {@code count} timestamps, answered as the largest
 *       ({@code physical} ms, {@code logical} &lt; 2^18), strictly increasing across calls ({@link Tso});</li>
 *   <li>GetRegion / GetRegionByID / ScanRegions answer what the leaders' heartbeats told PD (epoch, peers, leader);
 *       an unknown region is a header without a region, not an error. Keys on this wire are TiKV's encoded keys
 *       ({@link KeyCodec}: memcomparable, as PD stores them), not the raw keys the stores' flashback calls take;</li>
 *   <li>GetStore / GetAllStores list the registered stores with their version and start timestamp.</li>
 * </ul>
 * Faults are the PD faults ({@code fault pd POST /pdpb.PD/Tso status 404}: gRPC is an HTTP/2 POST to the method's
 * path), mapped as gRPC maps an HTTP status (404 UNIMPLEMENTED: a PD without TSO; 503 UNAVAILABLE …), or a stall that
 * never answers until PD closes.
 */
final class PdGrpcService extends PDGrpc.PDImplBase {
    /** The cluster id this mock PD reports (any fixed non-zero value: real ones are random at bootstrap). */
    static final long CLUSTER_ID = 7_203_947_338_127_531_001L;

    private final MockPd pd;
    private final PdModel model;
    private final Tso tso;

    PdGrpcService(MockPd pd, PdModel model, Tso tso) {
        this.pd = pd;
        this.model = model;
        this.tso = tso;
    }

    private static ResponseHeader header() {
        return ResponseHeader.newBuilder().setClusterId(CLUSTER_ID).build();
    }

    /** A PD fault for this call, or a cluster-id mismatch, ends it here: true. */
    private boolean refused(String method, RequestHeader h, StreamObserver<?> obs, boolean checkCluster) {
        Fault.PdFault f = pd.grpcFault(method);
        if (f instanceof Fault.PdStall) {
            pd.holdUntilClose(obs);
            return true;
        }
        if (f instanceof Fault.PdStatus st) {
            obs.onError(grpcStatus(st.status()).withDescription("injected fault: HTTP " + st.status()).asRuntimeException());
            return true;
        }
        if (checkCluster && h.getClusterId() != CLUSTER_ID) {
            obs.onError(Status.FAILED_PRECONDITION.withDescription("mismatch cluster id, need " + CLUSTER_ID
                    + " but got " + h.getClusterId()).asRuntimeException());
            return true;
        }
        return false;
    }

    /** gRPC's mapping of an HTTP status (doc/http-grpc-status-mapping.md). */
    static Status grpcStatus(int http) {
        return switch (http) {
            case 400 -> Status.INTERNAL;
            case 401 -> Status.UNAUTHENTICATED;
            case 403 -> Status.PERMISSION_DENIED;
            case 404 -> Status.UNIMPLEMENTED;
            case 429, 502, 503, 504 -> Status.UNAVAILABLE;
            default -> Status.UNKNOWN;
        };
    }

    @Override
    public void getMembers(GetMembersRequest req, StreamObserver<GetMembersResponse> obs) {
        if (refused("GetMembers", req.getHeader(), obs, false)) {
            return;
        }
        Member me = Member.newBuilder().setName("pd-mock").setMemberId(1).addClientUrls("http://" + pd.address())
                .addPeerUrls("http://" + pd.address()).build();
        obs.onNext(GetMembersResponse.newBuilder().setHeader(header()).addMembers(me).setLeader(me)
                .setEtcdLeader(me).build());
        obs.onCompleted();
    }

    @Override
    public StreamObserver<TsoRequest> tso(StreamObserver<TsoResponse> obs) {
        return new StreamObserver<>() {
            private boolean ended;

            @Override
            public void onNext(TsoRequest req) {
                if (ended) {
                    return;
                }
                if (refused("Tso", req.getHeader(), obs, true)) {
                    ended = true;
                    return;
                }
                if (req.getCount() == 0) {
                    ended = true;
                    obs.onError(Status.INVALID_ARGUMENT.withDescription("tso count should be positive").asRuntimeException());
                    return;
                }
                long[] ts = tso.next(req.getCount());
                obs.onNext(TsoResponse.newBuilder().setHeader(header()).setCount(req.getCount())
                        .setTimestamp(io.phybr.proto.kv.pd.Timestamp.newBuilder().setPhysical(ts[0]).setLogical(ts[1]))
                        .build());
            }

            @Override
            public void onError(Throwable t) {
                ended = true;
            }

            @Override
            public void onCompleted() {
                if (!ended) {
                    ended = true;
                    obs.onCompleted();
                }
            }
        };
    }

    @Override
    public void getStore(GetStoreRequest req, StreamObserver<GetStoreResponse> obs) {
        if (refused("GetStore", req.getHeader(), obs, true)) {
            return;
        }
        GetStoreResponse.Builder b = GetStoreResponse.newBuilder().setHeader(header());
        model.readStores(StoreRegistry::registeredWithStart).forEach((s, start) -> {
            if (s.id() == req.getStoreId()) {
                b.setStore(store(s, start));
            }
        });
        if (!b.hasStore()) {
            b.setHeader(header().toBuilder().setError(io.phybr.proto.kv.pd.Error.newBuilder()
                    .setType(io.phybr.proto.kv.pd.ErrorType.UNKNOWN)
                    .setMessage("invalid store ID " + req.getStoreId() + ", not found")));
        }
        obs.onNext(b.build());
        obs.onCompleted();
    }

    @Override
    public void getAllStores(GetAllStoresRequest req, StreamObserver<GetAllStoresResponse> obs) {
        if (refused("GetAllStores", req.getHeader(), obs, true)) {
            return;
        }
        GetAllStoresResponse.Builder b = GetAllStoresResponse.newBuilder().setHeader(header());
        model.readStores(StoreRegistry::registeredWithStart).forEach((s, start) -> {
            if (!(req.getExcludeTombstoneStores() && "Tombstone".equals(s.state()))) {
                b.addStores(store(s, start));
            }
        });
        obs.onNext(b.build());
        obs.onCompleted();
    }

    private static io.phybr.proto.kv.meta.Store store(MockPd.Store s, long start) {
        io.phybr.proto.kv.meta.Store.Builder b = io.phybr.proto.kv.meta.Store.newBuilder().setId(s.id())
                .setAddress(s.address()).setVersion(s.version()).setStartTimestamp(start)
                .setState("Tombstone".equals(s.state()) ? StoreState.Tombstone
                        : "Offline".equals(s.state()) ? StoreState.Offline : StoreState.Up);
        if (s.tiflash()) {
            b.addLabels(StoreLabel.newBuilder().setKey("engine").setValue("tiflash"));
        }
        return b.build();
    }

    @Override
    public void getRegion(GetRegionRequest req, StreamObserver<GetRegionResponse> obs) {
        if (refused("GetRegion", req.getHeader(), obs, true)) {
            return;
        }
        byte[] key = KeyCodec.decode(req.getRegionKey().toByteArray());
        answerRegion(regions().stream().filter(hb -> io.phybr.mock.model.Keys.contains(hb.startKey(), hb.endKey(), key))
                .findFirst().orElse(null), obs);
    }

    @Override
    public void getRegionByID(GetRegionByIDRequest req, StreamObserver<GetRegionResponse> obs) {
        if (refused("GetRegionByID", req.getHeader(), obs, true)) {
            return;
        }
        answerRegion(regions().stream().filter(hb -> hb.regionId() == req.getRegionId()).findFirst().orElse(null), obs);
    }

    private void answerRegion(RegionHeartbeat hb, StreamObserver<GetRegionResponse> obs) {
        GetRegionResponse.Builder b = GetRegionResponse.newBuilder().setHeader(header());
        if (hb != null) {
            b.setRegion(region(hb)).setLeader(Peer.newBuilder().setId(hb.leaderPeer()).setStoreId(hb.leaderStore()));
        }
        obs.onNext(b.build());
        obs.onCompleted();
    }

    @Override
    public void scanRegions(ScanRegionsRequest req, StreamObserver<ScanRegionsResponse> obs) {
        if (refused("ScanRegions", req.getHeader(), obs, true)) {
            return;
        }
        byte[] start = KeyCodec.decode(req.getStartKey().toByteArray());
        byte[] end = KeyCodec.decode(req.getEndKey().toByteArray());
        List<RegionHeartbeat> all = regions().stream()
                .filter(hb -> io.phybr.mock.model.Keys.overlaps(hb.startKey(), hb.endKey(), start, end))
                .sorted((a, c) -> io.phybr.mock.model.Keys.compare(a.startKey(), c.startKey())).toList();
        ScanRegionsResponse.Builder b = ScanRegionsResponse.newBuilder().setHeader(header());
        for (RegionHeartbeat hb : all) {
            if (req.getLimit() > 0 && b.getRegionsCount() >= req.getLimit()) {
                break;
            }
            Region r = region(hb);
            Peer leader = Peer.newBuilder().setId(hb.leaderPeer()).setStoreId(hb.leaderStore()).build();
            b.addRegionMetas(r).addLeaders(leader)
                    .addRegions(io.phybr.proto.kv.pd.Region.newBuilder().setRegion(r).setLeader(leader));
        }
        obs.onNext(b.build());
        obs.onCompleted();
    }

    private List<RegionHeartbeat> regions() {
        return model.readStores(StoreRegistry::regionList);
    }

    private static Region region(RegionHeartbeat hb) {
        Region.Builder r = Region.newBuilder().setId(hb.regionId())
                .setStartKey(ByteString.copyFrom(KeyCodec.encode(hb.startKey())))
                .setEndKey(ByteString.copyFrom(KeyCodec.encode(hb.endKey())))
                .setRegionEpoch(RegionEpoch.newBuilder().setConfVer(hb.confVer()).setVersion(hb.version()));
        hb.peers().forEach(p -> r.addPeers(Peer.newBuilder().setId(p.id()).setStoreId(p.storeId())));
        return r.setIsInFlashback(hb.flashbackStartTs() != 0).setFlashbackStartTs(hb.flashbackStartTs()).build();
    }
}
