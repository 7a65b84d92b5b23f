package io.phybr.mock.cli;

import io.phybr.mock.gen.RandomHistory;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a cluster comes from: a scenario file, a seed, or the built-in default scenario. */
final class ClusterSource {
    static final String DEFAULT = "/io/phybr/mock/default.scn";

    @Option(names = "--scenario", paramLabel = "FILE", description = "Scenario file to replay.")
    Path scenario;

    @Option(names = "--seed", paramLabel = "N", description = "Draw a random history from this seed instead.")
    Long seed;

    @Option(names = "--stores", paramLabel = "N", description = "With --seed: number of stores (default: drawn).")
    int stores;

    @Option(names = "--regions", paramLabel = "K", description = "With --seed: initial regions (default: drawn).")
    int regions;

    @Option(names = "--steps", paramLabel = "M", description = "With --seed: history steps (default: drawn).")
    int steps;

    Scenario load(boolean defaultAllowed) {
        if (scenario != null && seed != null) {
            throw new IllegalArgumentException("give either --scenario or --seed, not both");
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

    long seedOrZero() {
        return seed == null ? 0 : seed;
    }
}
