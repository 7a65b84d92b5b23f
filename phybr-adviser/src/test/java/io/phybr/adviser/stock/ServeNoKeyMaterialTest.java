package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.phybr.adviser.cli.CliRun;
import io.phybr.adviser.pd.TlsConfig;
import io.phybr.adviser.protocol.seed.GrpcCleanup;
import io.phybr.adviser.protocol.seed.Layout;
import io.phybr.adviser.tls.PemFiles;
import io.phybr.adviser.tls.TestPki;
import io.phybr.adviser.tls.TestPki.KeyForm;
import io.phybr.contract.ExitCode;
import io.phybr.mock.agent.StoreClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 14, as {@link NoKeyMaterialTest} for {@code recover}: {@code phybr serve} over mutual TLS writes no key
 * material anywhere. A session that succeeds, sessions whose agents are refused (a certificate another CA signed, an
 * expired one) and serves whose own files are given wrong (the key as --cert, the certificate as --key, a key that is
 * not the certificate's, a torn key) run with the log at debug, a recording, a progress file and the plan output; then
 * {@code phybr report} renders the recording. No PEM header, body line or DER run (raw, hex, base64) of any private
 * key — the adviser's or an agent's — may be in anything they wrote or printed.
 */
class ServeNoKeyMaterialTest {
    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    @TempDir
    Path tmp;

    /**
     * SLF4J initialised on this thread before serve runs on another: the command's log set-up takes Logback's context,
     * which a first use racing on two threads would find still being made.
     */
    @org.junit.jupiter.api.BeforeEach
    void initLogging() {
        await().atMost(Duration.ofSeconds(10)).until(() -> LoggerFactory.getILoggerFactory() instanceof LoggerContext);
    }

    @AfterEach
    void resetLogging() {
        // back to logback-test.xml for the tests that follow in this JVM
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        try {
            new ContextInitializer(ctx).autoConfig();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void noPrivateKeyByteReachesServeLogsRecordingsProgressPlanReportOrTheTerminal() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("pki"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        TestPki pki = TestPki.ca(keys, "cluster");
        TestPki rogue = TestPki.ca(keys, "rogue");
        TestPki.Files2 server = pki.server("adviser", KeyForm.RSA_PKCS1);
        TestPki.Files2 agent = pki.client("tikv-phybr", KeyForm.EC_SEC1);
        TestPki.Files2 stranger = rogue.client("rogue-agent", KeyForm.RSA_PKCS8);
        TestPki.Files2 old = pki.expired("old-agent", KeyForm.EC_PKCS8, false);
        TestPki.Files2 other = pki.server("other", KeyForm.RSA_PKCS8);
        Path torn = keys.resolve("torn-key.pem");
        String serverKey = Files.readString(server.key());
        Files.writeString(torn, serverKey.substring(0, serverKey.length() / 2)); // a copy cut short
        List<String> printed = new ArrayList<>();

        // 1. a whole session over mutual TLS, everything on, then the report of its recording
        Path run = out.resolve("run-ok");
        CompletableFuture<CliRun> ok = serve(out, "ok", run, "1m", server.cert(), server.key(), pki);
        ManagedChannel ch = connect(out.resolve("ok.port"), new TlsConfig(pki.caFile(), agent.cert(), agent.key()).grpcContext(),
                ok);
        Layout layout = Layout.random(5, 3, 60);
        List<StoreClient> clients = new ArrayList<>();
        for (long s = 1; s <= 3; s++) {
            clients.add(StoreClient.report(ch, s, layout.of(s)));
        }
        for (StoreClient c : clients) {
            c.allCommands().get(30, TimeUnit.SECONDS);
        }
        List<CompletableFuture<io.phybr.proto.seed.CloseReply>> closes = new ArrayList<>();
        for (long s = 1; s <= 3; s++) {
            closes.add(StoreClient.close(ch, s, true));
        }
        for (var c : closes) {
            c.get(30, TimeUnit.SECONDS);
        }
        CliRun done = ok.get(30, TimeUnit.SECONDS);
        assertThat(done.code()).as(done.err()).isZero();
        printed.add(done.out() + done.err());
        CliRun report = CliRun.of("report", run.toString(), "--output", out.resolve("report.html").toString());
        assertThat(report.code()).as(report.err()).isZero();
        printed.add(report.out() + report.err());

        // 2. agents refused at the handshake: another CA's certificate, an expired one (named in the diagnosis)
        TestPki.Files2[] refused = {stranger, old};
        for (int i = 0; i < refused.length; i++) {
            String name = "refused" + i;
            CompletableFuture<CliRun> r = serve(out, name, out.resolve("run-" + name), "2s", server.cert(), server.key(), pki);
            SslContext tls = GrpcSslContexts.forClient().trustManager(pki.caFile().toFile()).keyManager(
                    PemFiles.privateKey("k", refused[i].key()), PemFiles.certificates("c", refused[i].cert()).get(0)).build();
            StoreClient one = StoreClient.report(connect(out.resolve(name + ".port"), tls, r), 1L, Layout.simple(1, 5).of(1));
            CliRun end = r.get(30, TimeUnit.SECONDS);
            assertThat(end.code()).as(end.err()).isEqualTo(ExitCode.TIMEOUT.code());
            assertThat(end.err()).as("the handshake refusal is named").contains("TLS handshake");
            assertThat(one.status().isOk()).isFalse();
            printed.add(end.out() + end.err());
        }

        // 3. serve's own files given wrong: each refused before listening, saying so without quoting the key
        Path[][] wrong = {
            {server.key(), server.key()}, // the key as --cert
            {server.cert(), server.cert()}, // the certificate as --key
            {server.cert(), other.key()}, // a key that is not the certificate's
            {server.cert(), torn}, // a torn key file
        };
        for (int i = 0; i < wrong.length; i++) {
            String name = "bad" + i;
            CliRun bad = serve(out, name, out.resolve("run-" + name), "2s", wrong[i][0], wrong[i][1], pki)
                    .get(30, TimeUnit.SECONDS);
            assertThat(bad.code()).as("case %d: %s", i, bad.err()).isNotZero();
            printed.add(bad.out() + bad.err());
        }

        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<byte[]> written = new ArrayList<>();
        for (Path f : files) {
            written.add(Files.readAllBytes(f));
        }
        printed.forEach(p -> written.add(p.getBytes(StandardCharsets.UTF_8)));
        // the runs really wrote what we scan: a debug log, a recording, progress, the plan and the page
        assertThat(files.stream().map(f -> f.getFileName().toString()))
                .contains("ok.log", "ok-progress.json", "ok-plan.jsonl", "manifest.json", "reports.jsonl", "report.html");
        assertThat(Files.readString(out.resolve("ok.log"))).contains("recovery complete");

        for (Path k : List.of(server.key(), agent.key(), stranger.key(), old.key(), other.key())) {
            // the scan can fail: the key's own PEM text holds its armour and body lines, as the needles say
            byte[] own = Files.readAllBytes(k);
            assertThat(NoKeyMaterialTest.fingerprints(Files.readString(k)).stream().filter(n -> NoKeyMaterialTest
                    .indexOf(own, n.getBytes(StandardCharsets.ISO_8859_1)) >= 0).count()).as("needles of %s in itself", k)
                    .isGreaterThanOrEqualTo(2);
            for (String needle : NoKeyMaterialTest.fingerprints(Files.readString(k))) {
                for (int i = 0; i < written.size(); i++) {
                    String where = i < files.size() ? files.get(i).toString() : "the terminal";
                    int at = NoKeyMaterialTest.indexOf(written.get(i), needle.getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(at).as("bytes of %s found in %s: '%s'", k.getFileName(), where,
                            io.phybr.contract.text.Printable.escape(needle)).isNegative();
                }
            }
        }
    }

    /** {@code phybr serve} over TLS for stores 1-3 in its own thread, as the jar's main would run it. */
    private static CompletableFuture<CliRun> serve(Path out, String name, Path record, String collectTimeout, Path cert,
                                                  Path key, TestPki pki) {
        String[] args = {"serve", "--listen", "127.0.0.1:0", "--store-ids", "1,2,3",
            "--port-file", out.resolve(name + ".port").toString(), "--collect-timeout", collectTimeout,
            "--close-timeout", "1m", "--record", record.toString(),
            "--log-file", out.resolve(name + ".log").toString(), "--log-level", "debug",
            "--progress-file", out.resolve(name + "-progress.json").toString(),
            "--plan-output", out.resolve(name + "-plan.jsonl").toString(),
            "--ca", pki.caFile().toString(), "--cert", cert.toString(), "--key", key.toString()};
        return CompletableFuture.supplyAsync(() -> CliRun.of(args));
    }

    private ManagedChannel connect(Path portFile, SslContext tls, CompletableFuture<CliRun> serving) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> serving.isDone() || Files.exists(portFile)
                && !Files.readString(portFile).isBlank());
        if (serving.isDone()) {
            throw new AssertionError("serve ended before listening: " + serving.get());
        }
        int port = Integer.parseInt(Files.readString(portFile).trim());
        return cleanup.register(NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(tls).build());
    }
}
