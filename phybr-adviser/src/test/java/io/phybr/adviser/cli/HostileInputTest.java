package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.phybr.contract.ExitCode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for the input bugs a hostile run found (issue 14 item 6): each bad input is one paragraph on
 * standard error with the right exit code — no stack trace, no library internals, no raw control bytes.
 */
class HostileInputTest {
    private static final String LINE = "{\"store\":1,\"region_id\":1,\"applied_index\":20,\"term\":6,\"version\":3,"
            + "\"tombstone\":false,\"start_key\":\"\",\"end_key\":\"\"}";

    @TempDir
    Path dir;

    /** One paragraph: no stack trace, no second line, nothing a terminal would interpret. */
    private static PlanCommandTest.Run oneParagraph(PlanCommandTest.Run r) {
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("[Source:").doesNotContainPattern("[\\x00-\\x08\\x0b-\\x1f\\x7f]");
        return r;
    }

    private static PlanCommandTest.Run run(String... args) {
        return PlanCommandTest.run(args);
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    // ---- dump lines ---------------------------------------------------------------------------

    @Test
    void aLineWithoutKeysIndexOrVersionIsRefusedNotPlannedAsTheWholeKeySpace() throws IOException {
        Path in = write("d.jsonl", LINE + "\n{\"store\":2,\"region_id\":1,\"term\":6}\n");
        PlanCommandTest.Run r = oneParagraph(run("plan", "--input", in.toString()));
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(r.err()).contains("dump line 2: store 2 region 1 lacks version, start_key, end_key, applied_index");
        PlanCommandTest.Run stock = oneParagraph(run("plan", "--input", write("s.jsonl", "{\"store\":2,\"region_id\":1,\"peer_id\":3,"
                + "\"last_log_term\":6,\"version\":2,\"start_key\":\"\",\"end_key\":\"\"}\n").toString()));
        assertThat(stock.code()).isEqualTo(6);
        assertThat(stock.err()).contains("dump line 1: store 2 region 1 lacks last_index");
        PlanCommandTest.Run neither = oneParagraph(run("plan", "--input", write("n.jsonl", "{\"store\":2,\"region_id\":1,\"version\":2,"
                + "\"start_key\":\"\",\"end_key\":\"\"}\n").toString()));
        assertThat(neither.err()).contains("lacks applied_index and term (seed) or peer_id");
    }

    @Test
    void duplicateKeysAreRefusedNamingTheLine() throws IOException {
        Path in = write("d.jsonl", LINE + "\n" + LINE.replace("\"term\":6", "\"term\":6,\"term\":9") + "\n");
        PlanCommandTest.Run r = oneParagraph(run("plan", "--input", in.toString()));
        assertThat(r.code()).isEqualTo(6);
        assertThat(r.err()).contains("dump line 2: not valid JSON (Duplicate field 'term')");
    }

    @Test
    void anErrorInsideAJsonStringIsOneLineWithoutLibraryInternals() throws IOException {
        Path in = write("d.jsonl", LINE.replace("\"end_key\":\"\"", "\"end_key\":\"6\u001b[2J\"") + "\n");
        PlanCommandTest.Run r = oneParagraph(run("plan", "--input", in.toString()));
        assertThat(r.code()).isEqualTo(6);
        assertThat(r.err()).contains("dump line 1: not valid JSON").contains("CTRL-CHAR, code 27");
    }

    /** Found by FuzzTest: Jackson parses a string lazily, so a dump ending in a lone quote was exit 1. */
    @Test
    void aDumpEndingInALoneQuoteIsBadInputNotAnInternalError() throws IOException {
        PlanCommandTest.Run r = oneParagraph(run("plan", "--input", write("q.jsonl", LINE + "\n\"").toString()));
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(r.err()).contains("dump line 2: expected one JSON object per line, found a string that never ends");
    }

    /** Found by FuzzTest: an object cut short quoted Jackson's own "[Source: REDACTED …]" location. */
    @Test
    void anObjectCutShortNamesTheLineWithoutJacksonsSourceLocation() throws IOException {
        PlanCommandTest.Run r = oneParagraph(run("plan", "--input", write("c.jsonl", LINE + "\n{\"store\":1").toString()));
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(r.err()).contains("dump line 2: the file ends inside a JSON object").doesNotContain("Source")
                .doesNotContain("REDACTED");
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aFifoIsReadLikeAFile() throws Exception {
        Path fifo = dir.resolve("dump.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        // the writer blocks until plan opens the FIFO; the FIFO has no size, so a seek would fail ("Illegal seek")
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream o = Files.newOutputStream(fifo)) {
                o.write((LINE + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        PlanCommandTest.Run r = run("plan", "--input", fifo.toString());
        writer.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 kept");
    }

    // ---- manifests ------------------------------------------------------------------------------

    private Path recording(String manifest) throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("reports.jsonl"), LINE + "\n");
        Files.writeString(run.resolve("manifest.json"), manifest);
        return run.resolve("reports.jsonl");
    }

    @Test
    void aManifestWithAnArrayWhereAValueBelongsIsBadInputNotANullPointer() throws IOException {
        for (String field : new String[] {"format", "policy", "protocol", "accept_holes", "exit_code", "status"}) {
            Path dump = recording("{\"" + field + "\":[1,[2]],\"format\":\"phybr-run/1\"}"
                    .replace(",\"format\":\"phybr-run/1\"", field.equals("format") ? "" : ",\"format\":\"phybr-run/1\""));
            PlanCommandTest.Run r = oneParagraph(run("plan", "--input", dump.toString()));
            assertThat(r.code()).as(field).isEqualTo(ExitCode.BAD_INPUT.code());
            assertThat(r.err()).as(field).contains("manifest.json: \"" + field + "\" must be").contains("not an array");
        }
    }

    @Test
    void manifestValuesAreRangeChecked() throws IOException {
        PlanCommandTest.Run stores = oneParagraph(run("plan", "--input",
                recording("{\"format\":\"phybr-run/1\",\"stores\":[1,-2]}").toString()));
        assertThat(stores.code()).isEqualTo(6);
        assertThat(stores.err()).contains("\"stores\" must be an array of store ids (positive 64-bit integers), not -2");
        PlanCommandTest.Run exit = oneParagraph(run("plan", "--input",
                recording("{\"format\":\"phybr-run/1\",\"exit_code\":4294967296}").toString()));
        assertThat(exit.err()).contains("\"exit_code\" must be an exit code from 0 to 255 or null");
        PlanCommandTest.Run dup = oneParagraph(run("plan", "--input",
                recording("{\"format\":\"phybr-run/1\",\"policy\":\"br\",\"policy\":\"seed\"}").toString()));
        assertThat(dup.err()).contains("Duplicate field 'policy'");
    }

    // ---- flags ----------------------------------------------------------------------------------

    @Test
    void aDurationThatWouldOverflowIsAUsageError() {
        // picocli's usage error: the message on the first line, the usage after it (as for every bad flag)
        PlanCommandTest.Run r = run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--collect-timeout", "300000000h");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err().lines().findFirst().orElseThrow()).contains("--collect-timeout")
                .contains("'300000000h' is out of range");
        assertThat(r.err()).doesNotContain("Exception");
        PlanCommandTest.Run serve = run("serve", "--stores", "1", "--close-timeout", "99999999999999999m");
        assertThat(serve.code()).isEqualTo(2);
        assertThat(serve.err()).contains("--close-timeout").doesNotContain("Exception");
    }

    @Test
    void aZeroPdTimeoutIsBlamedOnPdTimeoutNotOnPd() {
        PlanCommandTest.Run r = oneParagraph(run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--pd-timeout", "0s"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("phybr recover: --pd-timeout must be longer than 0").doesNotContain("--pd ");
    }

    @Test
    void tlsErrorsNameTheFlagAndTheFile() throws IOException {
        Path ca = write("ca.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        PlanCommandTest.Run r = oneParagraph(run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--ca", ca.toString()));
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(r.err()).contains(ca.toString());
        Path missing = dir.resolve("nope.pem");
        PlanCommandTest.Run gone = oneParagraph(run("recover", "--pd", "127.0.0.1:1", "--resolved-ts", "5", "--ca",
                missing.toString()));
        assertThat(gone.code()).isEqualTo(6);
        assertThat(gone.err()).contains(missing.toString()).contains("does not exist");
    }

    @Test
    void controlBytesFromAGarbagePdAreEscapedNotEchoed() throws Exception {
        HttpServer pd = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pd.createContext("/", x -> {
            byte[] body = "\u001b[2J\u001b]0;pwned\u0007 clear screen\r\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(500, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        pd.start();
        try {
            PlanCommandTest.Run r = run("recover", "--pd", "127.0.0.1:" + pd.getAddress().getPort(), "--resolved-ts", "5", "--expected-stores", "3",
                    "--no-record", "--max-attempts", "1", "--pd-timeout", "5s");
            assertThat(r.code()).isEqualTo(ExitCode.FAILURE.code());
            assertThat(r.err()).contains("\\u001b[2J").contains("\\u0007")
                    .doesNotContainPattern("[\\x00-\\x08\\x0b-\\x1f\\x7f]");
        } finally {
            pd.stop(0);
        }
    }
}
