package io.phybr.mock.gen;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: the random histories must reach the states SPEC §4 rules 3 and 5 decide — a displaced region (all its live
 * replicas show a range that a newer version of other regions covers, so it must be tombstoned) — often, or planner
 * mutants that break those rules survive every random history (rehearsal's {@code MutatedPlannerTest}). Counts, over
 * fixed seeds, the protocol-B view of each backup (live replicas only; a region's range and version are those of its
 * replica with the highest last entry term and last index).
 */
class RandomHistoryOverlapsTest {
    static final long BASE = 20_261_127_000L;
    static final int SEEDS = 200;

    /** What one backup's reports show. */
    record Shape(int displaced, int equalVersionOverlaps) {
    }

    @Test
    void displacedRegionsAppearInManyHistories() {
        int displaced = 0;
        int equal = 0;
        for (long seed = BASE; seed < BASE + SEEDS; seed++) {
            Shape s = shape(RandomHistory.generateAndRun(seed, RandomHistory.Options.defaults()).backup());
            displaced += s.displaced() > 0 ? 1 : 0;
            equal += s.equalVersionOverlaps() > 0 ? 1 : 0;
        }
        System.out.printf("of %d random histories (seeds %d..): %d with a displaced region, %d with an equal-version"
                + " overlap%n", SEEDS, BASE, displaced, equal);
        assertThat(displaced).as("histories with a displaced region, of %d", SEEDS).isGreaterThanOrEqualTo(SEEDS / 10);
    }

    /** The displaced regions and equal-version overlaps of one backup's protocol-B reports. */
    static Shape shape(Backup b) {
        Map<Long, Peer> best = new TreeMap<>();
        for (StoreImage img : b.images().values()) {
            for (Peer p : img.allPeers()) {
                if (p.tombstone()) {
                    continue;
                }
                best.merge(p.regionId(), p, (x, y) -> rank(y, x) > 0 ? y : x);
            }
        }
        List<Peer> regions = new ArrayList<>(best.values());
        int displaced = 0;
        int equal = 0;
        for (Peer r : regions) {
            boolean covered = false;
            for (Peer o : regions) {
                if (o == r || !overlaps(r, o)) {
                    continue;
                }
                if (o.version() > r.version()) {
                    covered = true;
                } else if (o.version() == r.version() && o.regionId() > r.regionId()) {
                    equal++;
                }
            }
            displaced += covered ? 1 : 0;
        }
        return new Shape(displaced, equal);
    }

    private static int rank(Peer a, Peer b) {
        int c = Long.compare(a.lastEntryTerm(), b.lastEntryTerm());
        return c != 0 ? c : Long.compare(a.lastIndex(), b.lastIndex());
    }

    private static boolean overlaps(Peer a, Peer b) {
        return (a.end().length == 0 || Keys.compare(b.start(), a.end()) < 0)
                && (b.end().length == 0 || Keys.compare(a.start(), b.end()) < 0);
    }
}
