package io.phybr.adviser.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The phases that run on two cores (the radix sorts, the start-key sort, leader choice) give the plan a
 * one-core run gives, byte for byte: every generated layout of the property tests planned with every
 * phase split however small its input ({@link Parallel#threshold} 2, which also hits halves of 1 item)
 * and with none split, under every policy combination.
 */
class PlannerParallelTest {
    private static final List<PlanOptions> COMBOS = List.of(PlanOptions.of(Policy.SEED), PlanOptions.of(Policy.BR),
            new PlanOptions(Policy.BR, Protocol.SEED, false), PlanOptions.of(Policy.BR).withAcceptHoles(true));
    private final int saved = Parallel.threshold;

    @AfterEach
    void restore() {
        Parallel.threshold = saved;
    }

    static LongStream seeds() {
        return LongStream.range(0, 120).map(i -> 0x2545F4914F6CDD1DL * (i + 7));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void splitPhasesPlanByteIdenticallyToOneCore(long seed) {
        HistoryLayouts gen = new HistoryLayouts(seed);
        for (PlanOptions o : COMBOS) {
            Parallel.threshold = Integer.MAX_VALUE;
            PlanOutcome one = Planner.plan(Rows.table(gen.rows), o);
            Parallel.threshold = 2;
            PlanOutcome two = Planner.plan(Rows.table(gen.rows), o);
            String where = "seed " + seed + " " + o + " (" + gen.describe() + ")";
            assertThat(two.getClass()).as(where).isEqualTo(one.getClass());
            if (one instanceof Plan a) {
                Plan b = (Plan) two;
                assertThat(Rows.jsonl(b)).as(where).isEqualTo(Rows.jsonl(a));
                assertThat(b.summary().toJson()).as(where).isEqualTo(a.summary().toJson());
                for (int g = 0; g < a.regionCount(); g++) {
                    assertThat(b.explain(a.regionId(g))).as(where).isEqualTo(a.explain(a.regionId(g)));
                }
            } else {
                assertThat(((Refusal) two).message()).as(where).isEqualTo(((Refusal) one).message());
            }
        }
    }
}
