package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.ExitCode;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.pd.PdClient;
import io.phybr.mock.pd.MockPd;
import io.phybr.mock.pd.PdState;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockLayouts;

/**
 * Issue 12 items 1–2 against the mock PD's R14 (stores register one by one as they boot, tidb-operator#5242): recover
 * waits, bounded and with progress, for every expected TiKV store, names the missing ones at the timeout, and
 * recovers a subset only when the operator names the missing stores.
 */
class LateStoresTest extends StockRecoveryFixture {

    /** Three stores; PD lists only store 1 at first, the others register one per {@code every} listings. */
    private void startWithLateStores(int every, boolean lastNeverComes) throws Exception {
        cluster = MockStockCluster.start(StockLayouts.healthy(3, 10, 9));
        List<MockPd.Store> all = cluster.stores().stream().map(s -> MockPd.Store.tikv(s.storeId(), s.address())).toList();
        cluster.pd().setStores(List.of(all.get(0)));
        cluster.pd().registerLater(every, lastNeverComes ? List.of(all.get(1)) : all.subList(1, 3));
    }

    private StockRecovery.Builder recovery(ExpectedStores expected, Duration wait) {
        // a hang bound, as recover's default --pd-timeout (nothing here stalls PD): at 5 s a loaded machine
        // could exceed it on a JVM's first PD call (its first channel or HTTP client)
        return StockRecovery.builder().finish(io.phybr.adviser.flashback.Finish.RESOLVE).pd(new PdClient(List.of(cluster.pdAddress()), null, Duration.ofSeconds(30)))
                .channels(channels).resolvedTs(RESOLVED_TS)
                .retry(new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(100)))
                .timeouts(new Timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(20)))
                .progressInterval(Duration.ofMillis(200)).expectedStores(expected).storeWait(wait, Duration.ofMillis(20));
    }

    @Test
    void R14_recoverStartedBeforeEveryTikvRegisteredWaitsAndRecoversThemAll() throws Exception {
        startWithLateStores(3, false);
        // What today's adviser did before this fix: PD's list read once = store 1 only; stores 2 and 3 were never
        // collected, never resolved, and kept writes newer than the resolved ts while their peers were recovered.
        Outcome out = recovery(new ExpectedStores(3, Set.of(), Set.of(), "--expected-stores 3"), Duration.ofSeconds(20))
                .build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(out.verdict()).contains("recovered 3 stores");
        for (MockStockStore s : cluster.stores()) {
            assertThat(s.calls()).as("store %d", s.storeId()).contains("ReadRegionMeta", "ResolveKvData");
        }
        assertThat(cluster.pd().pendingStores()).isEmpty();
    }

    @Test
    void R14_aStoreThatNeverRegistersIsNamedAndNothingChanges() throws Exception {
        startWithLateStores(2, true); // store 3 never boots
        PdState before = cluster.pd().state();

        Outcome out = recovery(new ExpectedStores(3, Set.of(1L, 2L, 3L), Set.of(), "the backup meta's tikv.stores"),
                Duration.ofMillis(600)).build().run();

        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.verdict()).contains("waited 600 ms for 3 TiKV stores (the backup meta's tikv.stores: [1, 2, 3])")
                .contains("stores [3] never came up in PD").contains("Nothing was changed").contains("--allow-missing-stores");
        assertThat(cluster.pd().state()).isEqualTo(before);
        assertThat(cluster.pd().mutatingCalls()).isEmpty();
        for (MockStockStore s : cluster.stores()) {
            assertThat(s.calls()).as("store %d", s.storeId()).isEmpty();
        }
    }

    @Test
    void R14_withOnlyACountTheTimeoutSaysHowManyAreMissing() throws Exception {
        startWithLateStores(2, true);
        Outcome out = recovery(new ExpectedStores(3, Set.of(), Set.of(), "--expected-stores 3"), Duration.ofMillis(500))
                .build().run();
        assertThat(out.exitCode()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.verdict()).contains("1 of the 3 expected TiKV stores never came up in PD (only [1, 2] are up");
    }

    @Test
    void R14_aSubsetIsRecoveredOnlyWhenTheOperatorNamesTheMissingStores() throws Exception {
        startWithLateStores(2, true);
        Outcome out = recovery(new ExpectedStores(3, Set.of(1L, 2L, 3L), Set.of(3L), "the backup meta's tikv.stores"),
                Duration.ofSeconds(20)).build().run();
        assertThat(out.exitCode()).as(out.verdict()).isEqualTo(ExitCode.OK);
        assertThat(out.verdict()).contains("recovered 2 stores");
        assertThat(cluster.store(3).calls()).isEmpty();
    }

    @Test
    void R14_moreStoresThanTheBackupHadIsRefusedAtOnce() throws Exception {
        cluster = MockStockCluster.start(StockLayouts.healthy(3, 10, 9));
        Outcome out = recovery(new ExpectedStores(2, Set.of(), Set.of(), "--expected-stores 2"), Duration.ofSeconds(20))
                .build().run();
        assertThat(out.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(out.verdict()).contains("PD lists 3 TiKV stores [1, 2, 3] but --expected-stores 2 says the cluster had 2");
        assertThat(cluster.pd().mutatingCalls()).isEmpty();
    }
}
