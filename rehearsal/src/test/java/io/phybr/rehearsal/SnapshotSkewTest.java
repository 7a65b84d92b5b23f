package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.stock.RetryPolicy;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.adviser.stock.Timeouts;
import io.phybr.contract.ExitCode;
import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.ModelStoreBackend;
import io.phybr.mock.stock.StoreBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * R16 (tidb#43433) with our adviser under both protocols: a store whose kv volume applied entries its raft volume
 * lacks never starts (tikv {@code entry_storage.rs validate_states}), so no report of it arrives. The scenario's
 * expectation (a timeout naming store 3, a failure naming store 3) holds for any correct adviser; ours must also say
 * which TiKV log line tells this cause and what to do, and must change nothing on any store.
 */
class SnapshotSkewTest {
    private MockStockCluster stock;

    @AfterEach
    void tearDown() {
        if (stock != null) {
            stock.close();
        }
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
        assertThat(MockCluster.openChannels()).as("channels left open").isZero();
    }

    private static Scenario skew() {
        return ScenarioParser.parse(Corpus.DIR.resolve("tidb-43433-snapshot-skew.scn"));
    }

    @Test
    void R16_serveNamesTheStoreThatNeverStartedAndTheLogLineThatTellsWhy() throws Exception {
        try (MockCluster cluster = MockCluster.fromScenario(skew())) {
            Rehearsal.Result r = Rehearsal.run(cluster, OurAdviser.inProcess(), Duration.ofSeconds(30));
            assertThat(r.verdict().pass()).as("%s", r.verdict()).isTrue();
            assertThat(r.adviser().diagnosis()).contains("never connected").contains("validate state fail")
                    .contains("tidb#43433").contains("No command was sent to any store");
        }
    }

    @Test
    void R16_recoverNamesTheStoreThatNeverAnsweredAndChangesNothing() throws Exception {
        Backup backup = skew().run();
        Map<Long, StoreImage> images = backup.freshImages();
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        stock = MockStockCluster.builder(backends).start();

        Outcome out = StockRecovery.builder()
                // a hang bound, as recover's default --pd-timeout (nothing here stalls PD): at 5 s a loaded machine
                // could exceed it on a JVM's first PD call (its first channel or HTTP client)
                .pd(new PdClient(List.of(stock.pdAddress()), null, Duration.ofSeconds(30)))
                .resolvedTs(backup.resolvedTs())
                .retry(new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(50)))
                .timeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
                        Duration.ofSeconds(5)))
                .build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.phase()).isEqualTo("collect");
        assertThat(out.verdict()).contains("store 3 (").contains("is unreachable").contains("validate state fail")
                .contains("tidb#43433");
        stock.stores().forEach(s -> assertThat(s.calls()).as("store %d", s.storeId())
                .doesNotContain("RecoverRegion", "WaitApply", "ResolveKvData"));
    }
}
