package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.phybr.adviser.cli.CliRun;
import io.phybr.adviser.tls.TestPki;
import io.phybr.adviser.tls.TestPki.KeyForm;
import io.phybr.mock.stock.MockStockCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 14: no key material in logs or recordings. TLS recoveries — one that succeeds, and ones whose key files are
 * wrong in the ways an operator gets them wrong (the key given as --cert or --ca, a key that does not match the
 * certificate, a torn key file) — run with the log file at debug level, a recording, a progress file and a summary;
 * then {@code phybr report} renders the recording. Not one byte of any private key may show in anything they wrote
 * or printed: no PEM header, no line of the PEM body, no run of the DER bytes (raw, hex or base64).
 */
class NoKeyMaterialTest {
    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
        // back to logback-test.xml for the tests that follow in this JVM
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    @Test
    void noPrivateKeyByteReachesLogsRecordingsSummariesProgressOrTheReport() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("pki"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        TestPki pki = TestPki.ca(keys, "cluster");
        TestPki.Files2 server = pki.server("tikv", KeyForm.RSA_PKCS8);
        cluster = MockStockCluster.builder(MockStockCluster.backends(io.phybr.mock.stock.StockLayouts.healthy(3, 6, 4)))
                .tiflash(true).tls(TlsRecoveryTest.serving(pki, server, server)).start();
        TestPki.Files2 rsa1 = pki.client("br", KeyForm.RSA_PKCS1);
        TestPki.Files2 ec = pki.client("br-ec", KeyForm.EC_SEC1);
        TestPki.Files2 pk8 = pki.client("br-pk8", KeyForm.RSA_PKCS8);
        Path torn = keys.resolve("torn-key.pem");
        String pk8Text = Files.readString(pk8.key());
        Files.writeString(torn, pk8Text.substring(0, pk8Text.length() / 2)); // a copy cut short
        List<String> printed = new ArrayList<>();

        // 1. a recovery that succeeds, everything on: log at debug, recording, progress file, summary, plan
        Path run = out.resolve("run-ok");
        CliRun ok = recover(out, "ok", run, "--ca", pki.caFile().toString(), "--cert", rsa1.cert().toString(),
                "--key", rsa1.key().toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        printed.add(ok.out() + ok.err());
        CliRun report = CliRun.of("report", run.toString(), "--output", out.resolve("report.html").toString());
        assertThat(report.code()).as(report.err()).isZero();
        printed.add(report.out() + report.err());

        // 2. the ways the files are given wrong: each fails, and says so without quoting the key
        String[][] wrong = {
            {"--ca", pki.caFile().toString(), "--cert", ec.key().toString(), "--key", ec.key().toString()},
            {"--ca", pk8.key().toString(), "--cert", pk8.cert().toString(), "--key", pk8.key().toString()},
            {"--ca", pki.caFile().toString(), "--cert", rsa1.cert().toString(), "--key", ec.key().toString()},
            {"--ca", pki.caFile().toString(), "--cert", pk8.cert().toString(), "--key", torn.toString()},
            {"--ca", pki.caFile().toString(), "--cert", ec.cert().toString(), "--key", ec.cert().toString()},
        };
        for (int i = 0; i < wrong.length; i++) {
            CliRun bad = recover(out, "bad" + i, out.resolve("run-bad" + i), wrong[i]);
            assertThat(bad.code()).as("case %d: %s", i, bad.err()).isNotZero();
            printed.add(bad.out() + bad.err());
        }

        List<byte[]> written = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            written.add(Files.readAllBytes(f));
        }
        printed.forEach(p -> written.add(p.getBytes(StandardCharsets.UTF_8)));
        // the run really wrote what we scan: a debug log, a recording, a summary, progress and the page
        assertThat(files.stream().map(f -> f.getFileName().toString()))
                .contains("ok.log", "ok-summary.json", "ok-progress.json", "manifest.json", "report.html");
        assertThat(Files.readString(out.resolve("ok.log"))).contains("PD base alloc id raised");

        List<Path> keyFiles = new ArrayList<>(List.of(rsa1.key(), ec.key(), pk8.key(), server.key()));
        for (Path k : keyFiles) {
            for (String needle : fingerprints(Files.readString(k))) {
                for (int i = 0; i < written.size(); i++) {
                    String where = i < files.size() ? files.get(i).toString() : "the terminal";
                    int at = indexOf(written.get(i), needle.getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(at).as("bytes of %s found in %s: '%s' in ...%s...", k.getFileName(), where,
                            io.phybr.contract.text.Printable.escape(needle), at < 0 ? "" : io.phybr.contract.text.Printable
                                    .escape(new String(written.get(i), Math.max(0, at - 200), Math.min(400,
                                            written.get(i).length - Math.max(0, at - 200)), StandardCharsets.ISO_8859_1)))
                            .isNegative();
                }
            }
        }
    }

    private CliRun recover(Path out, String name, Path record, String... tls) {
        List<String> args = new ArrayList<>(List.of("recover", "--finish", "resolve", "--pd", cluster.pdAddress(),
                "--resolved-ts", "100", "--expected-stores", "3", "--max-attempts", "2", "--retry-backoff", "10ms",
                "--pd-timeout", "2s", "--store-wait-timeout", "3s", "--record", record.toString(),
                "--log-file", out.resolve(name + ".log").toString(), "--log-level", "debug",
                "--progress-file", out.resolve(name + "-progress.json").toString(),
                "--summary-json", out.resolve(name + "-summary.json").toString(),
                "--output", out.resolve(name + "-plan.jsonl").toString()));
        args.addAll(List.of(tls));
        long t0 = System.nanoTime();
        CliRun r = CliRun.of(args.toArray(new String[0]));
        System.out.printf(java.util.Locale.ROOT, "no-key-material: run %s exit %d in %d ms%n", name, r.code(),
                (System.nanoTime() - t0) / 1_000_000);
        return r;
    }

    /**
     * What would betray a key: the PEM header, every body line, and 24-byte runs of its DER bytes from three places
     * (raw, as hex, and as base64 of the run — a re-encoded key would not line up with the PEM's lines).
     */
    static List<String> fingerprints(String pem) {
        List<String> out = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : pem.split("\n")) {
            if (line.startsWith("-----BEGIN")) {
                out.add(line.strip()); // the PEM armour itself (a diagnosis may name the block type, not quote it)
            } else if (!line.startsWith("-----") && !line.isBlank()) {
                body.append(line.strip());
                if (line.strip().length() >= 16) {
                    out.add(line.strip());
                }
            }
        }
        byte[] der = Base64.getDecoder().decode(body.toString());
        for (int at : new int[] {der.length / 4, der.length / 2, der.length - 30}) {
            byte[] run = java.util.Arrays.copyOfRange(der, at, at + 24);
            out.add(new String(run, StandardCharsets.ISO_8859_1));
            out.add(HexFormat.of().formatHex(run));
            out.add(HexFormat.of().withUpperCase().formatHex(run));
            out.add(Base64.getEncoder().encodeToString(run).substring(0, 28));
        }
        return out;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

}
