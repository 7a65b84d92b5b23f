package io.phybr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * The planning benchmarks' harnesses work (a smoke test, not a measurement: 2,000 regions, two plans each): both
 * classes build their layout, plan it through the benchmark method, and plan it the same way twice; JMH lists both
 * classes with their own defaults. JMH runs them at 1M and 10M regions (benchmarks/RESULTS.md).
 */
class PlanBenchmarksSmokeTest {
    private static final int REGIONS = 2_000;

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"PlanBenchmark,seed,realistic", "PlanBenchmark,br,realistic", "PlanBenchmark,seed,overlaps",
            "PlanBenchmark,br,overlaps", "Plan10MBenchmark,seed,realistic", "Plan10MBenchmark,br,realistic"})
    void everyPlanningBenchmarkPlansItsLayout(String benchmark, String policy, String layout) {
        PlanTrial b = trial(benchmark, policy, layout);
        b.setUp();
        b.startCpu();
        PlanOutcome first = b.plan();
        PlanOutcome second = b.plan();
        b.printCpu();
        assertThat(first).isInstanceOf(Plan.class);
        Plan p = (Plan) first;
        Plan q = (Plan) second;
        // every region of the layout is in the plan (the overlap layout adds stale regions that lose)
        assertThat(p.regionCount()).isGreaterThanOrEqualTo(REGIONS);
        assertThat(p.commandCount()).isPositive();
        assertThat(q.regionCount()).isEqualTo(p.regionCount());
        assertThat(q.commandCount()).isEqualTo(p.commandCount());
    }

    /**
     * JMH lists each class's own benchmark (none for the abstract base) with its own region counts and fork flags:
     * the 1M class without the 10M fork's smaller young generation, the 10M class with it.
     */
    @Test
    void jmhListsBothPlanningClassesWithTheirOwnRegionsAndForkFlags() throws IOException {
        Map<String, BenchmarkListEntry> plans = new TreeMap<>();
        try (InputStream in = PlanBenchmarksSmokeTest.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            assertThat(in).as("JMH's generated benchmark list").isNotNull();
            for (BenchmarkListEntry e : BenchmarkList.readBenchmarkList(in)) {
                if (e.getUsername().startsWith("io.phybr.bench.Plan")) {
                    plans.put(e.getUsername(), e);
                }
            }
        }
        assertThat(plans).containsOnlyKeys("io.phybr.bench.PlanBenchmark.plan", "io.phybr.bench.Plan10MBenchmark.plan");
        BenchmarkListEntry small = plans.get("io.phybr.bench.PlanBenchmark.plan");
        BenchmarkListEntry big = plans.get("io.phybr.bench.Plan10MBenchmark.plan");
        assertThat(small.getParams().get().get("regions")).containsExactly("100000", "1000000");
        assertThat(big.getParams().get().get("regions")).containsExactly("10000000");
        assertThat(small.getJvmArgsAppend().get()).containsExactly("-Xmx6g", "-XX:+UseParallelGC");
        assertThat(big.getJvmArgsAppend().get()).containsExactly("-Xmx6g", "-XX:+UseParallelGC", "-XX:MaxNewSize=1g");
    }

    private static PlanTrial trial(String benchmark, String policy, String layout) {
        if (benchmark.equals("PlanBenchmark")) {
            PlanBenchmark b = new PlanBenchmark();
            b.regions = REGIONS;
            b.policy = policy;
            b.layout = layout;
            return b;
        }
        Plan10MBenchmark b = new Plan10MBenchmark();
        b.regions = REGIONS;
        b.policy = policy;
        b.layout = layout;
        return b;
    }
}
