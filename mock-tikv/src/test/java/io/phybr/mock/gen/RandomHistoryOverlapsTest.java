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
 * Issue 14: the random histories must reach the state SPEC §4 rules 3 and 5 decide — a displaced region (its live
 * replicas show a range that a newer version of another region covers, so it must be tombstoned) — often, or planner
 * mutants that break those rules survive every random history (rehearsal's {@code MutatedPlannerTest}). Counts, over
 * fixed seeds, the protocol-B view of each backup: live replicas only; a region's range and version are those of its
 * replica with the highest last entry term and last index.
 */
class RandomHistoryOverlapsTest {
    static final long BASE = 20_261_127_000L;
    static final int SEEDS = 200;

    /** What one backup's reports show. */
    record Shape(int displaced, int equalVersionOverlaps) {
    }

    @Test
    void displacedRegionsAppearInManyHistories() {
        int[] found = count(RandomHistory.Options.defaults().withFirstElections(true));
        int[] former = count(RandomHistory.Options.defaults().withFirstElections(false));
        System.out.printf("of %d random histories (seeds %d..): %d with a displaced region, %d with an equal-version"
                + " overlap; without first elections %d and %d%n", SEEDS, BASE, found[0], found[1], former[0],
                former[1]);
        // 73 of 200 today. Without first elections (the generator before issue 14: no merge is ever drawn, see
        // Options#withFirstElections) 1 of 200, and merges a lagging store's missing peer blocks
        // (Cluster#mergeRefusal) are not drawn
        assertThat(found[0]).as("histories with a displaced region, of %d", SEEDS).isGreaterThanOrEqualTo(SEEDS / 5);
        // A region's epoch version rises at every split and merge that moves a key to it (tikv apply.rs
        // exec_batch_split: version + 1 for every part; exec_prepare_merge: source + 1; exec_commit_merge:
        // max(source, target) + 1), so the states that ever held one key form one chain of rising versions: no two
        // regions overlap at one version in any Raft history. SPEC §4's tie rule (lower id wins) is reached by
        // region dumps only (scenario equal-version-overlap-lower-id-wins); pinned here so a generator that makes
        // such a state shows it is modelling something TiKV does not do.
        assertThat(found[1] + former[1]).as("histories with an equal-version overlap").isZero();
    }

    private static int[] count(RandomHistory.Options o) {
        int displaced = 0;
        int equal = 0;
        for (long seed = BASE; seed < BASE + SEEDS; seed++) {
            Shape s = shape(RandomHistory.generateAndRun(seed, o).backup());
            displaced += s.displaced() > 0 ? 1 : 0;
            equal += s.equalVersionOverlaps() > 0 ? 1 : 0;
        }
        return new int[] {displaced, equal};
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
