package io.phybr.adviser.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.dump.SeedReport;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The table's own bookkeeping: its store list and the key storage reserved ahead of a dump's rows. */
class ReplicaTableTest {

    @Test
    void storesAreTheDistinctIdsAscendingWhateverTheirOrder() {
        SplittableRandom r = new SplittableRandom(16);
        for (int round = 0; round < 200; round++) {
            ReplicaTable t = new ReplicaTable();
            TreeSet<Long> want = new TreeSet<>();
            int distinct = 1 + r.nextInt(round < 100 ? 5 : 300); // beyond the set's first 16 slots too
            long[] ids = new long[distinct];
            for (int i = 0; i < distinct; i++) {
                int kind = r.nextInt(6);
                ids[i] = kind == 0 ? 0 : kind == 1 ? -r.nextInt(5) : kind == 2 ? Long.MAX_VALUE - r.nextInt(3)
                        : kind == 3 ? Long.MIN_VALUE + r.nextInt(3) : 1 + r.nextInt(1000);
            }
            int rows = r.nextInt(2000);
            boolean cycling = r.nextBoolean(); // a dump in region order cycles through the stores; else long runs
            for (int i = 0; i < rows; i++) {
                long s = cycling ? ids[i % distinct] : ids[Math.min(distinct - 1, i * distinct / Math.max(1, rows))];
                if (r.nextInt(10) == 0) {
                    s = ids[r.nextInt(distinct)];
                }
                t.addSeed(new SeedReport().store(s).region(1 + i).keys(new byte[0], new byte[0]));
                want.add(s);
            }
            int declared = r.nextInt(4);
            for (int i = 0; i < declared; i++) {
                long s = r.nextBoolean() ? ids[r.nextInt(distinct)] : 5000 + r.nextInt(10);
                t.declareStore(s);
                want.add(s);
            }
            assertThat(t.stores()).as("round %d", round)
                    .containsExactly(want.stream().mapToLong(Long::longValue).toArray());
        }
    }

    /** Reserved bytes: none, fewer than the keys take, about as many, far more; each key reads back as appended. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1, 3_000_000, 9_000_000, 40_000_000})
    void keysReadBackAsAppendedWhateverWasReserved(long reserve) {
        SplittableRandom r = new SplittableRandom(reserve);
        KeyArena arena = new KeyArena();
        List<byte[]> keys = new ArrayList<>();
        List<Long> addrs = new ArrayList<>();
        arena.reserve(reserve);
        long total = 0;
        while (total < 9_000_000) {
            // Mostly short keys, a few longer than a page (4 MiB): those take a page of their own.
            int len = keys.size() % 500 == 77 ? (5 << 20) + r.nextInt(100) : r.nextInt(120);
            byte[] k = new byte[len];
            for (int i = 0; i < len; i += 97) {
                k[i] = (byte) r.nextInt(256);
            }
            if (len > 0) {
                k[len - 1] = (byte) keys.size();
            }
            keys.add(k);
            addrs.add(arena.append(k, 0, len));
            total += len;
            if (keys.size() == 3000) {
                arena.dropReserve(); // rows stop arriving as estimated: what was reserved and not used goes back
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(arena.copy(addrs.get(i), keys.get(i).length)).as("key %d", i).isEqualTo(keys.get(i));
        }
    }
}
