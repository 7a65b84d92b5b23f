package io.phybr.bench;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.phybr.bench.WireBytes.Slice;
import io.phybr.bench.WireBytes.SliceMarshaller;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionRecover;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/** A recover_regions server that counts messages (skipping their bytes) with the adviser's flow control. */
final class CountingSink {
    final AtomicLong metas = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    final Server server;

    CountingSink() throws IOException {
        MethodDescriptor<Slice, RegionRecover> method = PhybrGrpc.getRecoverRegionsMethod()
                .toBuilder(new SliceMarshaller(), PhybrGrpc.getRecoverRegionsMethod().getResponseMarshaller())
                .build();
        ServerServiceDefinition service = ServerServiceDefinition.builder(PhybrGrpc.SERVICE_NAME)
                .addMethod(method, ServerCalls.asyncBidiStreamingCall(out -> counter(
                        (ServerCallStreamObserver<RegionRecover>) out)))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                .addService(service).build().start();
    }

    long completed() {
        return completed.get();
    }

    private StreamObserver<Slice> counter(ServerCallStreamObserver<RegionRecover> out) {
        out.disableAutoRequest();
        out.request(16384);
        return new StreamObserver<>() {
            private long n;
            private int unrequested;

            @Override
            public void onNext(Slice value) {
                n++;
                if (++unrequested >= 8192) {
                    out.request(unrequested);
                    unrequested = 0;
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                metas.addAndGet(n);
                completed.incrementAndGet();
                out.onCompleted();
            }
        };
    }
}
