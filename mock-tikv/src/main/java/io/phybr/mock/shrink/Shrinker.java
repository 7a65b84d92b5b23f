package io.phybr.mock.shrink;

import io.phybr.mock.check.Checker;
import io.phybr.mock.history.Step;
import io.phybr.mock.model.Backup;
import io.phybr.mock.scenario.Expectation;
import io.phybr.mock.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Shrinks a failing scenario to a small one that still fails, so a developer replays a failure as a story of a few
 * steps rather than as a seed: delta debugging (Zeller's ddmin) over the history's steps — whole chunks first,
 * then single steps — then each store and each fault that can go. A candidate counts only if its history can
 * happen (the model runs it) and loses no committed write by itself (else "recovered" is no longer the right
 * expectation and the failure would be a different one); {@code fails} decides the rest, e.g. "our adviser's
 * rehearsal of it does not pass".
 *
 * <p>The result is 1-minimal in steps: removing any one of its steps makes it pass or makes it impossible.
 */
public final class Shrinker {
    /** What shrinking found: the smallest failing scenario, and how many candidates it tried. */
    public record Result(Scenario scenario, int stepsBefore, int stepsAfter, int storesBefore, int tried) {
    }

    private final Predicate<Scenario> fails;
    private final int maxTries;
    private int tried;

    /** {@code fails} is called on each candidate (it may run a whole rehearsal); at most {@code maxTries} of them. */
    public Shrinker(Predicate<Scenario> fails, int maxTries) {
        this.fails = fails;
        this.maxTries = maxTries;
    }

    /** Shrinks {@code failing} (which must fail); {@code note} goes into the description, e.g. the seed. */
    public Result shrink(Scenario failing, String note) {
        if (!failsValidly(failing)) {
            throw new IllegalArgumentException("scenario " + failing.name() + " does not fail: nothing to shrink");
        }
        Scenario s = failing;
        s = steps(s);
        s = regions(s);
        s = steps(s); // fewer regions can free more steps
        s = stores(s);
        s = faults(s);
        s = steps(s); // fewer stores can free more steps
        List<String> desc = List.of("shrunk from " + note + ": " + failing.steps().size() + " steps on "
                + failing.stores().size() + " stores down to " + s.steps().size() + " steps on " + s.stores().size()
                + " stores (" + tried + " candidates tried); " + (tried < maxTries
                ? "every step below is needed for the failure" : "stopped after " + maxTries + " candidates: it may shrink further"));
        Scenario out = new Scenario(failing.name() + "-shrunk", desc, s.stores(), s.steps(), List.of(), s.faults(),
                s.expectation(), s.collectTimeout(), s.closeTimeout());
        return new Result(out, failing.steps().size(), s.steps().size(), failing.stores().size(), tried);
    }

    /** ddmin over the steps. */
    private Scenario steps(Scenario s) {
        List<Step> steps = s.steps();
        int n = 2;
        while (steps.size() >= 1 && tried < maxTries) {
            int chunk = (steps.size() + n - 1) / n;
            boolean reduced = false;
            for (int from = 0; from < steps.size() && tried < maxTries; from += chunk) {
                List<Step> without = new ArrayList<>(steps.subList(0, from));
                without.addAll(steps.subList(Math.min(steps.size(), from + chunk), steps.size()));
                Scenario c = with(s, s.stores(), without, s.faults());
                if (failsValidly(c)) {
                    steps = without;
                    s = c;
                    n = Math.max(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (chunk == 1) {
                    break; // every single step is needed
                }
                n = Math.min(n * 2, steps.size());
            }
        }
        return s;
    }

    /**
     * Fewer regions: two bootstrapped neighbours become one region spanning both (keeping either one's id), so the
     * story keeps only the regions the failure needs and the key space still tiles.
     */
    private Scenario regions(Scenario s) {
        boolean merged = true;
        while (merged && tried < maxTries) {
            merged = false;
            List<Step> steps = s.steps();
            for (int i = 0; i < steps.size() && !merged && tried < maxTries; i++) {
                if (!(steps.get(i) instanceof Step.Region a)) {
                    continue;
                }
                for (int j = 0; j < steps.size() && !merged && tried < maxTries; j++) {
                    if (!(steps.get(j) instanceof Step.Region b) || a.end().length == 0
                            || !java.util.Arrays.equals(a.end(), b.start())) {
                        continue;
                    }
                    long version = Math.max(a.version(), b.version());
                    for (boolean keepA : new boolean[] {true, false}) {
                        Step.Region kept = keepA ? new Step.Region(a.id(), a.start(), b.end(), a.stores(), version)
                                : new Step.Region(b.id(), a.start(), b.end(), b.stores(), version);
                        List<Step> fewer = new ArrayList<>(steps);
                        fewer.set(keepA ? i : j, kept);
                        fewer.remove(keepA ? j : i);
                        Scenario c = with(s, s.stores(), fewer, s.faults());
                        if (failsValidly(c)) {
                            s = c;
                            merged = true;
                            break;
                        }
                    }
                }
            }
        }
        return s;
    }

    private Scenario stores(Scenario s) {
        for (Long store : new ArrayList<>(s.stores())) {
            if (s.stores().size() <= 1 || tried >= maxTries) {
                break;
            }
            List<Long> fewer = new ArrayList<>(s.stores());
            fewer.remove(store);
            Scenario c = with(s, fewer, s.steps(), s.faults());
            if (failsValidly(c)) {
                s = c;
            }
        }
        return s;
    }

    private Scenario faults(Scenario s) {
        for (var f : new ArrayList<>(s.faults())) {
            if (tried >= maxTries) {
                break;
            }
            List<io.phybr.mock.fault.Fault> fewer = new ArrayList<>(s.faults());
            fewer.remove(f);
            Scenario c = with(s, s.stores(), s.steps(), fewer);
            if (failsValidly(c)) {
                s = c;
            }
        }
        return s;
    }

    private boolean failsValidly(Scenario c) {
        tried++;
        Backup b;
        try {
            b = c.run();
        } catch (IllegalArgumentException impossible) { // a step on a region or store that is gone
            return false;
        }
        if (c.expectation().outcome() == Expectation.Outcome.RECOVERED) {
            Set<Long> all = new TreeSet<>(c.stores());
            if (!Checker.historyLoss(b, all).isEmpty()) {
                return false;
            }
        }
        return fails.test(c);
    }

    private static Scenario with(Scenario s, List<Long> stores, List<Step> steps, List<io.phybr.mock.fault.Fault> faults) {
        return new Scenario(s.name(), List.of(), stores, steps, List.of(), faults, s.expectation(), s.collectTimeout(),
                s.closeTimeout());
    }
}
