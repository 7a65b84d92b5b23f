package io.phybr.mock.scenario;

import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.FaultSyntax;
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
    private Expectation stockExpectation;
    private String knownStockIssue;
    private String knownFlashbackIssue;
    private Expectation flashbackExpectation;
    private Double tikvSpeedup;
    private boolean brBackupMeta;
    private String modelOnly;
    private List<PlanFact> planFacts = List.of();

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

    /** The faults a seed-protocol agent of {@code store} honours. */
    public List<Fault.AgentFault> agentFaults(long store) {
        List<Fault.AgentFault> out = new ArrayList<>();
        for (Fault f : faults) {
            if (f instanceof Fault.AgentFault a && a.store() == store) {
                out.add(a);
            }
        }
        return out;
    }

    public boolean hasFault(long store, Class<? extends Fault> type) {
        return faults.stream().anyMatch(f -> type.isInstance(f) && FaultSyntax.store(f) == store);
    }

    /**
     * What protocol B (stock TiKV stores behind a mock PD) must end in: the {@code expect stock} line, else the
     * scenario's expectation.
     */
    public Expectation stockExpectation() {
        return stockExpectation != null ? stockExpectation : expectation;
    }

    /**
     * What protocol B finished by flashback ({@code recover --finish flashback}: PrepareFlashbackToVersion and
     * FlashbackToVersion instead of WaitApply + ResolveKvData) must end in: the {@code expect flashback} line, else
     * {@link #stockExpectation()}.
     */
    public Expectation flashbackExpectation() {
        return flashbackExpectation != null ? flashbackExpectation : stockExpectation();
    }

    /** A scenario that expects {@code e} under protocol B finished by flashback (null: as {@link #stockExpectation()}). */
    public Scenario withFlashbackExpectation(Expectation e) {
        return with(s -> s.flashbackExpectation = e);
    }

    /** A scenario that expects {@code e} under protocol B (null: the same as under protocol A). */
    public Scenario withStockExpectation(Expectation e) {
        return with(s -> s.stockExpectation = e);
    }

    /** A copy of this scenario with one change made to the copy (a scenario is never changed once built). */
    private Scenario with(java.util.function.Consumer<Scenario> change) {
        Scenario s = copy(faults, expectation, collectTimeout, closeTimeout);
        change.accept(s);
        return s;
    }

    private Scenario copy(List<Fault> f, Expectation e, Duration collect, Duration close) {
        Scenario s = new Scenario(name, description, stores, steps, stepLines, f, e, collect, close);
        s.knownIssue = knownIssue;
        s.knownStockIssue = knownStockIssue;
        s.knownFlashbackIssue = knownFlashbackIssue;
        s.stockExpectation = stockExpectation;
        s.flashbackExpectation = flashbackExpectation;
        s.tikvSpeedup = tikvSpeedup;
        s.brBackupMeta = brBackupMeta;
        s.modelOnly = modelOnly;
        s.planFacts = planFacts;
        return s;
    }

    /** The exact plan properties this scenario states ({@code expect [stock] plan ...} lines), in file order. */
    public Scenario withPlanFacts(List<PlanFact> facts) {
        return with(s -> s.planFacts = List.copyOf(facts));
    }

    /** The plan facts of protocol B ({@code stock}) or protocol A: what our adviser's plan must hold (SPEC §4). */
    public List<PlanFact> planFacts(boolean stock) {
        return planFacts.stream().filter(f -> f.stock() == stock).toList();
    }

    /**
     * {@code option tikv-speedup N}: how many times faster than TiKV the mock stores' recovery clock runs for this
     * scenario (SPEC R5: LeaderKeeper's 10 s period, ResolveKvData's compaction), or null for the harness's default.
     */
    public Double tikvSpeedup() {
        return tikvSpeedup;
    }

    /**
     * {@code option backup-meta br}: the adviser learns the resolved ts and the TiKV stores from BR's EBS backup meta
     * of this backup (SPEC R15; {@code recover --backup-meta}), not from {@code --resolved-ts}/{@code --expected-stores}.
     */
    public boolean brBackupMeta() {
        return brBackupMeta;
    }

    /**
     * {@code model-only TEXT}: why this scenario need not run through the adviser's jar as a process (ScenarioStockIT
     * and ScenarioCorpusIT, CI's costliest steps): it tests the mock or the adviser's library, which the in-process
     * corpus tests cover. Null for a scenario that runs everywhere.
     */
    public String modelOnly() {
        return modelOnly;
    }

    /**
     * The same scenario with {@code option tikv-speedup}, {@code option backup-meta br} and {@code model-only} set:
     * the parser's, which reads them as named lines (not public: positional, and a test writes them in the file).
     */
    Scenario withOptions(Double speedup, boolean backupMeta, String onlyModel) {
        return with(s -> {
            s.tikvSpeedup = speedup;
            s.brBackupMeta = backupMeta;
            s.modelOnly = onlyModel;
        });
    }

    /** Why the adviser fails this scenario today (an open bug), or null. */
    public String knownIssue() {
        return knownIssue;
    }

    public Scenario withKnownIssue(String issue) {
        return with(s -> s.knownIssue = issue);
    }

    /**
     * Why our protocol-B (stock TiKV) recovery fails this scenario today (an open bug the mock exposes), or null.
     * Protocol-A runs ignore it.
     */
    public String knownStockIssue() {
        return knownStockIssue;
    }

    public Scenario withKnownStockIssue(String issue) {
        return with(s -> s.knownStockIssue = issue);
    }

    /**
     * Why protocol B finished by flashback fails this scenario today and no adviser can tell from what TiKV reports
     * (the resolve finish still runs), or null.
     */
    public String knownFlashbackIssue() {
        return knownFlashbackIssue;
    }

    public Scenario withKnownFlashbackIssue(String issue) {
        return with(s -> s.knownFlashbackIssue = issue);
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
            b.append(FaultSyntax.render(f)).append('\n');
        }
        if (!collectTimeout.equals(ScenarioParser.DEFAULT_COLLECT_TIMEOUT)) {
            b.append("option collect-timeout ").append(collectTimeout.toMillis()).append("ms\n");
        }
        if (!closeTimeout.equals(ScenarioParser.DEFAULT_CLOSE_TIMEOUT)) {
            b.append("option close-timeout ").append(closeTimeout.toMillis()).append("ms\n");
        }
        if (tikvSpeedup != null) {
            b.append("option tikv-speedup ").append(ScenarioParser.speedupText(tikvSpeedup)).append('\n');
        }
        if (brBackupMeta) {
            b.append("option backup-meta br\n");
        }
        if (modelOnly != null) {
            b.append("model-only ").append(modelOnly).append('\n');
        }
        if (knownIssue != null) {
            b.append("known-issue ").append(knownIssue).append('\n');
        }
        if (knownStockIssue != null) {
            b.append("known-issue-stock ").append(knownStockIssue).append('\n');
        }
        if (knownFlashbackIssue != null) {
            b.append("known-issue-flashback ").append(knownFlashbackIssue).append('\n');
        }
        b.append(expectation.render()).append('\n');
        if (stockExpectation != null) {
            b.append(stockExpectation.render().replaceFirst("^expect ", "expect stock ")).append('\n');
        }
        if (flashbackExpectation != null) {
            b.append(flashbackExpectation.render().replaceFirst("^expect ", "expect flashback ")).append('\n');
        }
        for (PlanFact f : planFacts) {
            b.append(f.render()).append('\n');
        }
        return b.toString();
    }

    /** A scenario with every store holding every step but a different expectation (used by tests). */
    public Scenario withExpectation(Expectation e) {
        return copy(faults, e, collectTimeout, closeTimeout);
    }

    public Scenario withFaults(List<Fault> newFaults) {
        return copy(newFaults, expectation, collectTimeout, closeTimeout);
    }

    public Scenario withTimeouts(Duration collect, Duration close) {
        return copy(faults, expectation, collect, close);
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
