package io.phybr.mock.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.ModelStoreBackend;
import io.phybr.mock.stock.StockCheck;
import io.phybr.mock.stock.StockLayouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 4: {@code recover --resolved-ts 0} deleted every key and the check printed PASS, because it only
 * looked for writes newer than the resolved ts. Both checks must also find committed writes at or below it gone.
 */
class ResolvedTsCheckTest {

    /** The in-memory stores of {@code mock-tikv stores}: resolving at ts 0 deletes every write; the check fails. */
    @Test
    void theStockCheckFailsARecoveryThatResolvedAtTsZero() {
        long resolvedTs = 100;
        List<InMemoryStoreBackend> stores = build();
        Map<Long, List<InMemoryStoreBackend.Kv>> committed = StockCheck.committedWrites(stores, resolvedTs);
        assertThat(committed.values().stream().mapToInt(List::size).sum()).isEqualTo(2 * 6);
        stores.forEach(s -> s.resolve(0, (n, ts) -> { }));
        List<String> problems = StockCheck.check(stores, resolvedTs, committed);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("store 1 lost the committed write at ts")
                .contains("at or below the resolved ts 100"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("store 2 lost 6 committed writes"));
        // the old check, which only looked for leftovers, saw nothing wrong: that is the bug
        assertThat(StockCheck.check(stores, resolvedTs)).noneMatch(p -> p.contains("lost"));
    }

    @Test
    void theStockCheckPassesARecoveryThatResolvedAtTheRightTs() {
        long resolvedTs = 100;
        List<InMemoryStoreBackend> stores = build();
        Map<Long, List<InMemoryStoreBackend.Kv>> committed = StockCheck.committedWrites(stores, resolvedTs);
        stores.forEach(s -> s.resolve(resolvedTs, (n, ts) -> { }));
        assertThat(StockCheck.check(stores, resolvedTs, committed)).noneMatch(p -> p.contains("lost")
                || p.contains("still holds"));
    }

    private static List<InMemoryStoreBackend> build() {
        List<InMemoryStoreBackend> stores = MockStockCluster.backends(StockLayouts.healthy(2, 3, 9));
        for (InMemoryStoreBackend s : stores) {
            for (int i = 0; i < 10; i++) {
                // ts 90..108: six committed writes at or below 100, three newer, one lock
                s.addKv(new InMemoryStoreBackend.Kv(("key" + i).getBytes(), 90 + i * 2, i == 9));
            }
        }
        return stores;
    }

    /** The history model's checker: forced leaders right, but ResolveKvData at ts 0 — committed writes lost. */
    @Test
    void theModelCheckerFailsARecoveryThatResolvedAtTsZero() {
        Backup backup = ScenarioParser.parse("t", """
                stores 3
                region 1 - 80 on 1 2 3
                region 2 80 - on 1 2 3
                write 10 x2
                write 90
                resolved
                write 20
                expect recovered
                """).run();
        assertThat(backup.mustSurvive()).hasSize(3);
        assertThat(runStock(backup, 0)).anySatisfy(f -> assertThat(f).startsWith("lost committed write#0"))
                .anySatisfy(f -> assertThat(f).startsWith("lost committed write#2"));
        assertThat(runStock(backup, backup.resolvedTs())).isEmpty();
    }

    private static List<String> runStock(Backup backup, long resolveAt) {
        Map<Long, StoreImage> images = backup.freshImages();
        List<ModelStoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        backends.get(0).forceLeader(1);
        backends.get(1).forceLeader(2);
        backends.forEach(b -> b.resolve(resolveAt, (n, ts) -> { }));
        return ModelStoreBackend.check(backup, images, List.of());
    }
}
