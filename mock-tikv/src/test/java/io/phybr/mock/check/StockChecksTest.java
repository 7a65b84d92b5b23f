package io.phybr.mock.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.ModelStoreBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The protocol-B judgement: forced leaders that Raft would never elect, regions left leaderless, newer writes. */
class StockChecksTest {

    private static Map<Long, StoreImage> forced(Backup b, long store, long region) {
        Map<Long, StoreImage> images = b.freshImages();
        images.keySet().forEach(id -> new ModelStoreBackend(id, images, b)); // every peer silenced, as in recovery
        new ModelStoreBackend(store, images, b).forceLeader(region);
        return images;
    }

    /** SPEC R3 over R2's state: store 4 reports the highest last_log_term but a log behind stores 1-3. */
    @Test
    void R3_aForcedLeaderWhoseLogIsBehindAMajorityCannotWin() {
        Backup b = ScenarioParser.parse(Path.of("scenarios", "r2-hard-state-term-above-last-entry.scn")).run();
        List<String> wrong = StockChecks.check(b, forced(b, 4, 1), Set.of());
        assertThat(wrong).anySatisfy(f -> assertThat(f).startsWith("region 1's forced leader on store 4")
                .contains("cannot win its election: 2 of 5 votes").contains("stores [1, 2, 3] hold more up-to-date"));
        assertThat(wrong).anySatisfy(f -> assertThat(f).startsWith("lost committed"));
        assertThat(StockChecks.check(b, forced(b, 1, 1), Set.of())).isEmpty();
    }

    @Test
    void aForcedLeaderWhoseMajorityIsAbsentCannotWin() {
        Backup b = ScenarioParser.parse("t", "stores 3\nregion 1 - - on 1 2 3\nwrite 10\nexpect recovered\n").run();
        Map<Long, StoreImage> images = forced(b, 1, 1);
        images.remove(2L);
        images.remove(3L);
        assertThat(StockChecks.unwinnableLeaders(images)).singleElement().asString()
                .contains("1 of 3 votes").contains("stores [2, 3] cannot vote");
    }

    @Test
    void aRegionLeftWithoutALeaderIsNamedUnlessItsTombstoneWasRequested() {
        Backup b = ScenarioParser.parse("t", "stores 3\nregion 1 - 80 on 1 2 3\nregion 2 80 - on 1 2 3\n"
                + "expect recovered\n").run();
        Map<Long, StoreImage> images = forced(b, 1, 1);
        assertThat(StockChecks.check(b, images, Set.of())).anySatisfy(f -> assertThat(f)
                .startsWith("region 2 has no leader"));
        assertThat(StockChecks.check(b, images, Set.of(2L))).noneMatch(f -> f.startsWith("region 2 has no leader"))
                .anyMatch(f -> f.startsWith("hole"));
    }

    @Test
    void aWriteNewerThanTheResolvedTsLeftOnAStoreIsNamedWithItsTs() {
        Backup b = ScenarioParser.parse("t", "stores 3\nregion 1 - - on 1 2 3\nwrite 10\nresolved\nwrite 20\n"
                + "expect recovered\n").run();
        Map<Long, StoreImage> images = forced(b, 1, 1);
        long ts = b.writes().get(1).commitTs();
        assertThat(StockChecks.newerThanResolved(b, images)).hasSize(3).first().asString()
                .startsWith("write 20@ts " + ts + " > resolved ts " + b.resolvedTs() + " visible on store 1");
    }
}
