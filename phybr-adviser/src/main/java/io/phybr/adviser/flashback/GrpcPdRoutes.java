package io.phybr.adviser.flashback;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.phybr.adviser.grpc.Channels;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.phybr.proto.kv.pd.ErrorType;
import io.phybr.proto.kv.pd.GetMembersRequest;
import io.phybr.proto.kv.pd.GetMembersResponse;
import io.phybr.proto.kv.pd.GetRegionRequest;
import io.phybr.proto.kv.pd.GetRegionResponse;
import io.phybr.proto.kv.pd.PDGrpc;
import io.phybr.proto.kv.pd.RequestHeader;
import io.phybr.proto.kv.pd.ResponseHeader;
import io.phybr.proto.kv.pd.TsoRequest;
import io.phybr.proto.kv.pd.TsoResponse;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The pdpb calls the flashback needs, over PD's gRPC API (served on the same client URL as its HTTP API):
 * {@code GetMembers} for the cluster id every other request must carry and the leader to send them to,
 * {@code Tso} for a timestamp, {@code ScanRegions} and {@code GetRegion} for regions (epoch, leader peer) by key. Written against the
 * generated stubs rather than a Java PD/TiKV client: none is among the packages this build can fetch, and these are
 * four small calls. Each call is bounded by {@code callTimeout}; a transport failure forgets the leader, so the next call
 * asks the members again (PD's leader may have moved).
 */
public final class GrpcPdRoutes implements PdRoutes {
    /** PD's TSO: physical milliseconds shifted above 18 logical bits (client-go oracle.ComposeTS). */
    static final int LOGICAL_BITS = 18;

    private final List<String> endpoints;
    private final Function<String, ManagedChannel> open;
    private final Duration callTimeout;
    private final java.util.Map<String, ManagedChannel> opened = new java.util.LinkedHashMap<>();
    private ManagedChannel leader;
    private long clusterId;

    /** {@code endpoints}: PD client addresses {@code host:port}; {@code open} makes a channel to one (TLS as the stores'). */
    public GrpcPdRoutes(List<String> endpoints, Function<String, ManagedChannel> open, Duration callTimeout) {
        this.endpoints = List.copyOf(endpoints);
        this.open = open;
        this.callTimeout = callTimeout;
    }

    @Override
    public long tso() throws PdUnavailable {
        ManagedChannel ch = leader();
        CompletableFuture<TsoResponse> answer = new CompletableFuture<>();
        StreamObserver<TsoRequest> requests = PDGrpc.newStub(ch).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .tso(new StreamObserver<>() {
                    @Override
                    public void onNext(TsoResponse r) {
                        answer.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(Status.UNAVAILABLE.withDescription("PD closed the Tso stream without a timestamp")
                                .asRuntimeException());
                    }
                });
        requests.onNext(TsoRequest.newBuilder().setHeader(header()).setCount(1).build());
        TsoResponse r;
        try {
            r = answer.get(callTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable("Tso", e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("Tso", Status.DEADLINE_EXCEEDED.withDescription("no answer").asRuntimeException());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PdUnavailable("interrupted while asking PD for a timestamp", false);
        } finally {
            requests.onCompleted();
        }
        checkHeader("Tso", r.getHeader());
        if (!r.hasTimestamp() || r.getCount() < 1) {
            throw new PdUnavailable("PD answered Tso without a timestamp", false);
        }
        return (r.getTimestamp().getPhysical() << LOGICAL_BITS) + r.getTimestamp().getLogical();
    }

    @Override
    public Optional<RegionRoute> region(byte[] key) throws PdUnavailable {
        ManagedChannel ch = leader();
        GetRegionResponse r;
        try {
            r = PDGrpc.newBlockingStub(ch).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .getRegion(GetRegionRequest.newBuilder().setHeader(header()).setRegionKey(ByteString.copyFrom(key)).build());
        } catch (StatusRuntimeException e) {
            throw unavailable("GetRegion", e);
        }
        if (r.getHeader().hasError() && r.getHeader().getError().getType() == ErrorType.REGION_NOT_FOUND) {
            return Optional.empty();
        }
        checkHeader("GetRegion", r.getHeader());
        if (!r.hasRegion() || r.getRegion().getId() == 0) {
            return Optional.empty();
        }
        return Optional.of(route(r.getRegion(), r.getLeader()));
    }

    @Override
    public java.util.List<RegionRoute> scan(byte[] start, int limit) throws PdUnavailable {
        ManagedChannel ch = leader();
        io.phybr.proto.kv.pd.ScanRegionsResponse r;
        try {
            r = PDGrpc.newBlockingStub(ch).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .scanRegions(io.phybr.proto.kv.pd.ScanRegionsRequest.newBuilder().setHeader(header())
                            .setStartKey(ByteString.copyFrom(start)).setLimit(limit).build());
        } catch (StatusRuntimeException e) {
            throw unavailable("ScanRegions", e);
        }
        checkHeader("ScanRegions", r.getHeader());
        java.util.List<RegionRoute> out = new java.util.ArrayList<>();
        if (r.getRegionsCount() > 0) {
            for (io.phybr.proto.kv.pd.Region x : r.getRegionsList()) {
                out.add(route(x.getRegion(), x.getLeader()));
            }
        } else { // older PDs fill only the parallel lists
            for (int i = 0; i < r.getRegionMetasCount(); i++) {
                out.add(route(r.getRegionMetas(i), i < r.getLeadersCount() ? r.getLeaders(i)
                        : io.phybr.proto.kv.meta.Peer.getDefaultInstance()));
            }
        }
        return out;
    }

    private static RegionRoute route(io.phybr.proto.kv.meta.Region reg, io.phybr.proto.kv.meta.Peer leader) {
        return new RegionRoute(reg.getId(), reg.getStartKey().toByteArray(), reg.getEndKey().toByteArray(),
                reg.getRegionEpoch().getConfVer(), reg.getRegionEpoch().getVersion(), leader.getId(), leader.getStoreId());
    }

    private RequestHeader header() {
        return RequestHeader.newBuilder().setClusterId(clusterId).setCallerId("phybr-recover").build();
    }

    /** The leader's channel, asking the members (which needs no cluster id) when none is known. */
    private synchronized ManagedChannel leader() throws PdUnavailable {
        if (leader != null) {
            return leader;
        }
        String last = "no PD endpoint given";
        boolean unimplemented = true;
        for (String ep : endpoints) {
            ManagedChannel ch = channel(ep);
            GetMembersResponse m;
            try {
                m = PDGrpc.newBlockingStub(ch).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .getMembers(GetMembersRequest.newBuilder().setHeader(RequestHeader.getDefaultInstance()).build());
            } catch (StatusRuntimeException e) {
                unimplemented &= e.getStatus().getCode() == Status.Code.UNIMPLEMENTED;
                last = ep + ": GetMembers " + describe(e);
                continue;
            }
            unimplemented = false;
            if (m.getHeader().hasError() && m.getHeader().getError().getType() != ErrorType.OK) {
                last = ep + ": GetMembers answered " + m.getHeader().getError().getType() + " " + m.getHeader().getError().getMessage();
                continue;
            }
            String url = m.hasLeader() && m.getLeader().getClientUrlsCount() > 0 ? m.getLeader().getClientUrls(0) : null;
            String at = url == null ? ep : authority(url);
            ManagedChannel lc;
            try {
                lc = at.equals(ep) ? ch : channel(at);
            } catch (IllegalArgumentException e) { // gRPC refuses the target when the channel is built (issue 14)
                last = ep + ": GetMembers named the leader at \"" + io.phybr.contract.text.Printable.escape(url, 80)
                        + "\", which is not host:port";
                continue;
            }
            clusterId = m.getHeader().getClusterId();
            leader = lc;
            return leader;
        }
        throw new PdUnavailable(last, unimplemented);
    }

    /** One channel per PD address for the whole run, closed by {@link #close()}. */
    private ManagedChannel channel(String authority) {
        return opened.computeIfAbsent(authority, open);
    }

    /** {@code http://10.0.0.1:2379} → {@code 10.0.0.1:2379}; a bare authority stays. */
    static String authority(String url) {
        try {
            URI u = URI.create(url.trim());
            if (u.getHost() != null && u.getPort() > 0) {
                return u.getHost() + ":" + u.getPort();
            }
        } catch (IllegalArgumentException e) {
            // not a URL: taken as host:port
        }
        return url.trim();
    }

    private void checkHeader(String call, ResponseHeader h) throws PdUnavailable {
        if (h.hasError() && h.getError().getType() != ErrorType.OK) {
            throw new PdUnavailable("PD answered " + call + " with " + h.getError().getType()
                    + (h.getError().getMessage().isEmpty() ? "" : ": " + h.getError().getMessage()), false);
        }
    }

    private PdUnavailable unavailable(String call, Throwable t) {
        synchronized (this) {
            leader = null; // ask the members again next time: PD's leader may have moved
        }
        Status s = Status.fromThrowable(t);
        return new PdUnavailable(call + " " + describe(s), s.getCode() == Status.Code.UNIMPLEMENTED);
    }

    private static String describe(StatusRuntimeException e) {
        return describe(e.getStatus());
    }

    private static String describe(Status s) {
        return "failed: " + s.getCode() + (s.getDescription() == null ? "" : " (" + s.getDescription() + ")");
    }

    @Override
    public synchronized void close() {
        Channels.closeAll(opened.values());
        opened.clear();
        leader = null;
    }
}
