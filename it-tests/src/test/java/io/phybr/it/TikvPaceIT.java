package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.ModelStoreBackend;
import io.phybr.mock.stock.RecoveryClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC R5 through the real jar with the adviser's own default timeouts: the stores take TiKV's latencies
 * ({@code leader_keeper.rs}: a 10 s LeaderKeeper period after every step, so a RecoverRegion that campaigns takes
 * ≥ 20 s; {@code services.rs}: ResolveKvData compacts before its stream closes) scaled by
 * {@code -Dphybr.tikv.speedup} — 10 by default (a 1 s period: a few seconds in CI), 1 for TiKV's real pace (about a
 * minute: {@code mvn -B -o verify -pl it-tests -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=TikvPaceIT -Dphybr.tikv.speedup=1}). The scenario is r5-recovery-at-a-tenth-of-tikvs-pace (stores that
 * must campaign, a newer write to remove); only the flags a recover always needs are given, so every bound is the
 * jar's default. The run must recover, every committed write readable, PD as the operator had it, and its
 * RecoverRegion must have taken at least the two periods TiKV takes.
 */
@ExtendWith(DumpsClusterOnFailure.class)
class TikvPaceIT {
    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(cluster);
    }

    @Test
    void R5_theJarsDefaultTimeoutsFitTikvsLatencies() throws Exception {
        double speedup = Double.parseDouble(System.getProperty("phybr.tikv.speedup", "10"));
        Scenario s = ScenarioParser.parse(Path.of(System.getProperty("phybr.scenarios.dir", "../mock-tikv/scenarios"),
                "r5-recovery-at-a-tenth-of-tikvs-pace.scn"));
        Backup backup = s.run();
        Map<Long, StoreImage> images = backup.freshImages();
        RecoveryClock clock = RecoveryClock.scaled(speedup);
        cluster = MockStockCluster.forScenario(s, backup, images).clock(clock).start();
        PdState before = cluster.pd().state();
        Path meta = tmp.resolve("backupmeta.json");
        Files.writeString(meta, ScenarioStockRun.ebsBackupMeta(Math.max(1, backup.resolvedTs()), images.keySet()));
        long t0 = System.nanoTime();
        try (RecoverProcess p = RecoverProcess.start(tmp, "recover", "--pd", cluster.pdAddress(), "--backup-meta",
                meta.toString(), "--finish", "resolve")) {
            int code = p.await(Duration.ofMinutes(10));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.printf("TikvPaceIT: speedup %s, recover took %d ms (LeaderKeeper period %d ms)%n", speedup,
                    took.toMillis(), clock.scale(RecoveryClock.LEADER_KEEPER_PERIOD).toMillis());
            assertThat(code).as("at speedup %s: %s", speedup, p.err()).isZero();
            assertThat(took).as("RecoverRegion campaigns: two LeaderKeeper periods at least")
                    .isGreaterThanOrEqualTo(clock.scale(RecoveryClock.LEADER_KEEPER_PERIOD).multipliedBy(2));
        }
        assertThat(ModelStoreBackend.check(backup, images, cluster.stores())).isEmpty();
        assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(before.withoutAllocId().withMarker(false));
    }
}
