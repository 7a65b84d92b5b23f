package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.Fault.Rpc;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StockCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13: SIGKILL of the real {@code recover} jar in the middle of the flashback finish — every region prepared
 * (refusing reads and writes), the FlashbackToVersion stage begun — then a rerun. The rerun by flashback reuses the
 * killed run's timestamps, takes every region out of the flashback state and leaves PD as the operator had it. (A
 * rerun asked to finish by resolve instead is refused with nothing changed: FlashbackFinishTest, in process — a third
 * jar run here would cost the CI budget another JVM.) The kill lands by what the mock sees (the first FlashbackToVersion reaching a
 * store, which answers ServerIsBusy a few times so the stage lasts while we look), never by sleeping.
 */
@ExtendWith(DumpsClusterOnFailure.class)
class FlashbackCrashRerunIT {
    private static final long RESOLVED_TS = StockFixture.RESOLVED_TS;
    private static final Duration EXIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(cluster);
    }

    @Test
    void aSigkillMidFlashbackThenARerunFinishesTheFlashbackWithTheSameTimestamps() throws Exception {
        StockFixture fixture = StockFixture.start(24, 4_300);
        cluster = fixture.cluster;
        PdState before = cluster.pd().state();
        Path runs = tmp.resolve("runs");
        // each store answers its first FlashbackToVersion calls ServerIsBusy: the stage lasts while we look
        cluster.stores().forEach(s -> s.faults().add(new Fault.Busy(s.storeId(), Rpc.FLASHBACK, 4)));

        Path killed = runs.resolve("2026-11-26T120000Z-recover");
        try (RecoverProcess p = RecoverProcess.start(tmp, args(killed, "flashback"))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> anyStoreCalled("KvFlashbackToVersion") || !p.process.isAlive());
            assertThat(p.process.isAlive()).as("the run reached the flashback stage alive; stderr:%n%s", p.err()).isTrue();
            p.process.destroyForcibly(); // SIGKILL: no hook runs, nothing is put back
            p.process.waitFor();
        }
        assertThat(preparedRegions()).as("the killed run left regions in the flashback state").isPositive();
        // the rerun by flashback (the default on the mock's TiKV 7.5.1)
        Path rerun = runs.resolve("2026-11-26T120500Z-recover");
        try (RecoverProcess p = RecoverProcess.start(tmp, args(rerun, null))) {
            assertThat(p.await(EXIT)).as("rerun after a kill mid-flashback:%n%s", p.err()).isZero();
        }
        JsonNode first = manifest(killed).path("finish").path("flashback");
        JsonNode again = manifest(rerun).path("finish").path("flashback");
        assertThat(again.path("start_ts")).as("the rerun reuses the killed run's timestamps").isEqualTo(first.path("start_ts"));
        assertThat(again.path("commit_ts")).isEqualTo(first.path("commit_ts"));
        assertThat(preparedRegions()).as("no region left in the flashback state").isZero();
        List<InMemoryStoreBackend> backends = cluster.stores().stream().map(s -> (InMemoryStoreBackend) s.backend()).toList();
        assertThat(StockCheck.check(backends, RESOLVED_TS)).isEmpty();
        assertThat(cluster.pd().state().withoutAllocId().diff(before.withoutAllocId().withMarker(false)))
                .as("PD after the rerun, against the operator's").isEmpty();
    }

    private int preparedRegions() {
        return cluster.stores().stream().mapToInt(s -> ((InMemoryStoreBackend) s.backend()).ledger().preparedRegions().size())
                .sum();
    }

    private boolean anyStoreCalled(String rpc) {
        return cluster.stores().stream().anyMatch(s -> s.calls().stream().anyMatch(c -> c.startsWith(rpc)));
    }

    private static JsonNode manifest(Path run) throws Exception {
        return JSON.readTree(Files.readString(run.resolve("manifest.json")));
    }

    private String[] args(Path record, String finish) {
        List<String> a = new ArrayList<>(List.of("recover", "--pd", cluster.pdAddress(), "--resolved-ts",
                Long.toString(RESOLVED_TS), "--expected-stores", "3", "--retry-backoff", "300ms", "--max-attempts", "5",
                // 30 s (the default): nothing stalls PD here, and the flashback's TSO call (one try) opens a fresh
                // JVM's first gRPC channel, 3.5 s measured at load 22; at 5 s a loaded machine could fail the run
                "--pd-timeout", "30s", "--record", record.toString()));
        if (finish != null) {
            a.addAll(List.of("--finish", finish));
        }
        return a.toArray(new String[0]);
    }
}
