package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.protocol.seed.GrpcCleanup;
import io.phybr.adviser.protocol.seed.Layout;
import io.phybr.mock.agent.StoreClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code phybr serve} as an operator runs it: real TCP port (port 0 + port file), real exit codes. */
class ServeCommandTest {
    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs the command line in its own thread, as the jar's main would. */
    private CompletableFuture<Integer> serve(String... args) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                exit.complete(PhybrMain.commandLine().setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true)).execute(args));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            }
        }, "phybr-serve-test");
        t.start();
        return exit;
    }

    private int run(String... args) {
        return PhybrMain.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
    }

    private ManagedChannel connect(Path portFile) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile));
        int port = Integer.parseInt(Files.readString(portFile).trim());
        return cleanup.register(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }

    @Test
    void aWholeSessionExitsZeroAndWritesThePlan() throws Exception {
        Layout layout = Layout.random(21, 3, 120);
        Plan expected = layout.plan();
        Path portFile = dir.resolve("port");
        Path planFile = dir.resolve("plan.jsonl");
        CompletableFuture<Integer> exit = serve("serve", "--listen", "127.0.0.1:0", "--store-ids", "1,2,3",
                "--port-file", portFile.toString(), "--resolved-ts", "434172134850871297",
                "--plan-output", planFile.toString(), "--collect-timeout", "1m", "--close-timeout", "1m");
        ManagedChannel ch = connect(portFile);
        assertThat(StoreClient.resolve(ch).get(30, TimeUnit.SECONDS).getResolvedTs()).isEqualTo(434172134850871297L);
        List<StoreClient> clients = new ArrayList<>();
        for (long s = 1; s <= 3; s++) {
            clients.add(StoreClient.report(ch, s, layout.of(s)));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(clients.get(i).allCommands().get(30, TimeUnit.SECONDS))
                    .containsExactlyElementsOf(Layout.commandsOf(expected, i + 1));
        }
        List<CompletableFuture<io.phybr.proto.seed.CloseReply>> closes = new ArrayList<>();
        for (long s = 1; s <= 3; s++) {
            closes.add(StoreClient.close(ch, s, true));
        }
        for (var c : closes) {
            assertThat(c.get(30, TimeUnit.SECONDS).getOk()).isEqualTo("ok");
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK.code());
        assertThat(out.toString()).contains("recovery complete");
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        expected.writeJsonLines(want);
        assertThat(Files.readString(planFile)).isEqualTo(want.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStoreThatNeverReportsExitsWithTheTimeoutCodeAndNamesIt() throws Exception {
        Path portFile = dir.resolve("port");
        CompletableFuture<Integer> exit = serve("serve", "--listen", "127.0.0.1:0", "--stores", "2",
                "--port-file", portFile.toString(), "--collect-timeout", "1s");
        ManagedChannel ch = connect(portFile);
        StoreClient one = StoreClient.report(ch, 1L, Layout.simple(1, 5).of(1));
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.TIMEOUT.code());
        assertThat(one.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        String e = err.toString();
        assertThat(e).contains("phybr serve: Timed out after 1s collecting region reports")
                .contains("1 store never connected").doesNotContain("\tat ");
        assertThat(e.strip().lines()).as("one paragraph").hasSize(1);
    }

    @Test
    void aRefusedPlanExitsThree() throws Exception {
        Path portFile = dir.resolve("port");
        CompletableFuture<Integer> exit = serve("serve", "--listen", "127.0.0.1:0", "--stores", "1",
                "--port-file", portFile.toString());
        ManagedChannel ch = connect(portFile);
        Layout layout = new Layout();
        layout.add(1, 1, 10, 5, 3, false, new byte[0], "b".getBytes()); // ["b", "") is a hole
        StoreClient one = StoreClient.report(ch, 1L, layout.of(1));
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.REFUSED.code());
        assertThat(one.status().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(err.toString()).contains("hole").contains("no command was sent to any store");
    }

    @Test
    void theBackupMetaGivesTheResolvedTs() throws Exception {
        Path meta = dir.resolve("backupmeta.json");
        Files.writeString(meta, "{\"cluster_id\": 7, \"resolved_ts\": 434172134850871301, \"tikv\": [1, 2]}\n");
        Path portFile = dir.resolve("port");
        CompletableFuture<Integer> exit = serve("serve", "--listen", "127.0.0.1:0", "--stores", "1",
                "--port-file", portFile.toString(), "--backup-meta", meta.toString(), "--collect-timeout", "2s");
        ManagedChannel ch = connect(portFile);
        assertThat(StoreClient.resolve(ch).get(30, TimeUnit.SECONDS).getResolvedTs()).isEqualTo(434172134850871301L);
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.TIMEOUT.code());
    }

    @Test
    void badCommandLinesAreOneParagraphUsageErrors() throws Exception {
        assertThat(run("serve")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("--stores").contains("--store-ids");
        assertThat(run("serve", "--stores", "3", "--store-ids", "1,2,3")).isEqualTo(ExitCode.USAGE.code());
        assertThat(run("serve", "--stores", "0")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("phybr serve: the number of stores must be at least 1");
        assertThat(run("serve", "--stores", "3", "--collect-timeout", "soon")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("'soon' is not a duration");
        assertThat(run("serve", "--store-ids", "1,1")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("store id 1 is listed twice");
        assertThat(run("serve", "--stores", "1", "--listen", "localhost")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("listen address 'localhost' is not HOST:PORT");
        assertThat(run("serve", "--stores", "1", "--resolved-ts", "yesterday")).isEqualTo(ExitCode.USAGE.code());
        assertThat(run("serve", "--stores", "1", "--resolved-ts", "1", "--backup-meta", "x")).isEqualTo(ExitCode.USAGE.code());
        assertThat(run("serve", "--stores", "1", "--policy", "random")).isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).contains("unknown policy 'random'");
        assertThat(run("serve", "--stores", "1", "--plan-output", dir.resolve("no/such/dir/plan.jsonl").toString()))
                .isEqualTo(ExitCode.USAGE.code());
        assertThat(err.toString()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void anUnreadableBackupMetaIsBadInput() throws Exception {
        assertThat(run("serve", "--stores", "1", "--backup-meta", dir.resolve("missing.json").toString()))
                .isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(err.toString()).contains("does not exist");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"resolved\": 12}");
        assertThat(run("serve", "--stores", "1", "--backup-meta", bad.toString())).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(err.toString()).contains("there is no \"resolved_ts\" field");
    }

    @Test
    void aBusyPortIsAOneParagraphFailure() throws Exception {
        Path portFile = dir.resolve("port");
        CompletableFuture<Integer> first = serve("serve", "--listen", "127.0.0.1:0", "--stores", "1",
                "--port-file", portFile.toString(), "--collect-timeout", "3s");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile));
        String port = Files.readString(portFile).trim();
        assertThat(run("serve", "--stores", "1", "--listen", "127.0.0.1:" + port)).isEqualTo(ExitCode.FAILURE.code());
        assertThat(err.toString()).contains("phybr serve: cannot listen on 127.0.0.1:" + port);
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.TIMEOUT.code());
    }

    @Test
    void aRecordedRunReplaysByteForByteThroughPlan() throws Exception {
        Layout layout = Layout.random(21, 3, 120);
        Path portFile = dir.resolve("port");
        Path run = dir.resolve("run");
        CompletableFuture<Integer> exit = serve("serve", "--listen", "127.0.0.1:0", "--store-ids", "1,2,3",
                "--port-file", portFile.toString(), "--policy", "br", "--accept-holes", "--record", run.toString());
        ManagedChannel ch = connect(portFile);
        List<StoreClient> clients = new ArrayList<>();
        for (long s = 1; s <= 3; s++) {
            clients.add(StoreClient.report(ch, s, layout.of(s)));
        }
        for (long s = 1; s <= 3; s++) {
            clients.get((int) s - 1).allCommands().get(30, TimeUnit.SECONDS);
            StoreClient.close(ch, s, true);
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK.code());
        String manifest = Files.readString(run.resolve("manifest.json"));
        assertThat(manifest).contains("\"status\" : \"finished\"").contains("\"policy\" : \"br\"")
                .contains("\"exit_code\" : 0").contains("\"replicas\" : " + layout.metaCount())
                .contains("\"--policy\"");
        assertThat(Files.readAllLines(run.resolve("reports.jsonl"))).hasSize(layout.metaCount());
        assertThat(Files.readString(run.resolve("summary.json"))).contains("\"policy\":\"br\"");

        Path replay = dir.resolve("replay.jsonl");
        assertThat(run("plan", "--input", run.resolve("reports.jsonl").toString(), "--output", replay.toString()))
                .isEqualTo(0);
        assertThat(Files.readString(replay)).isEqualTo(Files.readString(run.resolve("plan.jsonl")));
        assertThat(out.toString()).contains("policy br, protocol seed, accept-holes taken from its manifest.json")
                .contains("byte-identical to the recorded");
    }

    @Test
    void noRecordRecordsNothingAndRecordConflictsWithIt() throws Exception {
        Path portFile = dir.resolve("port");
        Path runs = dir.resolve("runs");
        CompletableFuture<Integer> exit = serve("serve", "--listen", "127.0.0.1:0", "--stores", "1",
                "--port-file", portFile.toString(), "--no-record", "--collect-timeout", "1s");
        connect(portFile);
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.TIMEOUT.code());
        assertThat(run("serve", "--stores", "1", "--no-record", "--record", runs.toString()))
                .isEqualTo(ExitCode.USAGE.code());
        assertThat(runs).doesNotExist();
    }

    @Test
    void anUnwritableRecordingOnlyWarns() throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        Path portFile = dir.resolve("port");
        CompletableFuture<Integer> exit = serve("serve", "--listen", "127.0.0.1:0", "--stores", "1",
                "--port-file", portFile.toString(), "--record", notADir.resolve("run").toString());
        ManagedChannel ch = connect(portFile);
        Layout layout = Layout.simple(1, 5);
        StoreClient.report(ch, 1L, layout.of(1)).allCommands().get(30, TimeUnit.SECONDS);
        StoreClient.close(ch, 1L, true);
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK.code());
        assertThat(notADir).hasContent("x");
    }

    @Test
    void helpExplainsEveryFlag() {
        assertThat(run("serve", "--help")).isEqualTo(0);
        String help = out.toString();
        for (String flag : List.of("--listen", "--stores", "--store-ids", "--collect-timeout", "--close-timeout",
                "--resolved-ts", "--backup-meta", "--policy", "--accept-holes", "--plan-output", "--port-file", "--record",
                "--no-record")) {
            assertThat(help).contains(flag);
        }
        assertThat(help).contains("127.0.0.1:3379").contains("Exit codes");
    }
}
