package io.phybr.mock.cli;

import io.phybr.mock.MockCluster;
import io.phybr.mock.Rehearsal;
import io.phybr.mock.gen.RandomHistory;
import io.phybr.mock.replay.DumpReplay;
import io.phybr.mock.replay.ReplayChecks;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a cluster comes from: a scenario file, a seed, a region dump, or the built-in default
 * scenario. A picocli mixin shared by {@code agents} and by the rehearsal's command line.
 */
public final class ClusterSource {
    static final String DEFAULT = "/io/phybr/mock/default.scn";

    @Option(names = "--scenario", paramLabel = "FILE", description = "Scenario file to replay.")
    Path scenario;

    @Option(names = "--seed", paramLabel = "N", description = "Draw a random history from this seed instead.")
    Long seed;

    @Option(names = "--dump", paramLabel = "DUMP",
            description = "Replay a region dump instead, e.g. reports.jsonl of a recorded run: its stores report"
                    + " exactly what the dump holds. With a manifest.json beside it, the recorded run's policy is"
                    + " used and the plan is compared with the recorded one.")
    Path dump;

    /** Set by {@link #load} when the cluster comes from a dump. */
    private DumpReplay replay;

    @Option(names = "--stores", paramLabel = "N", description = "With --seed: number of stores (default: drawn).")
    int stores;

    @Option(names = "--regions", paramLabel = "K", description = "With --seed: initial regions (default: drawn).")
    int regions;

    @Option(names = "--steps", paramLabel = "M", description = "With --seed: history steps (default: drawn).")
    int steps;

    /** The scenario to run; bad options or input are an {@link IllegalArgumentException} or {@code ScenarioException}. */
    public Scenario load(boolean defaultAllowed) {
        if (scenario != null && seed != null) {
            throw new IllegalArgumentException("give either --scenario or --seed, not both");
        }
        if (dump != null) {
            if (scenario != null || seed != null) {
                throw new IllegalArgumentException("give --dump alone, without --scenario or --seed");
            }
            replay = DumpReplay.load(dump, w -> System.err.println("mock-tikv: warning: " + w));
            return replay.scenario();
        }
        if (scenario == null && seed == null && (stores != 0 || regions != 0 || steps != 0)) {
            throw new IllegalArgumentException("--stores, --regions and --steps only go with --seed");
        }
        if (stores < 0 || regions < 0 || steps < 0 || stores > 1000 || regions > 100_000 || steps > 1_000_000) {
            throw new IllegalArgumentException("--stores must be 1..1000, --regions 1..100000, --steps 1..1000000");
        }
        if (scenario != null) {
            return ScenarioParser.parse(scenario);
        }
        if (seed != null) {
            return RandomHistory.generate(seed, RandomHistory.Options.defaults().withSizes(stores, regions, steps));
        }
        if (!defaultAllowed) {
            throw new IllegalArgumentException("give --scenario FILE or --seed N");
        }
        return ScenarioParser.parseResource(DEFAULT);
    }

    /** The dump being replayed, once {@link #load} read one. */
    public java.util.Optional<DumpReplay> replay() {
        return java.util.Optional.ofNullable(replay);
    }

    /** The result, judged also by the dump-only checks when the cluster came from a dump. */
    public Rehearsal.Result judge(MockCluster cluster, Rehearsal.Result result, PrintWriter out) {
        return replay == null ? result : ReplayChecks.judge(replay, cluster, result, out);
    }

    /** The seed of a random history, else 0. */
    public long seedOrZero() {
        return seed == null ? 0 : seed;
    }
}
