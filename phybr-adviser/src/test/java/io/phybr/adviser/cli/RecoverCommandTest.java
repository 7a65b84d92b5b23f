package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.adviser.pd.TlsConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RecoverCommandTest {
    @TempDir
    Path tmp;

    private final RecoverCommand.DurationConverter durations = new RecoverCommand.DurationConverter();

    @Test
    void durationsInTheToolsStyle() {
        assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(durations.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(durations.convert("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(durations.convert("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(durations.convert("PT1M")).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> durations.convert("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void theResolvedTsComesFromBackupMeta() throws Exception {
        Path meta = tmp.resolve("meta.json");
        Files.writeString(meta, "{\"resolved_ts\": 445566778899}");
        assertThat(RecoverCommand.readResolvedTs(meta)).isEqualTo(445566778899L);
        Files.writeString(meta, "{\"cluster_info\": {\"resolved_ts\": \"12\"}}");
        assertThat(RecoverCommand.readResolvedTs(meta)).isEqualTo(12L);
        Files.writeString(meta, "{\"resolved_ts\": 0}");
        assertThatThrownBy(() -> RecoverCommand.readResolvedTs(meta)).hasMessageContaining("positive");
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
        assertThat(err.toString()).contains("--cert-path and --key-path go together");
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
