package io.phybr.adviser.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.adviser.cli.CliRun;
import io.phybr.adviser.protocol.seed.GrpcCleanup;
import io.phybr.adviser.protocol.seed.Layout;
import io.phybr.mock.agent.StoreClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A real {@code serve --record DIR} run of a layout, for the report's tests: the recording an operator would have. */
final class RecordedServeRun {
    private RecordedServeRun() {
    }

    static Path record(Path dir, GrpcCleanup cleanup, Layout layout, int stores) throws Exception {
        Path run = dir.resolve("run");
        Path portFile = dir.resolve("port");
        CompletableFuture<CliRun> exit = CompletableFuture.supplyAsync(() -> CliRun.of("serve", "--listen", "127.0.0.1:0",
                "--stores", Integer.toString(stores), "--port-file", portFile.toString(), "--record", run.toString(),
                "--collect-timeout", "1m", "--close-timeout", "1m", "--progress-bar", "never"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile));
        int port = Integer.parseInt(Files.readString(portFile).trim());
        ManagedChannel ch = cleanup.register(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
        List<StoreClient> clients = new ArrayList<>();
        for (long s = 1; s <= stores; s++) {
            clients.add(StoreClient.report(ch, s, layout.of(s)));
        }
        for (StoreClient c : clients) {
            c.allCommands().get(30, TimeUnit.SECONDS);
        }
        List<CompletableFuture<?>> closes = new ArrayList<>();
        for (long s = 1; s <= stores; s++) {
            closes.add(StoreClient.close(ch, s, true));
        }
        for (var c : closes) {
            c.get(30, TimeUnit.SECONDS);
        }
        CliRun r = exit.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
        return run;
    }
}
