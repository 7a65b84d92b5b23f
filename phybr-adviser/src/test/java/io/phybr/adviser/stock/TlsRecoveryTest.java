package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.phybr.contract.ExitCode;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.TlsConfig;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.StockCheck;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StockLayouts;
import io.phybr.adviser.outcome.Outcome;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --ca-path/--cert-path/--key-path end to end: PD over HTTPS and the stores over gRPC TLS, with PEM files. */
class TlsRecoveryTest {
    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void recoversOverTls() throws Exception {
        Path p12 = tmp.resolve("pd.p12");
        Process kt = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "tikv", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(kt.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kt.exitValue()).as(new String(kt.getInputStream().readAllBytes())).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(p12.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        Certificate cert = ks.getCertificate("tikv");
        PrivateKey key = (PrivateKey) ks.getKey("tikv", "changeit".toCharArray());
        Path certPem = Files.writeString(tmp.resolve("cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
        Path keyPem = Files.writeString(tmp.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext http = SSLContext.getInstance("TLS");
        http.init(kmf.getKeyManagers(), null, null);
        cluster = new MockStockCluster(MockStockCluster.backends(StockLayouts.healthy(3, 6, 4)), true, true,
                new MockStockCluster.Tls(GrpcSslContexts.forServer(certPem.toFile(), keyPem.toFile()).build(), http));

        TlsConfig tls = new TlsConfig(certPem, certPem, keyPem);
        PdClient pd = new PdClient(List.of(cluster.pdAddress()), tls.sslContext(), Duration.ofSeconds(10));
        assertThat(pd.endpoints().get(0).getScheme()).isEqualTo("https");
        Outcome out = StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE).pd(pd).channels(StoreChannels.netty(tls.grpcContext()))
                .resolvedTs(100).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        List<InMemoryStoreBackend> backends = cluster.stores().stream().map(s -> (InMemoryStoreBackend) s.backend()).toList();
        assertThat(StockCheck.check(backends, 100)).isEmpty();

        // and a client that does not trust the CA is refused: TLS is really on
        Outcome plain = StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE)
                .pd(new PdClient(List.of("http://" + cluster.pdAddress()), null, Duration.ofSeconds(5)))
                .retry(new io.phybr.adviser.stock.RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)))
                .resolvedTs(100).build().run();
        assertThat(plain.exitCode()).isEqualTo(ExitCode.FAILURE);
    }
}
