package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.adviser.log.LogSetup;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StockLayouts;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** --log-file/--log-level/--log-format on every command (issue 15 item 1), configured through Logback. */
class LogOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Date, time with milliseconds, and the zone offset (Z or ±hh:mm). */
    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)";

    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void restoreTestLogging() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        // Back to logback-test.xml for the tests that follow in this JVM.
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void recoverWritesJsonEventsWithStableKeysToTheLogFile() throws Exception {
        cluster = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 6, 4))).start();
        Path log = tmp.resolve("recover.log");
        CliRun r = run("recover", "--finish", "resolve", "--pd", cluster.pdAddress(), "--resolved-ts", "5", "--expected-stores", "3", "--no-record",
                "--log-file", log.toString(), "--log-format", "json", "--log-level", "debug");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            events.add(JSON.readTree(line)); // one JSON object per line, or this throws
        }
        assertThat(events).isNotEmpty().allSatisfy(e -> {
            assertThat(e.path("timestamp").asLong()).isPositive();
            assertThat(e.path("level").asText()).isIn("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
            assertThat(e.path("formattedMessage").asText()).isNotEmpty();
        });
        // Every phase that ran on the stores reported its end with the same keys.
        Set<String> phasesDone = new HashSet<>();
        for (JsonNode e : events) {
            JsonNode kv = e.path("kvpList");
            if (kv.isArray() && e.path("formattedMessage").asText().contains("stores done in")) {
                assertThat(keys(kv)).contains("phase", "stores_done", "stores_total", "duration_ms");
                phasesDone.add(value(kv, "phase"));
            }
        }
        assertThat(phasesDone).contains("collect", "recover", "wait-apply", "resolve");
        // Not on stderr: the log went to the file.
        assertThat(r.err()).doesNotContain("stores done in");
    }

    private static Set<String> keys(JsonNode kvList) {
        Set<String> keys = new HashSet<>();
        kvList.forEach(pair -> pair.fieldNames().forEachRemaining(keys::add));
        return keys;
    }

    private static String value(JsonNode kvList, String key) {
        for (JsonNode pair : kvList) {
            if (pair.has(key)) {
                return pair.get(key).asText();
            }
        }
        return null;
    }

    @Test
    void textEventsAreOneLineWithDateZoneAndKeys() throws Exception {
        Path log = tmp.resolve("text.log");
        assertThat(LogSetup.apply("info", LogSetup.Format.TEXT, log)).isNull();
        LoggerFactory.getLogger("io.phybr.adviser.stock.PhaseRunner").atInfo().addKeyValue("phase", "collect")
                .addKeyValue("store", 4).log("a summary\n  over two lines");
        LoggerFactory.getLogger("io.phybr.adviser.stock.PhaseRunner").debug("not at info");
        LoggerFactory.getLogger("x").info("no keys");
        LoggerFactory.getLogger("x").warn("failed", new IllegalStateException("boom", new RuntimeException("cause")));
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches(STAMP + " INFO  PhaseRunner a summary \\| over two lines phase=\"collect\" store=\"4\"");
        assertThat(lines.get(1)).matches(STAMP + " INFO  x no keys");
        // A stack trace stays on its event's line.
        assertThat(lines.get(2)).matches(STAMP + " WARN  x failed java.lang.IllegalStateException: boom \\| at .*");
    }

    @Test
    void logbackXmlHasTheSamePatternAsTheProgrammaticSetup() throws Exception {
        String xml;
        try (InputStream in = LogSetup.class.getResourceAsStream("/logback.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // Well-formed XML (tests run with logback-test.xml, so nothing else would notice a broken logback.xml)…
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        // …that Logback itself configures from without an error.
        LoggerContext probe = new LoggerContext();
        ch.qos.logback.classic.joran.JoranConfigurator joran = new ch.qos.logback.classic.joran.JoranConfigurator();
        joran.setContext(probe);
        joran.doConfigure(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        assertThat(probe.getStatusManager().getCopyOfStatusList())
                .noneMatch(st -> st.getLevel() == ch.qos.logback.core.status.Status.ERROR);
        probe.stop();
        Matcher m = Pattern.compile("<pattern>(.*)</pattern>").matcher(xml);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo(LogSetup.TEXT_PATTERN);
    }

    @Test
    void anUnwritableLogFileFailsTheCommandBeforeItStarts() {
        Path log = tmp.resolve("no-such-dir/sub").resolve("x.log");
        Path blocker = tmp.resolve("no-such-dir");
        try {
            Files.writeString(blocker, "a file where a directory should be");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        CliRun r = run("plan", "--input", "nothing.jsonl", "--log-file", log.toString());
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.err()).contains("phybr plan: cannot write the log file " + log);
    }

    @Test
    void badLevelsAndFormatsAreUsageErrorsNamingTheFlag() {
        CliRun r = run("plan", "--input", "d.jsonl", "--log-level", "loud");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--log-level loud: expected error, warn, info, debug or trace");
        r = run("plan", "--input", "d.jsonl", "--log-format", "xml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--log-format xml: expected text or json");
    }

    @Test
    void everyCommandHasTheLoggingFlagsUnderTheirHeading() {
        for (String cmd : new String[] {"recover", "plan", "serve"}) {
            String help = run(cmd, "--help").out();
            int heading = help.indexOf("\nLogging:");
            assertThat(heading).as(cmd).isPositive();
            assertThat(help.indexOf("--log-file=FILE", heading)).as(cmd).isPositive();
            assertThat(help.indexOf("--log-level=LEVEL", heading)).as(cmd).isPositive();
            assertThat(help.indexOf("--log-format=FORMAT", heading)).as(cmd).isPositive();
        }
    }
}
