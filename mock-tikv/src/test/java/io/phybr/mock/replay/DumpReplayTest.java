package io.phybr.mock.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.scenario.Expectation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replay's expected outcome comes from the recording (or the layout itself), never from a planner. */
class DumpReplayTest {
    private static final String WHOLE = line(1, 1, "", "") + line(2, 1, "", "");
    private static final String HALF = line(1, 1, "", "80") + line(2, 1, "", "80");

    @TempDir
    Path dir;

    private static String line(long store, long region, String start, String end) {
        return "{\"store\":" + store + ",\"region_id\":" + region + ",\"applied_index\":6,\"term\":5,\"version\":1,"
                + "\"tombstone\":false,\"start_key\":\"" + start + "\",\"end_key\":\"" + end + "\"}\n";
    }

    /** A run directory with {@code reports} and a manifest ending as given; a plan file when {@code planned}. */
    private Path recorded(String name, String reports, boolean planned, int exitCode) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        if (planned) {
            Files.writeString(run.resolve("plan.jsonl"), "{\"store\":1,\"region_id\":1,\"term\":5,\"silence\":false,"
                    + "\"tombstone\":false}\n");
        }
        Files.writeString(run.resolve("manifest.json"), "{\"format\":\"phybr-run/1\",\"command\":\"serve\","
                + "\"policy\":\"seed\",\"protocol\":\"seed\",\"accept_holes\":false,\"stores\":[1,2],"
                + "\"plan\":" + (planned ? "\"plan.jsonl\"" : "null") + ",\"status\":\"finished\",\"verdict\":\"v\","
                + "\"exit_code\":" + exitCode + "}\n");
        return Files.writeString(run.resolve("reports.jsonl"), reports);
    }

    @Test
    void aRecordedPlanMustBeReproducedEvenWhenTheRunFailedAfterPlanning() throws Exception {
        // exit code 4: a store never closed; the replay's agents do close, so the plan is what must be reproduced
        DumpReplay r = DumpReplay.load(recorded("timed-out", WHOLE, true, 4), w -> { });
        assertThat(r.scenario().expectation()).isEqualTo(Expectation.RECOVERED);
        assertThat(r.recordedPlan()).isPresent();
        assertThat(r.scenario().render()).contains("since the recorded run planned (exit code 4");
    }

    @Test
    void aRecordedRefusalMustBeRefusedAgainWhateverTheLayoutLooksLike() throws Exception {
        // the layout covers the key space, so only the recording can say the run refused
        DumpReplay r = DumpReplay.load(recorded("refused", WHOLE, false, 3), w -> { });
        assertThat(r.scenario().expectation().outcome()).isEqualTo(Expectation.Outcome.REFUSED);
    }

    @Test
    void withoutARecordingTheMockJudgesTheLayoutItself() throws Exception {
        Path whole = Files.writeString(dir.resolve("whole.jsonl"), WHOLE);
        assertThat(DumpReplay.load(whole, w -> { }).scenario().expectation()).isEqualTo(Expectation.RECOVERED);
        Path half = Files.writeString(dir.resolve("half.jsonl"), HALF);
        DumpReplay r = DumpReplay.load(half, w -> { });
        assertThat(r.scenario().expectation()).isEqualTo(new Expectation(Expectation.Outcome.REFUSED, "hole"));
        assertThat(r.scenario().render()).contains("(no manifest.json beside the dump): refused, as no live replica"
                + " covers");
    }

    @Test
    void aRunThatNeverPlannedNorRefusedIsJudgedFromTheLayout() throws Exception {
        DumpReplay r = DumpReplay.load(recorded("lost-store", HALF, false, 5), w -> { });
        assertThat(r.scenario().expectation().outcome()).isEqualTo(Expectation.Outcome.REFUSED);
        assertThat(r.scenario().render()).contains("the recorded run neither planned nor refused");
    }
}
