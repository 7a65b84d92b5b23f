package io.phybr.bench;

import io.grpc.MethodDescriptor;
import io.phybr.bench.WireBytes.Slice;
import io.phybr.bench.WireBytes.SliceMarshaller;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionRecover;

/** An agent that streams pre-serialized metas. */
final class BytesAgent extends PumpingAgent<Slice> {
    static final MethodDescriptor<Slice, RegionRecover> METHOD = PhybrGrpc.getRecoverRegionsMethod()
            .toBuilder(new SliceMarshaller(), PhybrGrpc.getRecoverRegionsMethod().getResponseMarshaller()).build();
    private final WireBytes wire;
    private final Slice slice = new Slice();
    private int next;

    BytesAgent(WireBytes wire) {
        this.wire = wire;
    }

    @Override
    boolean hasNext() {
        return next < wire.count();
    }

    @Override
    Slice next() {
        return slice.at(wire, next++);
    }
}
