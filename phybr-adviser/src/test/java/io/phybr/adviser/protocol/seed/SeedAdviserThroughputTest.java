package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.contract.ExitCode;
import io.phybr.proto.seed.RegionMeta;
import io.phybr.mock.agent.StoreClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Collection throughput over loopback at scale: 3 stores x N regions (default 1M; -Dphybr.perf.regions).
 * Off by default (minutes of CPU on a CI box); run with
 * {@code mvn -pl phybr-adviser verify -Dtest=SeedAdviserThroughputTest -Dphybr.perf=true}.
 * The JMH benchmarks module measures this properly; this is the end-to-end smoke check.
 */
@EnabledIfSystemProperty(named = "phybr.perf", matches = "true")
class SeedAdviserThroughputTest {
    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    /** Region r (1-based) covers [key(r-1), key(r)); the first starts at "" and the last ends at "". */
    static Iterator<RegionMeta> metas(int store, int regions) {
        return new Iterator<>() {
            int r = 1;
            ByteString prev = ByteString.EMPTY;

            @Override
            public boolean hasNext() {
                return r <= regions;
            }

            @Override
            public RegionMeta next() {
                ByteString end = r == regions ? ByteString.EMPTY
                        : ByteString.copyFrom(ByteBuffer.allocate(13).put((byte) 't').putLong(r * 1000L).put((byte) '_')
                        .put((byte) 'r').put((byte) 0).put((byte) 0).array());
                RegionMeta m = RegionMeta.newBuilder().setRegionId(r).setAppliedIndex(1000 + (r + store) % 3)
                        .setTerm(6 + (r % 2)).setVersion(10).setStartKey(prev).setEndKey(end).build();
                prev = end;
                r++;
                return m;
            }
        };
    }

    @Test
    void threeStoresOfAMillionRegionsOverLoopback() throws Exception {
        int regions = Integer.getInteger("phybr.perf.regions", 1_000_000);
        int stores = 3;
        SeedAdviser adviser = cleanup.register(SeedAdviser.builder().listen("127.0.0.1:0").stores(stores)
                .collectTimeout(Duration.ofMinutes(5)).closeTimeout(Duration.ofMinutes(5)).build()).start();
        long t0 = System.nanoTime();
        List<StoreClient> clients = new ArrayList<>();
        for (int s = 1; s <= stores; s++) {
            ManagedChannel ch = cleanup.register(NettyChannelBuilder.forAddress("127.0.0.1", adviser.port())
                    .usePlaintext().build());
            StoreClient c = StoreClient.open(ch, (long) s);
            c.sendAll(metas(s, regions), true);
            clients.add(c);
        }
        long commands = 0;
        for (StoreClient c : clients) {
            commands += c.allCommands().get(5, TimeUnit.MINUTES).size();
        }
        long t1 = System.nanoTime();
        for (int s = 1; s <= stores; s++) {
            StoreClient.close(cleanup.register(NettyChannelBuilder.forAddress("127.0.0.1", adviser.port())
                    .usePlaintext().build()), (long) s, true);
        }
        assertThat(adviser.awaitOutcome(Duration.ofMinutes(1)).orElseThrow().exitCode()).isEqualTo(ExitCode.OK);
        double secs = (t1 - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%d stores x %d regions: %d metas in, %d commands out, %.2f s end to end,"
                + " %.0f metas/s%n", stores, regions, (long) stores * regions, commands, secs, stores * regions / secs);
        assertThat(commands).isEqualTo(2L * regions); // two followers per region get silence
    }
}
