package io.phybr.adviser.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.cli.CliRun;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.protocol.seed.GrpcCleanup;
import io.phybr.adviser.protocol.seed.Layout;
import io.phybr.contract.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code phybr report RUN_DIR} on a real recording: what the page holds, checked by its structure. */
class ReportCommandTest {
    @RegisterExtension
    final GrpcCleanup cleanup = new GrpcCleanup();

    @TempDir
    Path dir;

    private static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void thePageShowsTheVerdictEveryRegionLeadersAndExplanations() throws Exception {
        Layout layout = Layout.random(13, 3, 80);
        Plan plan = layout.plan();
        Path run = RecordedServeRun.record(dir, cleanup, layout, 3);

        CliRun r = CliRun.of("report", run.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK.code());
        Path page = run.resolve("report.html");
        assertThat(r.out()).contains("wrote " + page);
        String html = Files.readString(page);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<p id=\"verdict\" class=\"verdict ok\">")
                .contains("recovery complete");
        assertThat(count(html, "<rect class=\"seg ")).as("one segment per region seen")
                .isEqualTo(plan.summary().regionsSeen());
        assertThat(count(html, "<rect class=\"seg kept\"")).isEqualTo(plan.summary().regionsKept());
        assertThat(count(html, "<rect class=\"seg dropped\"")).isEqualTo(plan.summary().regionsDropped());
        assertThat(count(html, "<rect class=\"lead\"")).as("one leader mark per kept region").isEqualTo(plan.summary().regionsKept());
        for (long s : new long[] {1, 2, 3}) {
            long led = 0;
            for (int g = 0; g < plan.regionCount(); g++) {
                led += plan.kept(g) && plan.leaderStore(g) == s ? 1 : 0;
            }
            assertThat(html).contains("<tr><td>store " + s + "</td><td class=\"num\">" + led + "</td>");
        }
        long someRegion = plan.regionId(0);
        assertThat(html).contains("\"" + someRegion + "\":").as("explain embedded, as the planner says it")
                .contains(ReportPage.esc(plan.explain(someRegion).orElseThrow()).lines().findFirst().orElseThrow()
                        .replace("&quot;", "\\\"").substring(0, 10));
        // self-contained: nothing is fetched from anywhere when the page is opened
        assertThat(html).doesNotContain("src=").doesNotContain("href=").doesNotContain("@import").doesNotContain("url(");
        try (var files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void notARunDirectoryIsBadInputAndWritesNothing() throws Exception {
        CliRun missing = CliRun.of("report", dir.resolve("nope").toString());
        assertThat(missing.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(missing.err()).contains("is not a directory").doesNotContain("\tat ");
        CliRun empty = CliRun.of("report", dir.toString());
        assertThat(empty.code()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(empty.err()).contains("holds no manifest.json").contains("Nothing was written");
        assertThat(dir.resolve("report.html")).doesNotExist();
    }
}
