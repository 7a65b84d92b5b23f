package io.phybr.adviser.protocol.seed;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.phybr.adviser.collect.MetaFrame;
import io.phybr.adviser.collect.RawMetas;
import io.phybr.contract.text.Printable;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionMeta;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Decodes {@code recover_regions} messages without ever throwing. gRPC's own marshaller throws on
 * bytes that are not a RegionMeta; the framework then logs a long stack trace and closes the call
 * behind the service's back, so the session kept the dead stream "still reporting" until the collect
 * timeout and refused the store's reconnect (issue 14 item 6). Here an undecodable or oversized
 * message becomes a marker meta carrying the reason, and {@link ReportStream} ends the stream itself,
 * naming the cause, at once.
 *
 * <p>On the wire, recover_regions takes raw {@link MetaFrame}s ({@link RawMetas}): {@link ReportStream}
 * decodes plain metas itself straight into its table and brings only the messages its fast path does
 * not take here ({@link #general}), so every diagnosis stays the one protobuf's parser gives.
 */
final class LenientMetas implements MethodDescriptor.Marshaller<RegionMeta> {
    /** The largest RegionMeta taken (gRPC's default message limit); the transport admits a little more so we can say why. */
    static final int MAX_META_BYTES = 4 << 20;
    /** What the server's transport admits at all; above it gRPC itself cancels the call. */
    static final int MAX_INBOUND_BYTES = 16 << 20;
    /** The highest field number protobuf allows: the marker of a message that failed to decode. */
    private static final int MARKER_FIELD = (1 << 29) - 1;
    private static final LenientMetas GENERAL = new LenientMetas();

    private final MethodDescriptor.Marshaller<RegionMeta> proto = ProtoUtils.marshaller(RegionMeta.getDefaultInstance());

    /** The service definition with recover_regions taking raw frames into {@link SeedService#recoverRegionsRaw}. */
    static ServerServiceDefinition bind(SeedService service) {
        ServerServiceDefinition generated = service.bindService();
        String recoverRegions = PhybrGrpc.getRecoverRegionsMethod().getFullMethodName();
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(generated.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> m : generated.getMethods()) {
            if (m.getMethodDescriptor().getFullMethodName().equals(recoverRegions)) {
                MethodDescriptor<MetaFrame, byte[]> raw = PhybrGrpc.getRecoverRegionsMethod()
                        .toBuilder(new RawMetas(MAX_META_BYTES), RawCommands.MARSHALLER)
                        .build();
                b.addMethod(ServerMethodDefinition.create(raw,
                        ServerCalls.asyncBidiStreamingCall(service::recoverRegionsRaw)));
            } else {
                b.addMethod(m);
            }
        }
        return b.build();
    }

    /** What protobuf's general parser makes of a frame the fast path did not take: a meta, or a marker saying why not. */
    static RegionMeta general(MetaFrame frame) {
        if (frame.oversize() >= 0) {
            return tooLarge(frame.oversize());
        }
        if (frame.unreadable() != null) {
            return marker(Status.Code.INVALID_ARGUMENT, "could not be read (" + frame.unreadable() + ")");
        }
        return GENERAL.parse(frame.stream());
    }

    private static RegionMeta tooLarge(long size) {
        return marker(Status.Code.RESOURCE_EXHAUSTED, "of " + size + " bytes exceeds maximum size "
                + MAX_META_BYTES + " of a RegionMeta");
    }

    @Override
    public InputStream stream(RegionMeta value) {
        return proto.stream(value);
    }

    @Override
    public RegionMeta parse(InputStream in) {
        try {
            int size = in.available(); // gRPC's message streams know their whole length
            if (size > MAX_META_BYTES) {
                return tooLarge(size);
            }
            return proto.parse(in);
        } catch (StatusRuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return marker(Status.Code.INVALID_ARGUMENT, "is not a RegionMeta (" + cause.getMessage() + ")");
        } catch (IOException e) {
            return marker(Status.Code.INVALID_ARGUMENT, "could not be read (" + e.getMessage() + ")");
        }
    }

    private static RegionMeta marker(Status.Code code, String why) {
        return RegionMeta.newBuilder().setUnknownFields(UnknownFieldSet.newBuilder().addField(MARKER_FIELD,
                UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(code.name() + ":" + why))
                        .build()).build()).build();
    }

    /** Why {@code meta} could not be decoded (status code and reason), or null for a decoded meta. */
    static Status failure(RegionMeta meta) {
        if (!meta.getUnknownFields().hasField(MARKER_FIELD)) {
            return null;
        }
        List<ByteString> values = meta.getUnknownFields().getField(MARKER_FIELD).getLengthDelimitedList();
        String text = values.isEmpty() ? "" : values.get(0).toStringUtf8();
        int colon = text.indexOf(':');
        Status.Code code = Status.Code.INVALID_ARGUMENT;
        try {
            code = Status.Code.valueOf(text.substring(0, Math.max(0, colon)));
        } catch (IllegalArgumentException e) {
            // an agent sent the marker field itself: still not a RegionMeta of ours
        }
        return code.toStatus().withDescription(Printable.escape(text.substring(colon + 1), 300));
    }
}
