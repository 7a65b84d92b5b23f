package io.phybr.mock.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** How a randomized test's seeds are drawn, printed and replayed (issue 14); properties from a map, never the JVM's. */
class SeedPlanTest {
    private static final String P = "phybr.test";

    private static SeedPlan.Builder plan() {
        return SeedPlan.builder("T", P).corpus(3, i -> 100 + i).fixedBatch(5_000, 4).fresh(2);
    }

    private static SeedPlan plan(Map<String, String> props) {
        return plan().build(props::get);
    }

    @Test
    void unsetGivesTheCorpusTheFixedBatchAndAFreshBatchDrawnNow() {
        SeedPlan p = plan(Map.of());
        List<Long> seeds = p.seeds();
        long f = p.freshSeed();
        assertThat(f).isNotNegative().isLessThan(1L << 62); // a consecutive batch never wraps
        assertThat(seeds).containsExactly(100L, 101L, 102L, 5_000L, 5_001L, 5_002L, 5_003L, f, f + 1);
        assertThat(p.total()).isEqualTo(9);
        assertThat(List.of(p.partOf(100), p.partOf(5_003), p.partOf(f + 1)))
                .containsExactly(SeedPlan.Part.CORPUS, SeedPlan.Part.FIXED, SeedPlan.Part.FRESH);
        assertThat(p.replayRun()).isEqualTo("-Dphybr.test.freshSeed=" + f); // one flag replays a CI run
    }

    @Test
    void theFreshSeedDiffersAcrossDraws() {
        Set<Long> drawn = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            drawn.add(plan(Map.of()).freshSeed());
        }
        assertThat(drawn).hasSize(20); // 20 draws of 62 bits: a repeat has odds of about 2^-54
        assertThat(plan(Map.of(P + ".freshSeed", "random")).freshSeed()).isNotIn(drawn);
    }

    @Test
    void givenSeedsReplay() {
        SeedPlan p = plan(Map.of(P + ".runSeed", "7", P + ".freshSeed", "42"));
        assertThat(p.seeds()).containsExactly(100L, 101L, 102L, 7L, 8L, 9L, 10L, 42L, 43L);
        assertThat(p.replayRun()).isEqualTo("-Dphybr.test.freshSeed=42 -Dphybr.test.runSeed=7");
        SeedPlan random = plan(Map.of(P + ".runSeed", "random"));
        assertThat(random.runSeed()).isNotEqualTo(5_000L);
        assertThat(random.replayRun()).contains("-Dphybr.test.runSeed=" + random.runSeed()); // the drawn one, not "random"
    }

    @Test
    void thePrintedReplayLineRoundTrips() {
        SeedPlan run = plan(Map.of(P + ".fresh", "3", P + ".runSeed", "random"));
        List<Long> seeds = run.seeds();
        Matcher m = Pattern.compile("replay this run: (.*?); one seed").matcher(run.banner());
        assertThat(m.find()).as(run.banner()).isTrue();
        SeedPlan again = plan(flags(m.group(1)));
        assertThat(again.seeds()).isEqualTo(seeds);
        assertThat(again.banner()).isEqualTo(run.banner());

        long failing = seeds.get(seeds.size() - 1);
        String named = run.describe(failing);
        assertThat(named).contains("seed " + failing, "fresh batch of fresh seed " + run.freshSeed());
        Matcher one = Pattern.compile("replay it alone: (\\S+)\\)").matcher(named);
        assertThat(one.find()).as(named).isTrue();
        SeedPlan alone = plan(flags(one.group(1)));
        assertThat(alone.seeds()).containsExactly(failing);
        assertThat(alone.banner()).contains("seed " + failing + " alone");
    }

    /** {@code -Dk=v -Dk2=v2} as properties. */
    private static Map<String, String> flags(String line) {
        Map<String, String> out = new HashMap<>();
        for (String flag : line.trim().split(" ")) {
            assertThat(flag).startsWith("-D");
            String[] kv = flag.substring(2).split("=", 2);
            out.put(kv[0], kv[1]);
        }
        return out;
    }

    @Test
    void countsAreProperties() {
        SeedPlan hunt = plan(Map.of(P + ".count", "0", P + ".batch", "0", P + ".fresh", "1000", P + ".freshSeed", "9"));
        assertThat(hunt.seeds()).isEqualTo(LongStream.range(9, 1009).boxed().toList());
        assertThat(hunt.banner()).contains("1,000 seeds = 0 corpus + 0 fixed (run seed 5000) + 1,000 fresh (fresh seed 9)");
        SeedPlan listed = SeedPlan.builder("L", P).corpus(List.of(4L, 8L)).build(Map.of(P + ".count", "5")::get);
        assertThat(listed.seeds()).containsExactly(4L, 8L); // a listed corpus has no more seeds to give
    }

    @Test
    void splitMixSpreadsABatchAsSplittableRandomDraws() {
        SeedPlan p = plan().spread(SeedPlan.Spread.SPLITMIX).build(Map.of(P + ".freshSeed", "1")::get);
        java.util.SplittableRandom fixed = new java.util.SplittableRandom(5_000);
        java.util.SplittableRandom fresh = new java.util.SplittableRandom(1);
        assertThat(p.seeds().subList(3, 9)).containsExactly(fixed.nextLong(), fixed.nextLong(), fixed.nextLong(),
                fixed.nextLong(), fresh.nextLong(), fresh.nextLong());
    }

    @Test
    void garbageEndsInOneParagraphNamingTheProperty() {
        for (String prop : List.of("runSeed", "freshSeed", "only", "fresh", "batch", "count")) {
            assertThatThrownBy(() -> plan(Map.of(P + "." + prop, "12x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("-Dphybr.test." + prop + "=12x: expected ")
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> plan(Map.of(P + ".fresh", "-1"))).hasMessageContaining("0 or more");
        assertThatThrownBy(() -> plan(Map.of(P + ".only", "random"))).hasMessageContaining("-Dphybr.test.only=random");
    }

    @Test
    void aTestsOwnOneSeedPropertyIsTheReplayFlag() {
        SeedPlan p = plan().onlyProperty("phybr.seed").build(Map.of("phybr.seed", "77")::get);
        assertThat(p.seeds()).containsExactly(77L);
        assertThat(p.describe(77)).contains("-Dphybr.seed=77");
        assertThat(plan(Map.of()).replay(5)).isEqualTo("-Dphybr.test.only=5");
    }

    @Test
    void aSeedNotInTheRunIsRefused() {
        SeedPlan p = plan(Map.of(P + ".freshSeed", "50"));
        p.seeds();
        assertThatThrownBy(() -> p.describe(4)).hasMessageContaining("seed 4 is not one of T's seeds");
    }
}
