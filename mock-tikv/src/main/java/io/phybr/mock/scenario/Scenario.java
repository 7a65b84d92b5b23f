package io.phybr.mock.scenario;

import io.phybr.mock.history.Step;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Cluster;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.ModelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A scripted history plus faults and the expected outcome. Built by {@link ScenarioParser} from a
 * scenario file, or by the random generator; {@link #render()} writes it back as a file.
 */
public final class Scenario {
    private final String name;
    private final List<String> description;
    private final List<Long> stores;
    private final List<Step> steps;
    private final List<Integer> stepLines;
    private final List<Fault> faults;
    private final Expectation expectation;
    private final Duration collectTimeout;
    private final Duration closeTimeout;
    private String knownIssue;
    private String knownStockIssue;

    public Scenario(String name, List<String> description, List<Long> stores, List<Step> steps, List<Integer> stepLines,
                    List<Fault> faults, Expectation expectation, Duration collectTimeout, Duration closeTimeout) {
        this.name = name;
        this.description = List.copyOf(description);
        this.stores = List.copyOf(stores);
        this.steps = List.copyOf(steps);
        this.stepLines = List.copyOf(stepLines);
        this.faults = List.copyOf(faults);
        this.expectation = expectation;
        this.collectTimeout = collectTimeout;
        this.closeTimeout = closeTimeout;
    }

    public String name() {
        return name;
    }

    public List<Long> stores() {
        return stores;
    }

    public List<Step> steps() {
        return steps;
    }

    public List<Fault> faults() {
        return faults;
    }

    public List<Fault> faults(long store) {
        return faults.stream().filter(f -> f.store() == store).toList();
    }

    public boolean hasFault(long store, Fault.Kind kind) {
        return faults.stream().anyMatch(f -> f.store() == store && f.kind() == kind);
    }

    /** Why the adviser fails this scenario today (an open bug), or null. */
    public String knownIssue() {
        return knownIssue;
    }

    public Scenario withKnownIssue(String issue) {
        Scenario s = new Scenario(name, description, stores, steps, stepLines, faults, expectation, collectTimeout,
                closeTimeout);
        s.knownIssue = issue;
        s.knownStockIssue = knownStockIssue;
        return s;
    }

    /**
     * Why our protocol-B (stock TiKV) recovery fails this scenario today (an open bug the mock exposes), or null.
     * Protocol-A runs ignore it.
     */
    public String knownStockIssue() {
        return knownStockIssue;
    }

    public Scenario withKnownStockIssue(String issue) {
        Scenario s = withKnownIssue(knownIssue);
        s.knownStockIssue = issue;
        return s;
    }

    public Expectation expectation() {
        return expectation;
    }

    public Duration collectTimeout() {
        return collectTimeout;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Runs the history on a fresh cluster. A step that cannot happen fails naming its line. */
    public Backup run() {
        Cluster c = new Cluster(stores);
        for (int i = 0; i < steps.size(); i++) {
            try {
                steps.get(i).apply(c);
            } catch (ModelException e) {
                int line = stepLines.isEmpty() ? 0 : stepLines.get(i);
                throw new ModelException("scenario " + name + (line > 0 ? ", line " + line : ", step " + (i + 1))
                        + " '" + steps.get(i).render() + "': " + e.getMessage());
            }
        }
        return c.finish();
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        for (String d : description) {
            b.append("# ").append(d).append('\n');
        }
        b.append("stores ").append(stores.stream().map(String::valueOf).collect(Collectors.joining(" "))).append('\n');
        boolean anyRegion = steps.stream().anyMatch(s -> s instanceof Step.Region || s instanceof Step.Replica);
        if (!anyRegion) {
            b.append("regions none\n");
        }
        for (Step s : steps) {
            b.append(s.render()).append('\n');
        }
        for (Fault f : faults) {
            b.append(f.render()).append('\n');
        }
        if (!collectTimeout.equals(ScenarioParser.DEFAULT_COLLECT_TIMEOUT)) {
            b.append("option collect-timeout ").append(collectTimeout.toMillis()).append("ms\n");
        }
        if (!closeTimeout.equals(ScenarioParser.DEFAULT_CLOSE_TIMEOUT)) {
            b.append("option close-timeout ").append(closeTimeout.toMillis()).append("ms\n");
        }
        if (knownIssue != null) {
            b.append("known-issue ").append(knownIssue).append('\n');
        }
        if (knownStockIssue != null) {
            b.append("known-issue-stock ").append(knownStockIssue).append('\n');
        }
        b.append(expectation.render()).append('\n');
        return b.toString();
    }

    /** A scenario with every store holding every step but a different expectation (used by tests). */
    public Scenario withExpectation(Expectation e) {
        return new Scenario(name, description, stores, steps, stepLines, faults, e, collectTimeout, closeTimeout)
                .withKnownIssue(knownIssue).withKnownStockIssue(knownStockIssue);
    }

    public Scenario withFaults(List<Fault> newFaults) {
        return new Scenario(name, description, stores, steps, stepLines, newFaults, expectation, collectTimeout,
                closeTimeout).withKnownIssue(knownIssue).withKnownStockIssue(knownStockIssue);
    }

    public Scenario withTimeouts(Duration collect, Duration close) {
        return new Scenario(name, description, stores, steps, stepLines, faults, expectation, collect, close)
                .withKnownIssue(knownIssue).withKnownStockIssue(knownStockIssue);
    }

    @Override
    public String toString() {
        return name;
    }

    static List<Step> defaultRegion(List<Long> stores) {
        List<Long> on = new ArrayList<>(stores.subList(0, Math.min(3, stores.size())));
        return List.of(new Step.Region(1, Keys.EMPTY, Keys.EMPTY, on, 1));
    }
}
