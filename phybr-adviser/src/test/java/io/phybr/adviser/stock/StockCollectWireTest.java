package io.phybr.adviser.stock;

import io.phybr.contract.dump.StockReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.phybr.adviser.collect.MetaFrame;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.protocol.seed.GrpcCleanup;
import io.phybr.adviser.record.StoreRecording;
import io.phybr.proto.recoverdata.ReadRegionMetaRequest;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import io.phybr.proto.recoverdata.RegionMeta;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ReadRegionMeta over loopback TCP through the fast path ({@link StoreRpc#collect}): a store that sends
 * exact bytes (seeded random metas, some with unknown fields, non-canonical varints or repeated fields,
 * which the fast decoder leaves to protobuf) must give the table protobuf's decoding gives, row for row;
 * a message that is not a RegionMeta must fail the call exactly as gRPC's own marshaller fails it.
 */
class StockCollectWireTest {
    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @Test
    void fastCollectEqualsProtobufDecodingRowForRow() throws Exception {
        long seed = Long.getLong("phybr.collectWire.seed", 16_4101);
        Random rnd = new Random(seed);
        List<byte[]> messages = new ArrayList<>();
        ReplicaTable expected = new ReplicaTable();
        expected.declareStore(7);
        for (int i = 0; i < 1500; i++) {
            byte[] bytes = message(rnd);
            messages.add(bytes);
            RegionMeta m = RegionMeta.parseFrom(bytes);
            expected.addStock(new StockReport().store(7).region(m.getRegionId()).peerId(m.getPeerId())
                    .lastLogTerm(m.getLastLogTerm()).lastIndex(m.getLastIndex()).commitIndex(m.getCommitIndex())
                    .version(m.getVersion()).tombstone(m.getTombstone())
                    .keys(m.getStartKey().toByteArray(), m.getEndKey().toByteArray()));
        }
        ManagedChannel ch = channelTo(store(messages));
        PhaseRunner.Progress progress = new PhaseRunner.Progress();

        ReplicaTable got = StoreRpc.collect(new PdStore(7, "unused", false, "Up"), ch,
                Deadline.after(30, TimeUnit.SECONDS), progress, StoreRecording.none());

        assertThat(got.size()).as("seed %d", seed).isEqualTo(expected.size());
        for (int i = 0; i < got.size(); i++) {
            String where = "seed " + seed + " row " + i;
            assertThat(new long[] {got.store(i), got.regionId(i), got.peerId(i), got.term(i), got.index(i),
                    got.commitIndex(i), got.version(i)}).as(where).containsExactly(expected.store(i),
                    expected.regionId(i), expected.peerId(i), expected.term(i), expected.index(i),
                    expected.commitIndex(i), expected.version(i));
            assertThat(got.tombstone(i)).as(where).isEqualTo(expected.tombstone(i));
            assertThat(got.stockFields(i)).as(where).isTrue();
            assertThat(got.startKey(i)).as(where).isEqualTo(expected.startKey(i));
            assertThat(got.endKey(i)).as(where).isEqualTo(expected.endKey(i));
        }
        assertThat(got.stores()).containsExactly(7L);
        assertThat(progress.count.get()).as("progress counts every meta").isEqualTo(messages.size());
    }

    @Test
    void aMessageThatIsNotARegionMetaFailsTheCallAsGrpcsOwnMarshallerDoes() throws Exception {
        byte[] good = RegionMeta.newBuilder().setRegionId(1).setStartKey(ByteString.copyFromUtf8("a")).build()
                .toByteArray();
        byte[] garbage = {(byte) 0x42, (byte) 0x7f, 1, 2}; // start_key of 127 bytes, cut after 2
        ManagedChannel ch = channelTo(store(List.of(good, garbage, good)));

        Throwable fast = catchThrowable(() -> StoreRpc.collect(new PdStore(7, "unused", false, "Up"), ch,
                Deadline.after(30, TimeUnit.SECONDS), new PhaseRunner.Progress(), StoreRecording.none()));
        Throwable general = catchThrowable(() -> {
            Iterator<RegionMeta> it = RecoverDataGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .readRegionMeta(ReadRegionMetaRequest.newBuilder().setStoreId(7).build());
            while (it.hasNext()) {
                it.next();
            }
        });

        assertThat(fast).isInstanceOf(StatusRuntimeException.class);
        assertThat(general).isInstanceOf(StatusRuntimeException.class);
        Status f = ((StatusRuntimeException) fast).getStatus();
        Status g = ((StatusRuntimeException) general).getStatus();
        assertThat(f.getCode()).isEqualTo(g.getCode());
        assertThat(f.getDescription()).isEqualTo(g.getDescription());
        assertThat(rootMessage(f.getCause())).isEqualTo(rootMessage(g.getCause())).contains("truncated");
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c != null && c.getCause() != null) {
            c = c.getCause();
        }
        return c == null ? null : c.getMessage();
    }

    /** A store that answers ReadRegionMeta with exactly these message bytes. */
    private Server store(List<byte[]> messages) throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder(RecoverDataGrpc.SERVICE_NAME)
                .addMethod(StoreRpc.READ_REGION_META_RAW, ServerCalls.asyncServerStreamingCall((req, obs) -> {
                    for (byte[] m : messages) {
                        obs.onNext(MetaFrame.of(m));
                    }
                    obs.onCompleted();
                })).build();
        return grpc.register(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service).build().start());
    }

    private ManagedChannel channelTo(Server server) {
        return grpc.register(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build());
    }

    /** A random meta's bytes: mostly plain; some with unknown fields, repeated or non-canonical fields. */
    private static byte[] message(Random rnd) {
        RegionMeta.Builder b = RegionMeta.newBuilder().setRegionId(rnd.nextLong() >>> rnd.nextInt(64))
                .setPeerId(rnd.nextInt(1 << 20)).setLastLogTerm(rnd.nextInt(100)).setLastIndex(rnd.nextLong())
                .setCommitIndex(rnd.nextInt(1000)).setVersion(rnd.nextInt(50)).setTombstone(rnd.nextInt(5) == 0)
                .setStartKey(key(rnd)).setEndKey(key(rnd));
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            b.setUnknownFields(UnknownFieldSet.newBuilder().addField(10 + rnd.nextInt(100),
                    UnknownFieldSet.Field.newBuilder().addVarint(rnd.nextLong()).build()).build());
        }
        byte[] bytes = b.build().toByteArray();
        if (kind == 1) { // region_id again at the end, padded non-canonically: protobuf takes the last value
            byte[] tail = {8, (byte) 0x85, (byte) 0x80, 0};
            bytes = Arrays.copyOf(bytes, bytes.length + tail.length);
            System.arraycopy(tail, 0, bytes, bytes.length - tail.length, tail.length);
        }
        return bytes;
    }

    private static ByteString key(Random rnd) {
        byte[] k = new byte[rnd.nextInt(8) == 0 ? 0 : 1 + rnd.nextInt(rnd.nextInt(20) == 0 ? 3000 : 40)];
        rnd.nextBytes(k);
        return ByteString.copyFrom(k);
    }
}
