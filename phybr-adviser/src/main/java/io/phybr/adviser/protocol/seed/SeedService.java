package io.phybr.adviser.protocol.seed;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.CloseRequest;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.adviser.collect.MetaFrame;
import io.phybr.proto.seed.ResolvedReply;
import io.phybr.proto.seed.ResolvedRequest;
import java.net.SocketAddress;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC binding of {@code phybr.Phybr}: reads who is calling ({@link StoreIdentity}), refuses a
 * malformed {@code phybr-store-id} at once, and hands every call to the {@link Session}.
 */
final class SeedService extends PhybrGrpc.PhybrImplBase {
    private static final Logger log = LoggerFactory.getLogger(SeedAdviser.class);

    private static final StreamObserver<MetaFrame> IGNORE = new StreamObserver<>() {
        @Override
        public void onNext(MetaFrame value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    };

    private final Session session;
    private final OptionalLong resolvedTs;

    SeedService(Session session, OptionalLong resolvedTs) {
        this.session = session;
        this.resolvedTs = resolvedTs;
    }

    /** recover_regions as bound by {@link LenientMetas#bind}: the agent's messages arrive as raw frames. */
    StreamObserver<MetaFrame> recoverRegionsRaw(StreamObserver<byte[]> responseObserver) {
        var out = (ServerCallStreamObserver<byte[]>) responseObserver;
        String header = StoreIdentity.STORE_ID.get();
        SocketAddress remote = StoreIdentity.REMOTE.get();
        long explicit = header == null ? -1 : StoreIdentity.parse(header);
        Session.Opened opened = header != null && explicit < 0
                ? new Session.Opened(null, Status.INVALID_ARGUMENT.withDescription(
                        Diagnoses.badStoreIdHeader(header, remote)))
                : session.open(explicit, out, remote);
        if (opened.refusal() != null) {
            log.warn("recover_regions refused: {}", opened.refusal().getDescription());
            out.onError(opened.refusal().asRuntimeException());
            return IGNORE;
        }
        opened.stream().start();
        return opened.stream();
    }

    @Override
    public void close(CloseRequest request, StreamObserver<CloseReply> responseObserver) {
        String header = StoreIdentity.STORE_ID.get();
        SocketAddress remote = StoreIdentity.REMOTE.get();
        long id = -1;
        if (header != null) {
            id = StoreIdentity.parse(header);
            if (id < 0) {
                responseObserver.onError(Status.INVALID_ARGUMENT
                        .withDescription(Diagnoses.badStoreIdHeader(header, remote)).asRuntimeException());
                return;
            }
        }
        if (responseObserver instanceof ServerCallStreamObserver<CloseReply> call) {
            call.setOnCancelHandler(() -> log.debug("a held close call was cancelled by its agent"));
        }
        session.close(request.getWorkdone(), id, remote, responseObserver);
    }

    @Override
    public void resolve(ResolvedRequest request, StreamObserver<ResolvedReply> responseObserver) {
        if (resolvedTs.isEmpty()) {
            responseObserver.onError(Status.FAILED_PRECONDITION.withDescription(Diagnoses.noResolvedTs())
                    .asRuntimeException());
            return;
        }
        log.info("resolve: answered resolved ts {}", Long.toUnsignedString(resolvedTs.getAsLong()));
        responseObserver.onNext(ResolvedReply.newBuilder().setResolvedTs(resolvedTs.getAsLong()).build());
        responseObserver.onCompleted();
    }
}
