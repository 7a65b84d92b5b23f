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
    void unreadableTlsFilesAreBadInput() throws Exception {
        Path ca = tmp.resolve("ca.pem");
        Files.writeString(ca, "not a certificate");
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--ca-path", ca.toString())).isEqualTo(6);
        assertThat(err.toString()).contains("cannot load the TLS files");
        Path key = tmp.resolve("key.pem");
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new TlsConfig(ca, ca, key).sslContext()).hasMessageContaining("No certificate");
        err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--ca-path", ca.toString(),
                "--cert-path", ca.toString(), "--key-path", key.toString())).isEqualTo(6);
    }

    @Test
    void anUnreachablePdIsAFailureNamingIt() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--max-attempts", "2",
                "--retry-backoff", "10ms", "--pd-timeout", "2s")).isEqualTo(5);
        assertThat(err.toString()).contains("prepare failed talking to PD").contains("127.0.0.1:1");
    }
}
