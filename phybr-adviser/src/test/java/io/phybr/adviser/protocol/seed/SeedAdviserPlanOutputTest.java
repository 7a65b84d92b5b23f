package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.contract.ExitCode;
import io.phybr.mock.agent.StoreClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** serve --plan-output on a failing disk: nothing is sent, the diagnosis names the file and the reason. */
class SeedAdviserPlanOutputTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    @TempDir
    Path dir;

    @Test
    void aPlanThatCannotBeWrittenSendsNothingAndSaysWhy() throws Exception {
        Path out = dir.resolve("plan.jsonl");
        SeedAdviser adviser = cleanup.register(SeedAdviser.builder().listen("127.0.0.1:0").stores(2)
                .collectTimeout(WAIT).closeTimeout(WAIT).planOutput(out)
                // Half the plan reaches the disk, then it is full: the real writer's temporary file.
                .planWriter((plan, file) -> io.phybr.adviser.files.AtomicFiles.write(file, plan::writeJsonLines,
                        o -> new java.io.FilterOutputStream(o) {
                            @Override
                            public void write(byte[] b, int off, int len) throws IOException {
                                throw new IOException("No space left on device");
                            }
                        }))
                .build());
        adviser.start();
        Layout layout = Layout.simple(2, 20);
        List<StoreClient> clients = new ArrayList<>();
        for (long s : new long[] {1, 2}) {
            clients.add(StoreClient.report(cleanup.register(NettyChannelBuilder.forAddress("127.0.0.1", adviser.port())
                    .usePlaintext().build()), s, layout.of(s)));
        }
        Outcome o = adviser.awaitOutcome(WAIT).orElseThrow();
        assertThat(o.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(o.diagnosis().orElseThrow()).contains("could not be written to " + out)
                .contains("No space left on device").contains("no command was sent to any store");
        for (StoreClient c : clients) {
            assertThat(c.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(c.received()).isEmpty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no plan and no stray temporary file").isEmpty();
        }
    }
}
