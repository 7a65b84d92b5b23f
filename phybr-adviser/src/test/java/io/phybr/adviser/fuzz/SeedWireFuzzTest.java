package io.phybr.adviser.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.contract.SeedHeaders;
import io.phybr.proto.seed.CloseRequest;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Mutated RegionMeta bytes over a real loopback connection to {@code serve}'s adviser (issue 14): a one-store
 * session gets the fuzzer's mutant as a raw gRPC message, bypassing any client-side encoder. Whatever the bytes,
 * the stream either takes them or ends at once with INVALID_ARGUMENT naming the cause — then the store reconnects
 * and reports cleanly, which the session must accept — and the session ends in a plan or a refusal, never an
 * internal error, never waiting for its timeout.
 */
class SeedWireFuzzTest {
    static final int INPUTS = 150;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static final MethodDescriptor<byte[], byte[]> REPORT = PhybrGrpc.getRecoverRegionsMethod().toBuilder(RewritingGrpcProxy.RAW,
            RewritingGrpcProxy.RAW)
            .build();

    @Test
    void mutatedMetasOverLoopbackEndInAPlanOrARefusalWithoutWaitingForTheTimeout() throws Exception {
        FuzzTarget target = Targets.seedMeta();
        FuzzRun run = new FuzzRun(FuzzTest.SEED, java.nio.file.Path.of("target"), java.nio.file.Path.of("target",
                "fuzz-findings").toAbsolutePath(), Duration.ofSeconds(10));
        int[] codes = new int[8];
        int died = 0;
        List<String> bad = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < INPUTS; i++) {
            byte[] mutant = run.input(target, i * 7);
            try (SeedAdviser adviser = SeedAdviser.builder().storeIds(1).listen("127.0.0.1:0").collectTimeout(WAIT)
                    .closeTimeout(WAIT).build().start()) {
                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", adviser.port()).usePlaintext().build();
                try {
                    Status first = report(ch, mutant);
                    if (!first.isOk()) {
                        died++;
                        if (first.getCode() != Status.Code.INVALID_ARGUMENT && first.getCode() != Status.Code.FAILED_PRECONDITION) {
                            bad.add("input " + i + ": the stream ended " + first);
                        }
                        if (first.getCode() == Status.Code.INVALID_ARGUMENT) {
                            Status again = report(ch, RegionMeta.newBuilder().setRegionId(1).setAppliedIndex(5)
                                    .setTerm(2).setVersion(1).build().toByteArray()); // reconnects, reports cleanly
                            if (!again.isOk()) {
                                bad.add("input " + i + ": the clean report after the broken stream ended " + again);
                            } else {
                                close(ch);
                            }
                        }
                    }
                    if (first.isOk()) {
                        close(ch);
                    }
                    Outcome o = adviser.awaitOutcome(WAIT).orElse(null);
                    if (o == null) {
                        bad.add("input " + i + ": no outcome within " + WAIT);
                        continue;
                    }
                    codes[o.exitCode().code()]++;
                    String d = o.diagnosis().orElse("");
                    if (o.exitCode().code() == 1 || o.exitCode().code() == 4 || d.contains("Exception") || d.contains("\tat ")) {
                        bad.add("input " + i + ": exit " + o.exitCode().code() + " " + d);
                    }
                } finally {
                    ch.shutdownNow();
                    ch.awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
        System.out.printf(Locale.ROOT, "fuzz: %d mutated RegionMetas over loopback in %.1f s: %d streams ended by the"
                + " adviser, exit 0: %d, exit 3: %d%n", INPUTS, (System.nanoTime() - t0) / 1e9, died, codes[0], codes[3]);
        assertThat(bad).isEmpty();
        assertThat(died).as("some mutants are not RegionMetas at all").isPositive();
    }

    /** One recover_regions call from store 1 carrying {@code message}, half-closed; how it ended. */
    private static Status report(ManagedChannel ch, byte[] message) throws Exception {
        Metadata h = new Metadata();
        h.put(SeedHeaders.STORE_ID, "1");
        ClientCall<byte[], byte[]> call = ch.newCall(REPORT, CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(),
                TimeUnit.MILLISECONDS));
        CompletableFuture<Status> done = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                call.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                done.complete(status);
            }
        }, h);
        call.request(1);
        call.sendMessage(message);
        call.halfClose();
        return done.get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
    }

    private static void close(ManagedChannel ch) {
        Metadata h = new Metadata();
        h.put(SeedHeaders.STORE_ID, "1");
        try {
            PhybrGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                    .withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .close(CloseRequest.newBuilder().setWorkdone(true).build());
        } catch (io.grpc.StatusRuntimeException e) {
            // a refused session answers close with its diagnosis; the outcome says which
        }
    }
}
