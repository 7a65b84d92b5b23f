package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.adviser.pd.TlsConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RecoverCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theResolvedTsComesFromBackupMeta() throws Exception {
        Path meta = tmp.resolve("meta.json");
        Files.writeString(meta, "{\"cluster_id\": 1}");
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--backup-meta", meta.toString())).isEqualTo(6);
        assertThat(err.toString()).contains("cannot read the resolved ts from").contains("resolved_ts");
    }

    private int run(StringWriter err, String... args) {
        CommandLine cl = PhybrMain.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("give --resolved-ts TS or --backup-meta FILE");
        err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--backup-meta", "x")).isEqualTo(2);
        err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--cert-path", "c.pem", "--ca-path", "ca.pem")).isEqualTo(2);
        assertThat(err.toString()).contains("--cert and --key go together");
    }

    @Test
    void aZeroWatchIntervalOrRoundTimeoutIsAUsageError() {
        // a zero period would make the restart watch's scheduler throw mid-recovery, after the plan was sent
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--store-watch-interval", "0s")).isEqualTo(2);
        assertThat(err.toString()).contains("--store-watch-interval must be more than 0");
        err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--recover-round-timeout", "0ms")).isEqualTo(2);
        assertThat(err.toString()).contains("--recover-round-timeout must be more than 0");
    }

    @Test
    void unreadableTlsFilesAreBadInput() throws Exception {
        Path ca = tmp.resolve("ca.pem");
        Files.writeString(ca, "not a certificate");
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--ca-path", ca.toString())).isEqualTo(6);
        assertThat(err.toString()).contains("cannot load the TLS files");
        Path key = tmp.resolve("key.pem");
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new TlsConfig(ca, ca, key).sslContext()).hasMessageContaining("--ca " + ca).hasMessageContaining("not a PEM file");
        err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--ca-path", ca.toString(),
                "--cert-path", ca.toString(), "--key-path", key.toString())).isEqualTo(6);
    }

    @Test
    void anUnreachablePdIsAFailureNamingIt() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--expected-stores", "3", "--max-attempts", "2",
                "--retry-backoff", "10ms", "--pd-timeout", "2s")).isEqualTo(5);
        assertThat(err.toString()).contains("prepare failed talking to PD").contains("127.0.0.1:1");
    }

    @Test
    void R14_aRealRecoveryNeedsTheExpectedStoreCount() throws Exception {
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("give --expected-stores N").contains("tidb-operator#5242");
        Path meta = tmp.resolve("ebs.json");
        Files.writeString(meta, "{\"cluster_info\":{\"resolved_ts\":5},\"tikv\":{\"stores\":[{\"store_id\":1},{\"store_id\":2}]}}");
        err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--backup-meta", meta.toString(), "--expected-stores", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--expected-stores 3 disagrees with the backup meta").contains("[1, 2]");
        err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--backup-meta", meta.toString(), "--allow-missing-stores", "7"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--allow-missing-stores names [7]");
        err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--expected-stores", "3",
                "--pd-pause-ttl", "1s")).isEqualTo(2);
        assertThat(err.toString()).contains("--pd-pause-ttl");
    }
}
