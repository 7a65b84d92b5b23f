package io.phybr.adviser.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.phybr.adviser.plan.Rows.Row;
import io.phybr.mock.gen.SeedPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests over seeded generated layouts (see {@link HistoryLayouts}). Each run checks {@link #SEEDS}
 * ({@code SeedPlan}): a fixed corpus of 400 seeds and 40 fresh ones drawn for this run from a printed fresh seed (the
 * 40 that were a fixed batch before; a hunt of 4,000 fresh seeds broke none before they were enabled). Each failure
 * names its seed, its part and the one flag that replays it alone ({@code -Dphybr.seed=SEED}, e.g.
 * {@code mvn -B -o -pl phybr-adviser -am test -Dtest=PlannerPropertyTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dphybr.seed=SEED}); {@code -Dphybr.planner.freshSeed=F} replays a whole run. A hunt:
 * {@code -Dphybr.planner.count=0 -Dphybr.planner.fresh=4000}; {@code -Dphybr.planner.batch=K} adds a fixed batch of K
 * from {@code -Dphybr.planner.runSeed=R}.
 */
class PlannerPropertyTest {
    private static final PlanOptions[] COMBOS = {
            PlanOptions.of(Policy.SEED),
            PlanOptions.of(Policy.BR),
            new PlanOptions(Policy.BR, Protocol.SEED, false),
            PlanOptions.of(Policy.SEED).withAcceptHoles(true),
            PlanOptions.of(Policy.BR).withAcceptHoles(true),
    };

    /** Corpus 400 + fresh 40 = 440 per property (before: 400 + 40 fixed); each fresh seed a SplittableRandom draw. */
    private static final SeedPlan SEEDS = seedPlan();

    private static SeedPlan seedPlan() {
        SeedPlan plan = SeedPlan.builder("PlannerPropertyTest", "phybr.planner")
                .corpus(400, i -> 0x9E3779B97F4A7C15L * (i + 1)).fixedBatch(2_026_112_830_000L, 0).fresh(40)
                .spread(SeedPlan.Spread.SPLITMIX).onlyProperty("phybr.seed").build();
        System.out.println(plan.banner());
        return plan;
    }

    static LongStream seeds() {
        return SEEDS.seeds().stream().mapToLong(Long::longValue);
    }

    /** Balancing-optimality checks run, and skipped (over 5,000 tied regions or 64 stores: the oracle's time). */
    private static final java.util.concurrent.atomic.AtomicInteger BALANCE_CHECKED = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicInteger BALANCE_SKIPPED = new java.util.concurrent.atomic.AtomicInteger();

    @org.junit.jupiter.api.AfterAll
    static void reportBalancingChecks() {
        int checked = BALANCE_CHECKED.get();
        int skipped = BALANCE_SKIPPED.get();
        System.out.println("PlannerPropertyTest: balancing optimality checked exactly on " + checked + " BR plans, skipped on "
                + skipped + " (over 5,000 tied regions or 64 stores); replay this run: " + SEEDS.replayRun());
        if (System.getProperty("phybr.seed") == null) {
            // the corpus must keep exercising the property: a generator change that skips it everywhere fails here
            assertThat(checked).as("balancing checks run (skipped %d)", skipped).isGreaterThan(skipped);
        }
    }

    private static String repro(HistoryLayouts gen, PlanOptions o) {
        return SEEDS.describe(gen.seed) + ": " + gen.describe() + " " + o;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void generatedLayouts(long seed) {
        HistoryLayouts gen = new HistoryLayouts(seed);
        for (PlanOptions o : COMBOS) {
            check(gen, o);
        }
    }

    /** The same layouts with one malformed report injected: refused, naming its store and region, in any order. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void malformedReportsAreRefusedByName(long seed) {
        HistoryLayouts gen = new HistoryLayouts(seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        List<Row> rows = new ArrayList<>(gen.rows);
        Row bad;
        Row base = rows.isEmpty() ? Row.seedRow(1, 1).withIndex(1).withTerm(1)
                : rows.get(r.nextInt(rows.size()));
        switch (r.nextInt(3)) {
            case 0 -> bad = Row.seedRow(base.store(), base.region()).withIndex(1).withTerm(1);
            case 1 -> bad = Row.seedRow(base.store(), 999_999).withIndex(1).withTerm(1).withRange(new byte[] {5}, new byte[] {5});
            default -> bad = Row.seedRow(base.store(), 0).withIndex(1).withTerm(1);
        }
        rows.add(r.nextInt(rows.size() + 1), bad);
        String where = SEEDS.describe(seed) + " with " + bad + " (in -Dtest=PlannerPropertyTest#malformedReportsAreRefusedByName)";
        for (Policy policy : Policy.values()) {
            PlanOutcome out = Planner.plan(Rows.table(rows), PlanOptions.of(policy));
            assertThat(out).as(where).isInstanceOf(Refusal.class);
            Refusal ref = (Refusal) out;
            assertThat(ref.kind()).as(where).isEqualTo(Refusal.Kind.MALFORMED);
            assertThat(ref.message()).as(where).contains("store " + bad.store() + " region " + bad.region() + ": ")
                    .doesNotContain("\n");
            List<Row> shuffled = new ArrayList<>(rows);
            java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
            assertSame(out, Planner.plan(Rows.table(shuffled), PlanOptions.of(policy)), where + " shuffled");
        }
    }

    /** Pure balancing instances: a tiling of tied regions each leadable on a random subset of ≤6 stores. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void balancingIsOptimal(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        balancing(seed, r, 2 + r.nextInt(5), 1 + r.nextInt(40), "balancingIsOptimal");
    }

    /**
     * The same property beyond the small instances (issue 14: it used to stop at 40 tied regions and 7 stores):
     * 41 to 640 regions over 8 to 48 stores. The oracle is exact at any size (max-flow, polynomial), so nothing
     * is skipped; one seed in ten of the corpus plus the fresh ones keeps the run short.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("largeSeeds")
    void balancingIsOptimalOnLargeLayouts(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
        balancing(seed, r, 8 + r.nextInt(41), 41 + r.nextInt(600), "balancingIsOptimalOnLargeLayouts");
    }

    static LongStream largeSeeds() {
        return seeds().filter(s -> Long.remainderUnsigned(s, 10) == 0 || SEEDS.partOf(s) != SeedPlan.Part.CORPUS);
    }

    private static void balancing(long seed, SplittableRandom r, int stores, int regions, String test) {
        List<Row> rows = new ArrayList<>();
        for (int g = 0; g < regions; g++) {
            // two-byte keys: up to 65,535 regions tile the key space in order
            byte[] start = g == 0 ? new byte[0] : new byte[] {(byte) ((g * 6) >> 8), (byte) (g * 6)};
            byte[] end = g == regions - 1 ? new byte[0] : new byte[] {(byte) (((g + 1) * 6) >> 8), (byte) ((g + 1) * 6)};
            boolean fixed = r.nextInt(4) == 0;
            int width = 1 + r.nextInt(stores);
            long[] chosen = LongStream.rangeClosed(1, stores).toArray();
            for (int i = stores - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                long x = chosen[i];
                chosen[i] = chosen[j];
                chosen[j] = x;
            }
            for (int i = 0; i < width; i++) {
                // A "fixed" region has one clearly best replica; the others tie on every field.
                long lastIndex = fixed && i == 0 ? 11 : 10;
                rows.add(Row.stockRow(chosen[i], g + 1).withPeer(0).withIndex(lastIndex).withTerm(7).withVersion(4)
                        .withRange(start, end));
            }
        }
        PlanOutcome out = Planner.plan(Rows.table(rows), PlanOptions.of(Policy.BR));
        String where = "balancing " + SEEDS.describe(seed) + ", " + regions + " regions on " + stores + " stores"
                + " (in -Dtest=PlannerPropertyTest#" + test + ")";
        assertThat(out).as(where).isInstanceOf(Plan.class);
        Plan p = (Plan) out;
        assertBalanced(p, rows, Oracle.of(rows, Policy.BR), where);
    }

    private static void check(HistoryLayouts gen, PlanOptions o) {
        String where = repro(gen, o);
        PlanOutcome a = Planner.plan(Rows.table(gen.rows), o);
        Oracle oracle = Oracle.of(gen.rows, o.policy());
        // (a) permutation invariance, over several arrival orders.
        for (int k = 1; k <= 3; k++) {
            PlanOutcome b = Planner.plan(Rows.table(gen.shuffled(gen.seed * 31 + k)), o);
            assertSame(a, b, where + " shuffle " + k);
        }
        // Collectors fill one table per store and append them: same plan.
        ReplicaTable merged = new ReplicaTable(4);
        List<Row> arrival = gen.shuffled(gen.seed * 31 + 7);
        for (long s = gen.stores; s >= 1; s--) {
            final long store = s;
            merged.appendAll(Rows.table(arrival.stream().filter(r -> r.store() == store).toList()));
        }
        assertSame(a, Planner.plan(merged, o), where + " appendAll per store");
        assertThat(oracle.malformed).as(where).isEmpty();
        if (!oracle.holes.isEmpty() && !o.acceptHoles()) {
            assertThat(a).as(where + " expected a hole refusal").isInstanceOf(Refusal.class);
            Refusal ref = (Refusal) a;
            assertThat(ref.kind()).as(where).isEqualTo(Refusal.Kind.HOLE);
            List<String> expected = new ArrayList<>();
            for (byte[][] h : oracle.holes) {
                expected.add(Oracle.hole(h));
            }
            for (String h : expected) {
                assertThat(ref.message()).as(where).contains("hole " + h);
            }
            assertThat(ref.problems()).as(where).hasSize(expected.size());
            for (int h = 0; h < Math.min(12, oracle.holes.size()); h++) {
                byte[][] hole = oracle.holes.get(h);
                boolean covered = gen.rows.stream().anyMatch(row -> oracle.regions.get(row.region()).fate != Oracle.Fate.KEPT
                        && Oracle.overlaps(row.start(), row.end(), hole[0], hole[1]));
                assertThat(ref.problems().get(h).endsWith("no replica at all")).as(where + " " + ref.problems().get(h))
                        .isEqualTo(!covered);
            }
            return;
        }
        if (!(a instanceof Plan p)) {
            fail(where + ": refused although the oracle finds no hole: " + ((Refusal) a).message());
            return;
        }
        assertThat(p.acceptedHoles()).as(where).hasSize(oracle.holes.size());
        Map<Long, Long> leaders = new HashMap<>();
        Map<Long, Map<Long, Row>> byRegionStore = new HashMap<>();
        for (Row r : gen.rows) {
            byRegionStore.computeIfAbsent(r.region(), x -> new HashMap<>()).put(r.store(), r);
        }
        assertThat(p.regionCount()).as(where).isEqualTo(oracle.regions.size());
        List<byte[][]> keptRanges = new ArrayList<>();
        for (int g = 0; g < p.regionCount(); g++) {
            long id = p.regionId(g);
            Oracle.Region want = oracle.regions.get(id);
            assertThat(want).as(where + " region " + id).isNotNull();
            Oracle.Fate fate = p.kept(g) ? Oracle.Fate.KEPT
                    : p.fateRule(g) == Rule.GONE ? Oracle.Fate.GONE : Oracle.Fate.DROPPED;
            assertThat(fate).as(where + " fate of region " + id).isEqualTo(want.fate);
            if (want.fate == Oracle.Fate.GONE) {
                assertThat(p.leaderStore(g)).as(where).isEqualTo(-1);
                continue;
            }
            // (c) the leader is a live replica with the maximal sort key; among ties it never has another range/version.
            long store = p.leaderStore(g);
            Row leader = byRegionStore.get(id).get(store);
            assertThat(leader).as(where + " leader of region " + id).isNotNull();
            assertThat(leader.tombstone()).as(where + " leader of region " + id + " is a tombstone").isFalse();
            assertThat(Oracle.key(leader, o.policy(), want.replicas)).as(where + " leader key of region " + id)
                    .isEqualTo(Oracle.key(want.defining, o.policy(), want.replicas));
            assertThat(want.leaderStores).as(where + " leader store of region " + id).contains(store);
            if (want.fate == Oracle.Fate.KEPT) {
                leaders.put(id, store);
                keptRanges.add(new byte[][] {leader.start(), leader.end()});
            }
        }
        // (b) kept regions tile ["", "") exactly once (or leave exactly the accepted holes).
        keptRanges.sort((x, y) -> Oracle.cmp(x[0], y[0]));
        byte[] at = new byte[0];
        int gaps = 0;
        for (int i = 0; i < keptRanges.size(); i++) {
            byte[][] kr = keptRanges.get(i);
            int c = Oracle.cmp(kr[0], at);
            assertThat(i == 0 || c >= 0).as(where + " kept regions overlap at " + Arrays.toString(kr[0])).isTrue();
            if (c > 0 || (i == 0 && kr[0].length > 0)) {
                gaps++;
            }
            if (kr[1].length == 0) {
                assertThat(i).as(where + " a kept region after the one reaching +inf").isEqualTo(keptRanges.size() - 1);
                at = null;
                break;
            }
            at = kr[1];
        }
        if (at != null) {
            gaps++;
        }
        assertThat(gaps).as(where + " holes in the kept tiling").isEqualTo(oracle.holes.size());
        if (!o.acceptHoles()) {
            assertThat(gaps).as(where).isZero();
        }
        // (d), (e), (f): the exact command set of SPEC §4 rule 5, given the leaders.
        String jsonl = Rows.jsonl(p);
        assertThat(jsonl).as(where + " commands").isEqualTo(oracle.expectedJsonl(o.protocol(), leaders));
        // Summary agrees with the regions.
        PlanSummary s = p.summary();
        assertThat(s.regionsKept()).as(where).isEqualTo(leaders.size());
        assertThat(s.regionsKept() + s.regionsDropped() + s.regionsGone()).as(where).isEqualTo(oracle.regions.size());
        assertThat(s.commands()).as(where).isEqualTo(jsonl.isEmpty() ? 0 : jsonl.split("\n").length);
        // (g) optimal balancing (hence within one of the best possible).
        if (o.policy() == Policy.BR) {
            assertBalanced(p, gen.rows, oracle, where);
        }
    }

    private static void assertBalanced(Plan p, List<Row> rows, Oracle oracle, String where) {
        long[] stores = p.stores();
        long[] fixed = new long[stores.length];
        List<int[]> choices = new ArrayList<>();
        Map<Long, Integer> actual = new TreeMap<>();
        for (long s : stores) {
            actual.put(s, 0);
        }
        for (Oracle.Region g : oracle.regions.values()) {
            if (g.fate != Oracle.Fate.KEPT) {
                continue;
            }
            if (g.leaderStores.size() == 1) {
                fixed[Arrays.binarySearch(stores, g.leaderStores.first())]++;
            } else {
                choices.add(g.leaderStores.stream().mapToInt(s -> Arrays.binarySearch(stores, s)).toArray());
            }
        }
        for (int g = 0; g < p.regionCount(); g++) {
            if (p.kept(g)) {
                actual.merge(p.leaderStore(g), 1, Integer::sum);
            }
        }
        assertThat(p.summary().leadersPerStore()).as(where + " leaders per store").isEqualTo(actual);
        if (choices.size() > 5_000 || stores.length > 64) {
            BALANCE_SKIPPED.incrementAndGet(); // reported in reportBalancingChecks, not silent
            return;
        }
        BALANCE_CHECKED.incrementAndGet();
        long optimal = Oracle.optimalMaxLoad(fixed, choices);
        long busiest = actual.values().stream().mapToLong(Integer::longValue).max().orElse(0);
        assertThat(busiest).as(where + " busiest store within one of the optimum " + optimal + ": " + actual)
                .isLessThanOrEqualTo(optimal + 1);
        assertThat(busiest).as(where + " busiest store equals the optimum " + optimal + " (the planner claims optimal): "
                + actual).isEqualTo(optimal);
    }

    private static void assertSame(PlanOutcome a, PlanOutcome b, String where) {
        assertThat(b.getClass()).as(where).isEqualTo(a.getClass());
        if (a instanceof Refusal ra) {
            Refusal rb = (Refusal) b;
            assertThat(rb.kind()).as(where).isEqualTo(ra.kind());
            assertThat(rb.message()).as(where).isEqualTo(ra.message());
            assertThat(rb.problems()).as(where).isEqualTo(ra.problems());
        } else {
            Plan pa = (Plan) a;
            Plan pb = (Plan) b;
            assertThat(Rows.jsonl(pb)).as(where).isEqualTo(Rows.jsonl(pa));
            assertThat(pb.summary().toJson()).as(where).isEqualTo(pa.summary().toJson());
            assertThat(pb.summary().toText()).as(where).isEqualTo(pa.summary().toText());
            for (int g = 0; g < pa.regionCount(); g++) {
                assertThat(pb.explain(pa.regionId(g))).as(where).isEqualTo(pa.explain(pa.regionId(g)));
            }
        }
    }
}
