package io.phybr.mock.replay;

import io.phybr.contract.dump.DumpFormatException;
import io.phybr.contract.dump.DumpReader;
import io.phybr.contract.dump.DumpRow;
import io.phybr.contract.dump.DumpRows;
import io.phybr.contract.record.RecordedRun;
import io.phybr.mock.history.Step;
import io.phybr.mock.model.Keys;
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
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A region dump (typically {@code reports.jsonl} of a recorded run) turned into a mock cluster: one
 * {@link Step.Replica} per reported replica, the stores of the dump (and of its manifest), the
 * planning options of the recorded run, and the expected outcome. The expectation comes from the
 * recording, never from the planner under test: a recorded plan must be reproduced byte for byte
 * (checked by {@link ReplayChecks}), a recorded refusal must be refused again. A dump the recording
 * says nothing about (no manifest, a torn dump, a run that neither planned nor refused) is expected
 * to recover unless the mock itself sees why it cannot: a region reported twice, or a part of the
 * key space no live reported replica covers. The dump carries no history, so only the history-free
 * checks apply ({@link ReplayChecks}).
 *
 * @param dump        the dump file
 * @param scenario    the replica-only scenario reproducing its layout
 * @param policy      the planning policy to run the adviser with, as the manifest words it ("seed" without one)
 * @param acceptHoles whether the recorded run accepted holes
 * @param run         the recorded run the dump belongs to, when a manifest.json sits next to it
 * @param torn        whether the dump's last line was cut short (then it cannot reproduce the recorded plan)
 */
public record DumpReplay(Path dump, Scenario scenario, String policy, boolean acceptHoles, Optional<RecordedRun> run,
                         boolean torn) {

    /** Reads {@code dump}; {@code warnings} hears of a torn last line. Bad input is a {@link ScenarioException}. */
    public static DumpReplay load(Path dump, Consumer<String> warnings) {
        Optional<RecordedRun> run;
        DumpRows table = new DumpRows();
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
        String policy = run.flatMap(RecordedRun::policy).orElse("seed").toLowerCase(Locale.ROOT);
        boolean acceptHoles = run.map(RecordedRun::acceptHoles).orElse(false);
        TreeSet<Long> stores = new TreeSet<>();
        run.ifPresent(r -> Arrays.stream(r.stores()).forEach(stores::add));
        List<Step> steps = new ArrayList<>();
        List<Fault> faults = new ArrayList<>();
        Map<List<Long>, Step.Replica> seen = new HashMap<>();
        List<DumpRow> rows = table.rows();
        for (int i = 0; i < rows.size(); i++) {
            DumpRow row = rows.get(i);
            if (row.stock()) {
                throw new ScenarioException("the dump " + dump + " holds stock-TiKV reports (line " + (i + 1)
                        + "); agents replay seed-protocol reports only (serve a stock-TiKV recording with"
                        + " mock-tikv stores --dump)");
            }
            Step.Replica r = new Step.Replica(row.store(), row.regionId(), row.index(), row.term(),
                    row.version(), row.tombstone(), row.startKey(), row.endKey());
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
        List<String> about = new ArrayList<>();
        about.add("The layout of the region dump " + dump.getFileName() + ": " + rows.size() + " replicas on stores "
                + stores + ", one 'replica' line each, as reported.");
        about.add("No history: the checker runs only the checks that need none."
                + ("seed".equals(policy) ? "" : " Recorded with policy " + policy + "; a scenario file rehearses"
                + " with the seed policy, so its plan may differ (phybr-rehearsal --dump keeps the recorded policy).")
                + (acceptHoles ? " The recorded run accepted holes." : ""));
        run.ifPresent(r -> about.add("Recorded run: " + r.command() + ", " + (r.exitCode().isPresent()
                ? "exit code " + r.exitCode().getAsInt() + (r.verdict().isEmpty() ? "" : ", " + r.verdict())
                : "status " + r.status()) + "."));
        if (torn[0]) {
            about.add("The dump's last line was cut short and is left out.");
        }
        Expectation expect = expectation(dump, run, torn[0], steps, faults, acceptHoles, about);
        String name = run.isPresent() ? run.get().dir().getFileName().toString()
                : dump.getFileName().toString().replaceFirst("\\.jsonl?$", "");
        Scenario s = new Scenario(name, about, List.copyOf(stores), steps, List.of(), faults, expect,
                ScenarioParser.DEFAULT_COLLECT_TIMEOUT, ScenarioParser.DEFAULT_CLOSE_TIMEOUT);
        return new DumpReplay(dump, s, policy, acceptHoles, run, torn[0]);
    }

    /**
     * What the recording says the replay must end in; where it says nothing, what the mock sees in
     * the layout itself. Says in {@code about} where the expectation came from.
     *
     * <p>A recorded plan means the run's planner accepted these reports: the replay must recover, and
     * {@link ReplayChecks} compares its plan with the recorded one byte for byte. An exit code the run
     * got after planning (a store that never closed, a lost store) came from the stores, which the
     * replay's agents do not reproduce. A recorded refusal (exit code 3, no plan) must be refused again.
     */
    private static Expectation expectation(Path dump, Optional<RecordedRun> run, boolean torn, List<Step> replicas,
                                           List<Fault> faults, boolean acceptHoles, List<String> about) {
        if (run.isPresent() && !torn) {
            RecordedRun r = run.get();
            String ended = r.exitCode().isPresent() ? "exit code " + r.exitCode().getAsInt() : "status " + r.status();
            if (r.plan().isPresent()) {
                about.add("Expected outcome: recovered with the recorded plan, since the recorded run planned ("
                        + ended + (r.exitCode().orElse(0) == 0 ? "" : "; what failed after planning came from its"
                        + " stores, which the replay's agents do not reproduce") + ").");
                return Expectation.RECOVERED;
            }
            if (r.exitCode().orElse(-1) == Expectation.Outcome.REFUSED.exitCode) {
                about.add("Expected outcome: refused, as the recorded run was (" + ended + ").");
                return new Expectation(Expectation.Outcome.REFUSED, "");
            }
        }
        String why = run.isEmpty() ? "no manifest.json beside the dump" : torn ? "the dump was cut short"
                : "the recorded run neither planned nor refused";
        if (!faults.isEmpty()) {
            about.add("Expected outcome (" + why + "): refused, as a region is reported twice.");
            return new Expectation(Expectation.Outcome.REFUSED, "");
        }
        String gap = acceptHoles ? null : firstGap(replicas);
        if (gap != null) {
            about.add("Expected outcome (" + why + "): refused, as no live replica covers " + gap + ".");
            return new Expectation(Expectation.Outcome.REFUSED, "hole");
        }
        about.add("Expected outcome (" + why + "): recovered, as every key is covered by a live replica.");
        return Expectation.RECOVERED;
    }

    /** The first part of the key space no live replica covers, or null. */
    private static String firstGap(List<Step> replicas) {
        List<Step.Replica> live = new ArrayList<>();
        for (Step st : replicas) {
            Step.Replica r = (Step.Replica) st;
            if (!r.tombstone()) {
                live.add(r);
            }
        }
        live.sort((x, y) -> Keys.compare(x.start(), y.start()));
        byte[] reach = Keys.EMPTY;
        for (Step.Replica r : live) {
            if (Keys.compare(r.start(), reach) > 0) {
                return Keys.range(reach, r.start());
            }
            if (r.end().length == 0) {
                return null;
            }
            if (Keys.compare(r.end(), reach) > 0) {
                reach = r.end();
            }
        }
        return Keys.range(reach, Keys.EMPTY);
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
