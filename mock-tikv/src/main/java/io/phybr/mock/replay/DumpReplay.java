package io.phybr.mock.replay;

import io.phybr.adviser.dump.DumpFormatException;
import io.phybr.adviser.dump.DumpReader;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.adviser.record.RecordedRun;
import io.phybr.mock.history.Step;
import io.phybr.mock.scenario.Expectation;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioException;
import io.phybr.mock.scenario.ScenarioParser;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A region dump (typically {@code reports.jsonl} of a recorded run) turned into a mock cluster: one
 * {@link Step.Replica} per reported replica, the stores of the dump (and of its manifest), the
 * planning options of the recorded run, and as the expected outcome what the planner makes of the
 * dump offline. The dump carries no history, so only the history-free checks apply
 * ({@link ReplayChecks}).
 *
 * @param dump     the dump file
 * @param scenario the replica-only scenario reproducing its layout
 * @param options  policy and accept-holes to run our adviser with (the recorded run's, else the seed's)
 * @param run      the recorded run the dump belongs to, when a manifest.json sits next to it
 * @param torn     whether the dump's last line was cut short (then it cannot reproduce the recorded plan)
 */
public record DumpReplay(Path dump, Scenario scenario, PlanOptions options, Optional<RecordedRun> run, boolean torn) {

    /** Reads {@code dump}; {@code warnings} hears of a torn last line. Bad input is a {@link ScenarioException}. */
    public static DumpReplay load(Path dump, Consumer<String> warnings) {
        Optional<RecordedRun> run;
        ReplicaTable table = new ReplicaTable();
        boolean[] torn = {false};
        try {
            run = RecordedRun.besideDump(dump);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(dump), 1 << 16)) {
                DumpReader.readRecording(in, table, w -> {
                    torn[0] = true;
                    warnings.accept(w);
                });
            }
        } catch (NoSuchFileException e) {
            throw new ScenarioException("the dump " + dump + " does not exist");
        } catch (DumpFormatException | IOException e) {
            throw new ScenarioException("cannot read the dump " + dump + ": " + e.getMessage());
        }
        PlanOptions options = run.map(RecordedRun::options).orElse(PlanOptions.of(Policy.SEED));
        TreeSet<Long> stores = new TreeSet<>();
        run.ifPresent(r -> Arrays.stream(r.stores()).forEach(stores::add));
        List<Step> steps = new ArrayList<>();
        List<Fault> faults = new ArrayList<>();
        Map<List<Long>, Step.Replica> seen = new HashMap<>();
        for (int i = 0; i < table.size(); i++) {
            if (table.stockFields(i)) {
                throw new ScenarioException("the dump " + dump + " holds stock-TiKV reports (line " + (i + 1)
                        + "); mock-tikv replays seed-protocol reports only (mock-tikv stores --dump, for stock"
                        + " TiKV, is not available yet)");
            }
            Step.Replica r = new Step.Replica(table.store(i), table.regionId(i), table.index(i), table.term(i),
                    table.version(i), table.tombstone(i), table.startKey(i), table.endKey(i));
            stores.add(r.store());
            Step.Replica before = seen.putIfAbsent(List.of(r.store(), r.region()), r);
            if (before == null) {
                steps.add(r);
            } else if (before.render().equals(r.render())) {
                faults.add(new Fault.Duplicate(r.store(), r.region()));
            } else {
                throw new ScenarioException("the dump " + dump + " has two different reports of region "
                        + r.region() + " from store " + r.store() + " (line " + (i + 1) + "); a scenario cannot"
                        + " reproduce that");
            }
        }
        steps.sort(java.util.Comparator.comparingLong((Step st) -> ((Step.Replica) st).store())
                .thenComparingLong(st -> ((Step.Replica) st).region()));
        if (stores.isEmpty()) {
            throw new ScenarioException("the dump " + dump + " holds no region report and names no store");
        }
        for (long s : stores) {
            table.declareStore(s);
        }
        PlanOutcome offline = Planner.plan(table, options);
        Expectation expect = offline instanceof Refusal r ? new Expectation(Expectation.Outcome.REFUSED,
                r.kind() == Refusal.Kind.HOLE ? "hole" : "") : Expectation.RECOVERED;
        List<String> about = new ArrayList<>();
        about.add("The layout of the region dump " + dump.getFileName() + ": " + table.size() + " replicas on stores "
                + stores + ", one 'replica' line each, as reported.");
        about.add("No history: the checker runs only the checks that need none."
                + (options.policy() == Policy.SEED ? "" : " Recorded with policy "
                + options.policy().name().toLowerCase(java.util.Locale.ROOT) + "; a scenario file rehearses with the"
                + " seed policy, so its plan may differ (mock-tikv rehearse --dump keeps the recorded policy).")
                + (options.acceptHoles() ? " The recorded run accepted holes." : ""));
        run.ifPresent(r -> about.add("Recorded run: " + r.command() + ", " + (r.exitCode().isPresent()
                ? "exit code " + r.exitCode().getAsInt() + (r.verdict().isEmpty() ? "" : ", " + r.verdict())
                : "status " + r.status()) + "."));
        if (torn[0]) {
            about.add("The dump's last line was cut short and is left out.");
        }
        String name = run.isPresent() ? run.get().dir().getFileName().toString()
                : dump.getFileName().toString().replaceFirst("\\.jsonl?$", "");
        Scenario s = new Scenario(name, about, List.copyOf(stores), steps, List.of(), faults, expect,
                ScenarioParser.DEFAULT_COLLECT_TIMEOUT, ScenarioParser.DEFAULT_CLOSE_TIMEOUT);
        return new DumpReplay(dump, s, options, run, torn[0]);
    }

    /** Configures our adviser the way the recorded run was (policy, accept-holes). */
    public UnaryOperator<SeedAdviser.Builder> adviserOptions() {
        return b -> b.policy(options.policy()).acceptHoles(options.acceptHoles());
    }

    /** The recorded plan to compare with, unless the dump was torn (then it cannot reproduce it). */
    public Optional<Path> recordedPlan() {
        return torn ? Optional.empty() : run.flatMap(RecordedRun::plan);
    }

    /** Whether a scenario is a dump's layout only (replica lines, no history). */
    public static boolean layoutOnly(Scenario s) {
        return !s.steps().isEmpty() && s.steps().stream().allMatch(st -> st instanceof Step.Replica);
    }
}
