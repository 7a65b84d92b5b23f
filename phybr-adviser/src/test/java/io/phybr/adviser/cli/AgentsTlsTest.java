package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.phybr.adviser.pd.TlsConfig;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.adviser.tls.ClientCertificateRequired;
import io.phybr.adviser.tls.TestPki;
import io.phybr.adviser.tls.TestPki.KeyForm;
import io.phybr.contract.ExitCode;
import io.phybr.mock.MockCluster;
import io.phybr.mock.cli.MockTikvMain;
import io.phybr.mock.scenario.ScenarioParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code mock-tikv agents --ca --cert --key} against a real {@code phybr serve --ca --cert --key}: the seed-protocol
 * agents of a scenario report over mutual TLS, and the checker judges what they were told. One CA issues both ends'
 * certificates at test time, in the key forms TiUP and cert-manager write.
 */
class AgentsTlsTest {
    @TempDir
    Path dir;

    /** What the last serve printed on standard error. */
    private volatile String serveErr = "";

    @AfterEach
    void noLeaks() {
        assertThat(MockCluster.openChannels()).as("agent channels left open").isZero();
    }

    record Agents(int code, String out, String err) {
    }

    /** Runs {@code mock-tikv agents ...} with its standard output and error captured. */
    private static Agents agents(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MockTikvMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Agents(code, out.toString(), err.toString());
    }

    /** A TLS serve for stores 1-3 in its own thread, as the jar's main would run it; its exit code completes the future. */
    private CompletableFuture<Integer> serveTls(TestPki pki, TestPki.Files2 server, String collectTimeout, Path portFile) {
        return CompletableFuture.supplyAsync(() -> CliRun.of("serve", "--listen", "127.0.0.1:0", "--store-ids", "1,2,3",
                "--port-file", portFile.toString(), "--collect-timeout", collectTimeout, "--close-timeout", "1m",
                "--no-record", "--ca", pki.caFile().toString(), "--cert", server.cert().toString(),
                "--key", server.key().toString())).thenApply(r -> {
                    serveErr = r.err();
                    return r.code();
                });
    }

    private static String adviserAt(Path portFile) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile) && !Files.readString(portFile).isBlank());
        return "127.0.0.1:" + Integer.parseInt(Files.readString(portFile).trim());
    }

    /** The built-in three-store scenario (lagging peers across a split and a merge), written where agents can read it. */
    private Path scenario() throws Exception {
        Path scn = dir.resolve("default.scn");
        Files.writeString(scn, ScenarioParser.parseResource("/io/phybr/mock/default.scn").render());
        return scn;
    }

    private static List<String> tlsArgs(Path ca, TestPki.Files2 agent) {
        return List.of("--ca", ca.toString(), "--cert", agent.cert().toString(), "--key", agent.key().toString());
    }

    private static String[] args(List<String> head, List<String> tls) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tls);
        return all.toArray(String[]::new);
    }

    @ParameterizedTest
    @EnumSource(value = KeyForm.class, names = {"RSA_PKCS1", "EC_SEC1"})
    void agentsRecoverAClusterThroughATlsServe(KeyForm form) throws Exception {
        TestPki pki = TestPki.ca(dir, "cluster");
        Path portFile = dir.resolve("port");
        CompletableFuture<Integer> serve = serveTls(pki, pki.server("adviser", form), "1m", portFile);

        Agents a = agents(args(List.of("agents", "--adviser", adviserAt(portFile), "--scenario", scenario().toString(),
                "--timeout", "60"), tlsArgs(pki.caFile(), pki.client("tikv-phybr", form))));

        assertThat(a.code()).as("agents:%n%s%s", a.out(), a.err()).isEqualTo(MockTikvMain.PASS);
        assertThat(a.out()).contains("verdict: PASS").contains("closed (ok)");
        assertThat(serve.get(30, TimeUnit.SECONDS)).as(serveErr).isEqualTo(ExitCode.OK.code());
    }

    @Test
    void agentsThatDoNotTrustTheAdvisersCaFailNamingTheHandshake() throws Exception {
        TestPki pki = TestPki.ca(dir, "cluster");
        TestPki rogue = TestPki.ca(dir, "rogue");
        TestPki.Files2 server = pki.server("adviser", KeyForm.RSA_PKCS8);
        TlsConfig tls = new TlsConfig(pki.caFile(), server.cert(), server.key());
        // the adviser in-process and closed by the test, so nothing here waits for its collect timeout
        try (SeedAdviser adviser = SeedAdviser.builder().listen("127.0.0.1:0").storeIds(1, 2, 3)
                .collectTimeout(Duration.ofMinutes(1)).closeTimeout(Duration.ofMinutes(1))
                .tls(tls.grpcServerContext(r -> { }), new ClientCertificateRequired(tls.ca(), r -> { }))
                .build().start()) {
            // the agents hold the rogue CA's files: the adviser's certificate is not signed by their --ca
            Agents a = agents(args(List.of("agents", "--adviser", "127.0.0.1:" + adviser.port(),
                    "--scenario", scenario().toString(), "--timeout", "30"),
                    tlsArgs(rogue.caFile(), rogue.client("tikv-phybr", KeyForm.RSA_PKCS8))));

            assertThat(a.code()).as("agents:%n%s%s", a.out(), a.err()).isEqualTo(MockTikvMain.FAIL);
            assertThat(a.out()).as(a.out()).contains("adviser answered UNAVAILABLE: io exception (SSLHandshakeException:")
                    .doesNotContain("closed (ok)");
        }
    }

    @Test
    void badTlsFlagsAreOneLineAndExit2BeforeAnyAgentStarts() throws Exception {
        TestPki pki = TestPki.ca(dir, "cluster");
        TestPki.Files2 agent = pki.client("tikv-phybr", KeyForm.RSA_PKCS8);
        String scn = scenario().toString();
        List<String> head = List.of("agents", "--adviser", "127.0.0.1:1", "--scenario", scn);
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");

        assertOneLine(agents(args(head, List.of("--ca", pki.caFile().toString(), "--cert", agent.cert().toString()))),
                "--cert and --key go together");
        assertOneLine(agents(args(head, List.of("--cert", agent.cert().toString(), "--key", agent.key().toString()))),
                "--cert and --key need --ca");
        assertOneLine(agents(args(head, List.of("--ca", dir.resolve("missing.pem").toString()))),
                "--ca " + dir.resolve("missing.pem") + ": no such readable file");
        assertOneLine(agents(args(head, List.of("--ca", garbage.toString()))),
                "--ca " + garbage + " holds no PEM certificate that can be read");
        assertOneLine(agents(args(head, List.of("--ca", pki.caFile().toString(), "--cert", agent.cert().toString(),
                "--key", garbage.toString()))), "--cert " + agent.cert() + " and --key " + garbage + " cannot be read");
    }

    private static void assertOneLine(Agents a, String mustSay) {
        assertThat(a.code()).as(a.err()).isEqualTo(MockTikvMain.USAGE);
        assertThat(a.err().strip()).startsWith("mock-tikv: ").contains(mustSay).contains("No agent was started")
                .doesNotContain("\n").doesNotContain("\tat ");
        assertThat(a.out()).doesNotContain("[store ");
    }
}
