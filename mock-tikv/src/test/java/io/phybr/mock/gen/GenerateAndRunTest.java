package io.phybr.mock.gen;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link RandomHistory#generateAndRun}'s backup is the one a replay of its scenario makes: the many-histories tests
 * (rehearsal's RandomStockHistoryFastTest) take it instead of running the model a second time, so it must not differ
 * in any peer, any store's data, the writes or the resolved ts.
 */
class GenerateAndRunTest {
    @Test
    void theGeneratorsBackupEqualsAReplayOfItsScenario() {
        // the generator holds the first elections before its first draw (the default); the replay's first step holds them
        for (long seed = 0; seed < 300; seed++) {
            RandomHistory.Generated g = RandomHistory.generateAndRun(seed, RandomHistory.Options.defaults());
            assertThat(g.scenario().render()).as("seed %d", seed)
                    .isEqualTo(RandomHistory.generate(seed, RandomHistory.Options.defaults()).render());
            assertThat(state(g.backup())).as("seed %d", seed).isEqualTo(state(g.scenario().run()));
        }
    }

    /** The same without first elections before the first draw (the generator before issue 14, still an option). */
    @Test
    void withoutFirstElectionsTooTheBackupEqualsAReplayOfItsScenario() {
        RandomHistory.Options o = RandomHistory.Options.defaults().withFirstElections(false);
        for (long seed = 0; seed < 150; seed++) {
            RandomHistory.Generated g = RandomHistory.generateAndRun(seed, o);
            assertThat(g.scenario().render()).as("seed %d", seed).isEqualTo(RandomHistory.generate(seed, o).render());
            assertThat(state(g.backup())).as("seed %d", seed).isEqualTo(state(g.scenario().run()));
        }
    }

    /** Everything a recovery reads of a backup, as text. */
    private static List<String> state(Backup b) {
        List<String> out = new ArrayList<>();
        out.add("resolved ts " + b.resolvedTs());
        b.writes().forEach(w -> out.add(w.toString()));
        b.mustSurvive().forEach(w -> out.add("must survive " + w));
        for (Map.Entry<Long, StoreImage> e : b.freshImages().entrySet()) {
            out.add("store " + e.getKey() + " data " + e.getValue().data + " boot " + e.getValue().bootFailure());
            e.getValue().allPeers().forEach(p -> out.add("store " + e.getKey() + " " + p));
        }
        return out;
    }
}
