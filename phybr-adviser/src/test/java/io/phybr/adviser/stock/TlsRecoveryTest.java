package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.phybr.adviser.cli.CliRun;
import io.phybr.adviser.tls.PemFiles;
import io.phybr.adviser.tls.TestPki;
import io.phybr.adviser.tls.TestPki.KeyForm;
import io.phybr.contract.ExitCode;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StockCheck;
import io.phybr.mock.stock.StockLayouts;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code phybr recover --ca --cert --key} end to end with certificates made at test time: PD over HTTPS (asking for
 * the client's certificate, as PD does) and the stores over gRPC with mutual TLS (requiring it, as TiKV does).
 * Every way the TLS set-up can be wrong ends in one paragraph that names the peer or the file, a non-zero exit and
 * no stack trace, within seconds (a TLS failure is never retried).
 */
class TlsRecoveryTest {
    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(cluster);
    }

    /** The cluster's side: stores require a client certificate signed by {@code clients}; PD asks for one. */
    static MockStockCluster.Tls serving(TestPki clients, TestPki.Files2 grpcCert, TestPki.Files2 httpCert)
            throws Exception {
        X509Certificate ca = PemFiles.certificates("ca", clients.caFile()).get(0);
        var grpc = GrpcSslContexts.configure(SslContextBuilder.forServer(key(grpcCert), cert(grpcCert)))
                .trustManager(ca).clientAuth(ClientAuth.REQUIRE).build();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("pd", key(httpCert), new char[0], new X509Certificate[] {cert(httpCert)});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext http = SSLContext.getInstance("TLS");
        http.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return new MockStockCluster.Tls(grpc, http);
    }

    private static PrivateKey key(TestPki.Files2 f) throws Exception {
        return PemFiles.privateKey("key", f.key());
    }

    private static X509Certificate cert(TestPki.Files2 f) throws Exception {
        return PemFiles.certificates("cert", f.cert()).get(0);
    }

    private void start(MockStockCluster.Tls tls) throws Exception {
        cluster = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 6, 4))).tiflash(true).tls(tls).start();
    }

    private CliRun recover(String... tlsArgs) {
        List<String> args = new ArrayList<>(List.of("recover", "--finish", "resolve", "--pd", cluster.pdAddress(), "--resolved-ts", "100",
                "--expected-stores", "3", "--no-record", "--max-attempts", "3", "--retry-backoff", "10ms",
                "--pd-timeout", "2s"));
        args.addAll(List.of(tlsArgs));
        return CliRun.of(args.toArray(new String[0]));
    }

    /**
     * The flashback finish: pdpb (Tso, GetMembers, ScanRegions…) over TLS on PD's one client port, as real PD serves
     * gRPC and HTTP behind one TLS listener, and the flashback calls to the stores over mutual TLS. A cold JVM's first
     * TLS handshakes take over a second here: 10 s per PD call.
     */
    private CliRun recoverByFlashback(String... tlsArgs) {
        List<String> args = new ArrayList<>(List.of("recover", "--finish", "flashback", "--pd", cluster.pdAddress(),
                "--resolved-ts", "100", "--expected-stores", "3", "--no-record", "--max-attempts", "3",
                "--retry-backoff", "10ms", "--pd-timeout", "10s"));
        args.addAll(List.of(tlsArgs));
        return CliRun.of(args.toArray(new String[0]));
    }

    private static String[] files(TestPki ca, TestPki.Files2 client) {
        return new String[] {"--ca", ca.caFile().toString(), "--cert", client.cert().toString(), "--key",
                client.key().toString()};
    }

    /** One paragraph, no stack trace, not an internal error. */
    private static void assertDiagnosis(CliRun run, String... mustName) {
        assertThat(run.code()).as(run.err()).isNotZero().isNotEqualTo(ExitCode.INTERNAL.code());
        assertThat(run.err()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception:");
        for (String s : mustName) {
            assertThat(run.err()).contains(s);
        }
    }

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void recoversOverMutualTlsWithEveryKeyForm(KeyForm form) throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 server = pki.server("tikv", form);
        start(serving(pki, server, server));

        CliRun run = recover(files(pki, pki.client("br", form)));

        assertThat(run.code()).as(run.err()).isEqualTo(ExitCode.OK.code());
        List<InMemoryStoreBackend> backends = cluster.stores().stream().map(s -> (InMemoryStoreBackend) s.backend()).toList();
        assertThat(StockCheck.check(backends, 100)).isEmpty();
        assertThat(cluster.pd().calls()).as("PD was really reached over HTTPS").isNotEmpty();
    }

    @Test
    void finishesByFlashbackOverMutualTls_pdpbOnPdsTlsPortAndTheFlashbackCallsToTheStores() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 server = pki.server("tikv", KeyForm.EC_PKCS8);
        start(serving(pki, server, server));

        CliRun run = recoverByFlashback(files(pki, pki.client("br", KeyForm.EC_PKCS8)));

        assertThat(run.code()).as(run.err()).isEqualTo(ExitCode.OK.code());
        assertThat(run.out() + run.err()).contains("finished by flashback");
        List<InMemoryStoreBackend> backends = cluster.stores().stream().map(s -> (InMemoryStoreBackend) s.backend()).toList();
        assertThat(StockCheck.check(backends, 100)).isEmpty();
        assertThat(cluster.pd().calls()).as("pdpb reached PD over its TLS port")
                .anyMatch(c -> c.path().equals("/pdpb.PD/Tso")).anyMatch(c -> c.path().equals("/pdpb.PD/ScanRegions"));
        assertThat(cluster.stores().stream().flatMap(s -> s.calls().stream()))
                .anyMatch(c -> c.startsWith("KvPrepareFlashbackToVersion"))
                .anyMatch(c -> c.startsWith("KvFlashbackToVersion"));
    }

    @Test
    void aPdWhoseCertificateAnotherCaSignedIsNamedWithTheCaFile() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki other = TestPki.ca(tmp, "other");
        start(serving(pki, pki.server("tikv", KeyForm.RSA_PKCS8), pki.server("pd", KeyForm.RSA_PKCS8)));

        CliRun run = recover(files(other, other.client("br", KeyForm.RSA_PKCS1)));

        assertDiagnosis(run, "the TLS handshake with PD " + cluster.pdAddress(), "CN=pd", "no CA in --ca " + other.caFile());
        assertThat(cluster.pd().calls()).as("nothing reached PD").isEmpty();
    }

    @Test
    void storesWhoseCertificatesAnotherCaSignedAreNamedAndNothingIsSent() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki rogue = TestPki.ca(tmp, "rogue");
        start(serving(pki, rogue.server("tikv", KeyForm.EC_SEC1), pki.server("pd", KeyForm.EC_SEC1)));

        CliRun run = recover(files(pki, pki.client("br", KeyForm.EC_SEC1)));

        assertDiagnosis(run, "the TLS handshake with store 1", "CN=tikv", "CN=rogue CA",
                "no CA in --ca " + pki.caFile());
        assertThat(cluster.stores()).allSatisfy(s -> assertThat(s.calls()).as("no call got through to store %d", s.storeId())
                .isEmpty());
        assertThat(cluster.pd().calls()).noneMatch(c -> c.path().equals(io.phybr.adviser.pd.PdClient.BASE_ALLOC_ID));
    }

    @Test
    void anExpiredServerCertificateIsNamedWithItsDate() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 old = pki.expired("pd", KeyForm.RSA_PKCS1, true);
        start(serving(pki, old, old));

        CliRun run = recover(files(pki, pki.client("br", KeyForm.RSA_PKCS1)));

        assertDiagnosis(run, "the TLS handshake with PD " + cluster.pdAddress(), "CN=pd", "expired on");
    }

    @Test
    void anExpiredClientCertificateIsRefusedBeforeAnythingIsSent() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 server = pki.server("tikv", KeyForm.RSA_PKCS8);
        start(serving(pki, server, server));
        TestPki.Files2 old = pki.expired("br", KeyForm.RSA_PKCS8, false);

        CliRun run = recover(files(pki, old));

        assertDiagnosis(run, "--cert " + old.cert(), "expired on");
        assertThat(run.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(cluster.pd().calls()).isEmpty();
    }

    @Test
    void storesRequireAClientCertificateAndSaySo() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 server = pki.server("tikv", KeyForm.RSA_PKCS8);
        start(serving(pki, server, server));

        CliRun run = recover("--ca", pki.caFile().toString()); // PD lets it in (cert only if given); TiKV does not

        assertDiagnosis(run, "the TLS handshake with store", "client certificate");
    }

    @Test
    void plaintextStoresAreNamedAsPlaintext() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 pdCert = pki.server("pd", KeyForm.RSA_PKCS8);
        start(new MockStockCluster.Tls(null, serving(pki, pdCert, pdCert).http())); // PD on TLS, the stores not

        CliRun run = recover(files(pki, pki.client("br", KeyForm.RSA_PKCS8)));

        assertDiagnosis(run, "the TLS handshake with store 1", "answered in plaintext", "drop --ca/--cert/--key");
    }

    @Test
    void aPlaintextPdThatNeverAnswersTheHandshakeIsBoundedAndHinted() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        start(null);

        CliRun run = recover(files(pki, pki.client("br", KeyForm.RSA_PKCS8)));

        // a plaintext HTTP server waits for a request line the ClientHello never brings: no answer, then the hint.
        // Unless the ClientHello's random bytes happen to hold a CR LF: the JDK's HttpServer then reads a request
        // line, answers "400 Bad Request" in plaintext, and the handshake fails at once on a non-TLS record (seen in
        // CI, about once in a few hundred runs). Either way the diagnosis names PD and says to drop the TLS files.
        assertDiagnosis(run, cluster.pdAddress(), "drop --ca/--cert/--key");
        assertThat(run.err()).containsAnyOf("(--pd-timeout); if PD serves plaintext, drop --ca/--cert/--key",
                "it answered in plaintext: it does not serve TLS (drop --ca/--cert/--key");
    }

    @Test
    void aPlaintextClientAgainstTlsPdIsToldToGiveTheTlsFiles() throws Exception {
        TestPki pki = TestPki.ca(tmp, "cluster");
        TestPki.Files2 server = pki.server("tikv", KeyForm.RSA_PKCS8);
        start(serving(pki, server, server));

        CliRun run = recover();

        assertDiagnosis(run, cluster.pdAddress(), "if it serves TLS, give --ca/--cert/--key");
    }
}
