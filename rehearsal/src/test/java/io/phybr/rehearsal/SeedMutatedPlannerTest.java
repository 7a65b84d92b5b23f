package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.plan.SeedPlanMutants;
import io.phybr.adviser.protocol.seed.SeedPlannerSeam;
import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.check.PlanFactCheck;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, mutation testing of the checks for protocol A: the deliberately broken seed-policy planners of
 * {@link SeedPlanMutants} (each the real planner with one SPEC §4 rule broken, injected through the seed adviser's
 * package-private planner seam, {@link SeedPlannerSeam}) serve mock-tikv's seed agents in-process — first on the
 * scenario corpus's seed plan-fact scenarios, then on fixed random histories ({@link MockCluster#random}). Each must be
 * caught — by the checker (the cluster's verdict fails), by {@link PlanFactCheck} (an exact plan fact of a scenario
 * broken), or by liveness (the run does not end in time) — while the real planner passes every one of the same runs.
 * Prints which check killed each mutant after how many runs, and the total time. {@code -Dphybr.seed-mutants.histories=K}
 * bounds the random histories; {@code -Dphybr.seed-mutants.whole-corpus=true} runs every corpus scenario and
 * {@code -Dphybr.seed-mutants.every-layer=true} the random histories even after a scenario caught the mutant (how
 * strong each layer is); {@code -Dphybr.seed-mutants.survivors=true} adds the known
 * survivors of {@link SeedPlanMutants#survivors} (the test then fails: they are behaviour-equivalent, see there).
 */
class SeedMutatedPlannerTest {
    static final int HISTORIES = Integer.getInteger("phybr.seed-mutants.histories", 30);
    static final long BASE = 20_261_127_000L;
    /** Run every corpus scenario, not only the plan-fact ones (about 30 s instead of a few). */
    static final boolean WHOLE_CORPUS = Boolean.getBoolean("phybr.seed-mutants.whole-corpus");
    /** Run the random histories for every mutant, even one a scenario already caught (how strong each layer is). */
    static final boolean EVERY_LAYER = Boolean.getBoolean("phybr.seed-mutants.every-layer");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @AfterEach
    void noLeaks() {
        assertThat(MockCluster.openChannels()).as("channels left open").isZero();
    }

    @Test
    void everySeedMutantIsCaughtWhereTheRealPlannerPasses() throws Exception {
        long t0 = System.nanoTime();
        // the scenarios that pin exact protocol-A plan facts (SPEC §4 leaders and tombstones)
        List<Scenario> facts = new ArrayList<>();
        for (var f : Corpus.files().toList()) {
            Scenario s = ScenarioParser.parse(f);
            if ((WHOLE_CORPUS || !s.planFacts(false).isEmpty()) && s.knownIssue() == null) {
                facts.add(s);
            }
        }
        assertThat(facts).as("seed plan-fact scenarios in %s", Corpus.DIR).hasSizeGreaterThanOrEqualTo(5);
        for (Scenario s : facts) {
            assertThat(scenarioRun(s, null)).as("the real planner on %s", s.name()).isNull();
        }
        // the real planner's verdict on each random history a mutant fails, computed once (it must pass them all)
        Map<Long, String> real = new HashMap<>();
        List<SeedPlanMutants.Mutant> mutants = new ArrayList<>(SeedPlanMutants.all());
        if (Boolean.getBoolean("phybr.seed-mutants.survivors")) {
            mutants.addAll(SeedPlanMutants.survivors());
        }
        Map<String, List<String>> kills = new LinkedHashMap<>();
        for (SeedPlanMutants.Mutant m : mutants) {
            List<String> layers = new ArrayList<>();
            String byScenario = scenarioKill(m, facts);
            layers.add("scenarios: " + byScenario);
            // random histories only where the scenarios did not already catch it: keeps CI time down
            layers.add("random histories: " + (byScenario.contains("killed by") && !EVERY_LAYER ? "not needed" : randomKill(m, real)));
            kills.put(m.name(), layers);
            System.out.println("seed mutant " + m.name() + " (" + m.rule() + "):\n  " + String.join("\n  ", layers));
        }
        long caught = kills.values().stream().filter(SeedMutatedPlannerTest::caught).count();
        System.out.printf(Locale.ROOT, "seed mutated planners: %d mutants, %d caught; %d seed plan-fact scenarios and up to"
                + " %d random histories each (%d real-planner baselines run), %.1f s%n", kills.size(), caught, facts.size(),
                HISTORIES, real.size(), (System.nanoTime() - t0) / 1e9);
        kills.forEach((name, layers) -> assertThat(caught(layers)).as("seed mutant %s caught by no check: %s", name, layers)
                .isTrue());
    }

    private static boolean caught(List<String> layers) {
        return layers.stream().anyMatch(l -> l.contains("killed by"));
    }

    /** The first plan-fact scenario whose checker, plan facts or liveness catch the mutant, or that it survived all. */
    private static String scenarioKill(SeedPlanMutants.Mutant m, List<Scenario> facts) throws Exception {
        int runs = 0;
        for (Scenario s : facts) {
            runs++;
            String kill = scenarioRun(s, m);
            if (kill != null) {
                return "killed by " + kill + " on " + s.name() + " [run " + runs + "]";
            }
        }
        return "survived all " + runs;
    }

    /** Which check fails scenario {@code s} under mutant {@code m} (null: the real planner), or null if all hold. */
    private static String scenarioRun(Scenario s, SeedPlanMutants.Mutant m) throws Exception {
        try (MockCluster cluster = MockCluster.fromScenario(s)) {
            Run r = run(cluster, m);
            if (r.kill != null) {
                return r.kill;
            }
            List<String> broken = PlanFactCheck.seed(s, cluster);
            return broken.isEmpty() ? null : "PlanFactCheck: " + abbreviate(broken.toString());
        }
    }

    /**
     * The first random history where the mutant fails the checker or liveness though the real planner passes it,
     * within {@link #HISTORIES}.
     */
    private static String randomKill(SeedPlanMutants.Mutant m, Map<Long, String> real) throws Exception {
        for (int i = 0; i < HISTORIES; i++) {
            long seed = BASE + i;
            String kill = randomRun(seed, m);
            if (kill != null) {
                String baseline = real.computeIfAbsent(seed, k -> {
                    try {
                        return String.valueOf(randomRun(k, null));
                    } catch (Exception e) {
                        throw new IllegalStateException("the real planner's run of seed " + k, e);
                    }
                });
                assertThat(baseline).as("the real planner, seed %d (replay: phybr-rehearsal --seed %d)", seed, seed)
                        .isEqualTo("null");
                return "killed by " + kill + " on seed " + seed + " [run " + (i + 1) + "]";
            }
        }
        return "survived " + HISTORIES + " (seeds " + BASE + "..)";
    }

    private static String randomRun(long seed, SeedPlanMutants.Mutant m) throws Exception {
        try (MockCluster cluster = MockCluster.random(seed)) {
            return run(cluster, m).kill;
        }
    }

    /** One rehearsal; {@code kill} names the check that failed it (null: it passed). */
    private record Run(String kill) {
    }

    private static Run run(MockCluster cluster, SeedPlanMutants.Mutant m) throws Exception {
        Rehearsal.AdviserLauncher launcher = m == null ? OurAdviser.inProcess()
                : OurAdviser.inProcess(SeedPlannerSeam.planWith(m.planner()));
        Rehearsal.Result r;
        try {
            r = Rehearsal.run(cluster, launcher, TIMEOUT);
        } catch (IllegalStateException e) {
            return new Run("liveness: " + abbreviate(e.getMessage())); // the adviser or the agents did not end
        }
        return new Run(r.verdict().pass() ? null : "the checker: " + abbreviate(r.verdict().headline()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
