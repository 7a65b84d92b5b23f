package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.phybr.contract.wire.RawBytesMarshaller;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.mock.agent.StoreClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A report stream that dies of what the agent sent — an undecodable RegionMeta, an oversized
 * message — reaches the session at once with its cause (issue 14 item 6): the store may reconnect,
 * and the diagnosis names the cause instead of saying the store "is still reporting".
 */
class SeedAdviserStreamDeathTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    private SeedAdviser adviser;

    private ManagedChannel channel() {
        return cleanup.register(NettyChannelBuilder.forAddress("127.0.0.1", adviser.port()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build());
    }

    /** A raw recover_regions call that sends {@code bytes} as one message, as store {@code store}. */
    private static CompletableFuture<Status> sendRaw(Channel ch, long store, byte[] bytes) {
        MethodDescriptor<byte[], byte[]> raw = PhybrGrpc.getRecoverRegionsMethod().toBuilder(BYTES, BYTES).build();
        ClientCall<byte[], byte[]> call = StoreClient.as(ch, store).newCall(raw,
                CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(bytes);
        return closed;
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = RawBytesMarshaller.INSTANCE;

    private void start(Duration collectTimeout) throws IOException {
        adviser = cleanup.register(SeedAdviser.builder().listen("127.0.0.1:0").stores(2)
                .collectTimeout(collectTimeout).closeTimeout(WAIT).build());
        adviser.start();
    }

    @Test
    void anUndecodableMetaEndsItsStreamAtOnceAndTheStoreMayReconnect() throws Exception {
        start(WAIT);
        // Field 1 (region_id) as a length-delimited field with a length past the end: not a RegionMeta.
        Status agentSaw = sendRaw(channel(), 1, new byte[] {0x0a, 0x7f, 0x01}).get(30, TimeUnit.SECONDS);
        assertThat(agentSaw.getCode()).isNotEqualTo(Status.Code.OK);
        // The session knows at once: no open stream for store 1, long before the collect timeout.
        await().atMost(Duration.ofSeconds(10)).until(() -> adviser.metasSoFar(1) == -1
                && adviser.knownStores().length == 1);
        // The reconnect is admitted (not ALREADY_EXISTS) and the session completes.
        Layout layout = Layout.simple(2, 20);
        StoreClient one = StoreClient.report(channel(), 1L, layout.of(1));
        StoreClient two = StoreClient.report(channel(), 2L, layout.of(2));
        assertThat(one.allCommands().get()).containsExactlyElementsOf(Layout.commandsOf(layout.plan(), 1));
        assertThat(two.allCommands().get()).isNotNull();
    }

    @Test
    void theCollectTimeoutNamesTheCauseOfADeadStream() throws Exception {
        start(Duration.ofMillis(2000));
        sendRaw(channel(), 1, new byte[] {0x0a, 0x7f, 0x01}).get(30, TimeUnit.SECONDS);
        Outcome o = adviser.awaitOutcome(WAIT).orElseThrow();
        assertThat(o.exitCode()).isEqualTo(ExitCode.TIMEOUT);
        String d = o.diagnosis().orElseThrow();
        assertThat(d).doesNotContain("still reporting")
                .contains("store 1 disconnected after 0 metas and did not reconnect (")
                .containsIgnoringCase("RegionMeta");
        assertThat(d.lines()).hasSize(1);
    }

    @Test
    void aMessageAboveWhatTheTransportAdmitsIsNamedWithItsReason() throws Exception {
        start(Duration.ofMillis(3000));
        byte[] huge = new byte[LenientMetas.MAX_INBOUND_BYTES + 1024];
        Status agentSaw = sendRaw(channel(), 1, huge).get(30, TimeUnit.SECONDS);
        assertThat(agentSaw.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> adviser.metasSoFar(1) == -1);
        String d = adviser.awaitOutcome(WAIT).orElseThrow().diagnosis().orElseThrow();
        assertThat(d).contains("store 1 disconnected after 0 metas").containsIgnoringCase("exceeds maximum size");
    }

    @Test
    void anOversizedMessageIsNamedWithItsReason() throws Exception {
        start(Duration.ofMillis(3000));
        byte[] big = new byte[8 << 20];
        big[0] = 0x22; // field 4 (start_key), length-delimited, then a varint length of the rest
        int len = big.length - 5;
        big[1] = (byte) (0x80 | (len & 0x7f));
        big[2] = (byte) (0x80 | ((len >>> 7) & 0x7f));
        big[3] = (byte) (0x80 | ((len >>> 14) & 0x7f));
        big[4] = (byte) ((len >>> 21) & 0x7f);
        Status agentSaw = sendRaw(channel(), 1, big).get(30, TimeUnit.SECONDS);
        assertThat(agentSaw.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> adviser.metasSoFar(1) == -1);
        Outcome o = adviser.awaitOutcome(WAIT).orElseThrow();
        String d = o.diagnosis().orElseThrow();
        assertThat(d).doesNotContain("still reporting").contains("store 1 disconnected after 0 metas")
                .containsIgnoringCase("exceeds maximum size");
        assertThat(d.lines()).hasSize(1);
    }
}
