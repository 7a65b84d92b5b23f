package io.phybr.adviser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.adviser.progress.PhaseProgress;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StockLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recover --progress-file} (issue 15 item 2): the phases' figures as JSON, replaced atomically. */
class ProgressFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(cluster);
    }

    @Test
    void theLastPhasesFiguresAreInTheFileWhenRecoverEnds() throws Exception {
        cluster = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 6, 4))).start();
        Path file = tmp.resolve("progress.json");
        CliRun r = CliRun.of("recover", "--finish", "resolve", "--pd", cluster.pdAddress(), "--resolved-ts", "5", "--expected-stores", "3", "--no-record",
                "--progress-file", file.toString(), "--progress-interval", "20ms");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode p = JSON.readTree(Files.readString(file));
        assertThat(p.path("phase").asText()).isEqualTo("resolve");
        assertThat(p.path("finished").asBoolean()).isTrue();
        assertThat(p.path("stores_done").asInt()).isEqualTo(3);
        assertThat(p.path("stores_total").asInt()).isEqualTo(3);
        assertThat(p.path("eta_ms").asLong()).isZero();
        assertThat(p.path("stores")).hasSize(3).allSatisfy(s -> assertThat(s.path("state").asText()).isEqualTo("done"));
        assertThat(Instant.parse(p.path("updated_at").asText())).isBeforeOrEqualTo(Instant.now());
        // Replaced by rename: no temp file left beside it.
        try (var files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("progress.json");
        }
    }

    @Test
    void anUnwritableProgressFileFailsBeforeAnythingChanges() throws Exception {
        cluster = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 6, 4))).start();
        Path file = tmp.resolve("missing-dir").resolve("progress.json");
        CliRun r = CliRun.of("recover", "--finish", "resolve", "--pd", cluster.pdAddress(), "--resolved-ts", "5", "--expected-stores", "3", "--no-record",
                "--progress-file", file.toString());
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.err()).contains("cannot write the progress file " + file).contains("Nothing was changed");
    }

    @Test
    void theEstimateComesFromTheStoresDoneSoFar() {
        List<PhaseProgress.StoreProgress> none = List.of();
        Instant now = Instant.now();
        assertThat(new PhaseProgress("collect", "metas", 0, 4, 10, 1000, false, none, now).etaMillis()).isEmpty();
        // 1 of 4 stores done in 2 s: the other 3 take about 6 s more.
        PhaseProgress p = new PhaseProgress("collect", "metas", 1, 4, 500, 2000, false, none, now);
        assertThat(p.etaMillis()).hasValue(6000);
        assertThat(p.perSecond()).isEqualTo(250.0);
        JsonNode j = p.toJson();
        assertThat(j.path("eta_ms").asLong()).isEqualTo(6000);
        assertThat(j.path("per_second").asDouble()).isEqualTo(250.0);
        assertThat(new PhaseProgress("collect", "metas", 0, 4, 0, 0, false, none, now).toJson().path("eta_ms").isNull()).isTrue();
        assertThat(new PhaseProgress("collect", "metas", 4, 4, 9, 10, true, none, now).etaMillis()).hasValue(0);
    }
    /**
     * A phase worker that was interrupted still updates the file and keeps its interrupt (hostile4 saw "cannot update
     * the progress file pr.json (null)": the file channel of an interrupted thread closes itself).
     */
    @Test
    void anInterruptedReporterStillUpdatesTheFileAndKeepsItsInterrupt() throws Exception {
        Path file = tmp.resolve("pr.json");
        io.phybr.adviser.progress.ProgressFile f = io.phybr.adviser.progress.ProgressFile.open(file, "recover");
        Thread.currentThread().interrupt();
        try {
            f.accept(new PhaseProgress("collect", "region metas", 1, 3, 42, 10, false, List.of(), Instant.now()));
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        JsonNode p = JSON.readTree(Files.readString(file));
        assertThat(p.path("phase").asText()).isEqualTo("collect");
    }
}
