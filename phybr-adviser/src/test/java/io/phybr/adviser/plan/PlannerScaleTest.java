package io.phybr.adviser.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.contract.dump.SeedReport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Large layouts with a known answer, so the multi-level structures (predecessor bitmap, radix and
 * merge sorts) are exercised at the sizes they exist for. A tiling of N regions (version 5..9) on 3
 * stores; disjoint runs of consecutive tiles merged into newer regions (version 10) that displace
 * them; stale wide regions (version 1..4) that lose everywhere; some tiles gone (all tombstones).
 * Expected fates and holes follow from the construction.
 */
class PlannerScaleTest {
    /** TiKV-like keys: "t", an 8-byte table id, "_r", then the 8-byte handle (19 bytes, 11 shared). */
    private static byte[] key(long k) {
        return ByteBuffer.allocate(19).put((byte) 't').putLong(42).put((byte) '_').put((byte) 'r').putLong(k).array();
    }

    @ParameterizedTest(name = "{0} tiles")
    @ValueSource(ints = {5_000, 100_000})
    void knownAnswerAtScale(int tiles) {
        SplittableRandom r = new SplittableRandom(tiles);
        long[] bounds = new long[tiles + 1];
        long at = 0;
        for (int i = 1; i < tiles; i++) {
            at += 1 + r.nextInt(1000);
            bounds[i] = at;
        }
        ReplicaTable t = new ReplicaTable(tiles * 4);
        byte[][] start = new byte[tiles][];
        byte[][] end = new byte[tiles][];
        for (int i = 0; i < tiles; i++) {
            start[i] = i == 0 ? new byte[0] : key(bounds[i]);
            end[i] = i == tiles - 1 ? new byte[0] : key(bounds[i + 1]);
        }
        boolean[] merged = new boolean[tiles];
        boolean[] gone = new boolean[tiles];
        long nextId = tiles + 1;
        List<long[]> mergedRegions = new ArrayList<>(); // {id, firstTile, lastTile}
        for (int i = 0; i < tiles; ) {
            int roll = r.nextInt(100);
            if (roll < 3 && i + 3 < tiles) {
                int len = 2 + r.nextInt(3);
                mergedRegions.add(new long[] {nextId++, i, i + len - 1});
                for (int k = i; k < i + len; k++) {
                    merged[k] = true;
                }
                i += len;
            } else {
                gone[i] = roll >= 3 && roll < 4;
                i++;
            }
        }
        // Rows arrive store by store in a scrambled store order.
        for (long store : new long[] {2, 3, 1}) {
            for (int i = 0; i < tiles; i++) {
                t.addSeed(new SeedReport().store(store).region(i + 1).appliedIndex(100 + store).term(5)
                        .version(5 + (i % 5)).tombstone(gone[i]).keys(start[i], end[i]));
            }
            for (long[] mr : mergedRegions) {
                t.addSeed(new SeedReport().store(store).region(mr[0]).appliedIndex(50).term(6).version(10)
                        .tombstone(false).keys(start[(int) mr[1]], end[(int) mr[2]]));
            }
        }
        int stale = tiles / 100;
        for (int k = 0; k < stale; k++) {
            int a = r.nextInt(tiles);
            int b = Math.min(tiles - 1, a + r.nextInt(20));
            boolean allGone = true;
            for (int i = a; i <= b; i++) {
                allGone &= gone[i];
            }
            if (allGone) {
                continue; // it would be the only live cover of those keys, and rightly kept
            }
            t.addSeed(new SeedReport().store(1 + r.nextInt(3)).region(nextId++).appliedIndex(1000).term(9)
                    .version(1 + r.nextInt(4)).tombstone(false).keys(start[a], end[b]));
        }

        long t0 = System.nanoTime();
        PlanOutcome out = Planner.plan(t, PlanOptions.of(Policy.SEED).withAcceptHoles(true));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("planned %d tiles (%d replicas) in %d ms%n", tiles, t.size(), ms);
        assertThat(out).isInstanceOf(Plan.class);
        Plan p = (Plan) out;

        int expectKept = mergedRegions.size();
        List<Hole> holes = new ArrayList<>();
        for (int i = 0; i < tiles; i++) {
            int g = p.indexOf(i + 1);
            Rule want = gone[i] && !merged[i] ? Rule.GONE : merged[i] ? (gone[i] ? Rule.GONE : Rule.DROPPED_OVERLAP) : Rule.KEPT;
            assertThat(p.fateRule(g)).as("tile %d", i).isEqualTo(want);
            if (want == Rule.KEPT) {
                expectKept++;
                assertThat(p.leaderStore(g)).as("tile %d leader: highest applied_index is on store 3", i).isEqualTo(3);
            }
            if (gone[i] && !merged[i]) {
                if (!holes.isEmpty() && Arrays.equals(holes.get(holes.size() - 1).end(), start[i])) {
                    holes.set(holes.size() - 1, new Hole(holes.get(holes.size() - 1).start(), end[i]));
                } else {
                    holes.add(new Hole(start[i], end[i]));
                }
            }
        }
        for (long[] mr : mergedRegions) {
            assertThat(p.kept(p.indexOf(mr[0]))).as("merged region %d", mr[0]).isTrue();
        }
        for (long id = tiles + 1 + mergedRegions.size(); id < nextId; id++) {
            assertThat(p.fateRule(p.indexOf(id))).as("stale region %d", id).isEqualTo(Rule.DROPPED_OVERLAP);
        }
        assertThat(p.summary().regionsKept()).isEqualTo(expectKept);
        assertThat(p.acceptedHoles()).isEqualTo(holes);
        // Generous: CI machines are shared; the benchmark module holds the real numbers.
        assertThat(ms).as("planning %d tiles took %d ms", tiles, ms).isLessThan(20_000);
    }
}
