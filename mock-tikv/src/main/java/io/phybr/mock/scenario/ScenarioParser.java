package io.phybr.mock.scenario;

import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.FaultSyntax;
import io.phybr.mock.history.Step;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Parses the scenario DSL: one step per line, {@code #} starts a comment. See
 * {@code mock-tikv/README.md} ("Scenario files") for the grammar. This class reads the file-level keywords (stores,
 * faults, options, known issues, expectations) and checks the file as a whole; the history keywords are
 * {@link StepLines}, the word checks and error texts they share {@link LineWords}.
 */
public final class ScenarioParser {
    public static final Duration DEFAULT_COLLECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final LineWords w;
    private final StepLines stepLines;

    private ScenarioParser(String name) {
        this.name = name;
        this.w = new LineWords(name);
        this.stepLines = new StepLines(w);
    }

    public static Scenario parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ScenarioException("scenario file " + file + " does not exist");
        } catch (IOException e) {
            throw new ScenarioException("cannot read scenario file " + file + ": " + e.getMessage());
        }
        String n = file.getFileName().toString().replaceFirst("\\.scn$", "");
        return parse(n, text);
    }

    public static Scenario parseResource(String resource) {
        try (InputStream in = ScenarioParser.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ScenarioException("built-in scenario " + resource + " is missing from the jar");
            }
            String n = resource.substring(resource.lastIndexOf('/') + 1).replaceFirst("\\.scn$", "");
            return parse(n, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ScenarioException("cannot read built-in scenario " + resource + ": " + e.getMessage());
        }
    }

    public static Scenario parse(String name, String text) {
        return new ScenarioParser(name).doParse(text);
    }

    private Scenario doParse(String text) {
        List<String> description = new ArrayList<>();
        List<Long> stores = null;
        List<Step> steps = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<Fault> faults = new ArrayList<>();
        Expectation expect = null;
        Expectation stockExpect = null;
        Expectation flashbackExpect = null;
        List<PlanFact> planFacts = new ArrayList<>();
        Duration collect = DEFAULT_COLLECT_TIMEOUT;
        Duration close = DEFAULT_CLOSE_TIMEOUT;
        boolean noRegions = false;
        String knownIssue = null;
        String knownStockIssue = null;
        String knownFlashbackIssue = null;
        Double speedup = null;
        boolean backupMeta = false;
        String modelOnly = null;
        boolean headerDone = false;
        String[] all = text.split("\r?\n", -1);
        for (w.lineNo = 1; w.lineNo <= all.length; w.lineNo++) {
            String raw = all[w.lineNo - 1];
            int hash = raw.indexOf('#');
            if (!headerDone && raw.strip().startsWith("#")) {
                description.add(raw.strip().substring(1).strip());
                continue;
            }
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            headerDone = true;
            w.lineText = line;
            String[] t = line.split("\\s+");
            switch (t[0].toLowerCase(Locale.ROOT)) {
                case "stores" -> {
                    if (stores != null) {
                        throw w.err("'stores' appears twice");
                    }
                    if (t.length == 2) {
                        int n = (int) w.num(t[1], "store count");
                        if (n < 1 || n > 1000) {
                            throw w.err("store count " + n + " is out of range 1..1000");
                        }
                        stores = new ArrayList<>();
                        for (long s = 1; s <= n; s++) {
                            stores.add(s);
                        }
                    } else if (t.length > 2) {
                        stores = new ArrayList<>();
                        for (int i = 1; i < t.length; i++) {
                            stores.add(w.num(t[i], "store id"));
                        }
                    } else {
                        throw w.err("expected 'stores N' or 'stores ID ID ...'");
                    }
                }
                case "regions" -> {
                    w.need(t, 2, "regions none");
                    if (!t[1].equals("none")) {
                        throw w.err("expected 'regions none' (an empty cluster)");
                    }
                    noRegions = true;
                }
                case "fault" -> {
                    try {
                        faults.add(FaultSyntax.parse(t));
                    } catch (FaultSyntax.SyntaxError e) {
                        throw w.err(e.getMessage());
                    }
                }
                case "known-issue" -> {
                    if (t.length < 2) {
                        throw w.err("expected 'known-issue TEXT' (why a correct adviser fails this scenario today)");
                    }
                    knownIssue = line.substring("known-issue".length()).strip();
                }
                case "known-issue-stock" -> {
                    if (t.length < 2) {
                        throw w.err("expected 'known-issue-stock TEXT' (why our protocol-B recovery fails this today)");
                    }
                    knownStockIssue = line.substring("known-issue-stock".length()).strip();
                }
                case "known-issue-flashback" -> {
                    if (t.length < 2) {
                        throw w.err("expected 'known-issue-flashback TEXT' (why the flashback finish fails this today)");
                    }
                    knownFlashbackIssue = line.substring("known-issue-flashback".length()).strip();
                }
                case "model-only" -> {
                    if (t.length < 2) {
                        throw w.err("expected 'model-only TEXT' (why the scenario need not run through the adviser's jar)");
                    }
                    modelOnly = line.substring("model-only".length()).strip();
                }
                case "option" -> {
                    w.need(t, 3, "option collect-timeout|close-timeout DURATION, option tikv-speedup N or option "
                            + "backup-meta br");
                    switch (t[1]) {
                        case "collect-timeout" -> collect = w.duration(t[2]);
                        case "close-timeout" -> close = w.duration(t[2]);
                        case "tikv-speedup" -> speedup = speedup(t[2]);
                        case "backup-meta" -> {
                            if (!t[2].equals("br")) {
                                throw w.err("expected 'option backup-meta br' (BR's EBS backup meta is the one format)");
                            }
                            backupMeta = true;
                        }
                        default -> throw w.err("unknown option '" + t[1] + "' (known: collect-timeout, close-timeout, "
                                + "tikv-speedup, backup-meta)");
                    }
                }
                case "expect" -> {
                    boolean stock = t.length > 1 && t[1].equals("stock");
                    boolean flashback = t.length > 1 && t[1].equals("flashback");
                    int plan = stock ? 2 : 1;
                    if (t.length > plan && t[plan].equals("plan")) {
                        PlanFact f = PlanFact.parse(w, t, plan + 1, stock);
                        if (planFacts.stream().anyMatch(o -> o.stock() == stock && o.kind() == f.kind()
                                && o.region() == f.region())) {
                            throw w.err("a '" + f.kind().name().toLowerCase(Locale.ROOT) + "' fact for region "
                                    + f.region() + " appears twice");
                        }
                        planFacts.add(f);
                        continue;
                    }
                    if (flashback) {
                        if (flashbackExpect != null) {
                            throw w.err("'expect flashback' appears twice");
                        }
                        flashbackExpect = expectation(line, 2, t);
                        continue;
                    }
                    if (stock ? stockExpect != null : expect != null) {
                        throw w.err("'expect" + (stock ? " stock" : "") + "' appears twice");
                    }
                    Expectation e = expectation(line, stock ? 2 : 1, t);
                    if (stock) {
                        stockExpect = e;
                    } else {
                        expect = e;
                    }
                }
                default -> add(steps, lines, stepLines.parse(t));
            }
        }
        w.lineNo = 0;
        if (stores == null) {
            throw w.err("the scenario never says how many stores the cluster has ('stores N')");
        }
        if (expect == null) {
            throw w.err("the scenario states no expected outcome ('expect recovered' or 'expect refused TEXT')");
        }
        boolean anyRegion = steps.stream().anyMatch(s -> s instanceof Step.Region || s instanceof Step.Replica);
        if (!anyRegion && !noRegions) {
            List<Step> withDefault = new ArrayList<>(Scenario.defaultRegion(stores));
            withDefault.addAll(steps);
            List<Integer> l = new ArrayList<>();
            l.add(0);
            l.addAll(lines);
            steps = withDefault;
            lines = l;
        } else if (anyRegion && noRegions) {
            throw w.err("'regions none' contradicts the 'region' lines");
        }
        for (Fault f : faults) {
            long s = FaultSyntax.store(f);
            if (!(f instanceof Fault.PdFault || f instanceof Fault.Unmarked || f instanceof Fault.OperatorPaused
                    || f instanceof Fault.KilledRunLeftPaused)
                    && !stores.contains(s)) {
                throw w.err("a fault names store " + s + ", which is not in 'stores' " + stores);
            }
        }
        return new Scenario(name, description, stores, steps, lines, faults, expect, collect, close)
                .withKnownIssue(knownIssue).withKnownStockIssue(knownStockIssue)
                .withKnownFlashbackIssue(knownFlashbackIssue).withStockExpectation(stockExpect)
                .withFlashbackExpectation(flashbackExpect).withOptions(speedup, backupMeta, modelOnly)
                .withPlanFacts(planFacts);
    }

    /** {@code N} of {@code option tikv-speedup N}: at least 1 (1 is TiKV's own pace), at most 1000000. */
    private Double speedup(String s) {
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw w.err("tikv-speedup '" + s + "' is not a number");
        }
        if (!(v >= 1 && v <= 1_000_000)) {
            throw w.err("tikv-speedup " + s + " is out of range 1..1000000 (1: TiKV's own pace)");
        }
        return v;
    }

    /** The text {@link Scenario#render()} writes for a speedup: an integer without a fraction. */
    static String speedupText(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@code expect [stock] OUTCOME [DIAGNOSIS]}: the outcome word is {@code t[at]}. */
    private Expectation expectation(String line, int at, String[] t) {
        if (t.length <= at) {
            throw w.err("expected 'expect [stock] recovered' or 'expect [stock] refused|timeout|failure TEXT'");
        }
        Expectation.Outcome o;
        try {
            o = Expectation.Outcome.valueOf(t[at].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw w.err("unknown outcome '" + t[at] + "' (known: recovered, refused, timeout, failure)");
        }
        String diag = String.join(" ", Arrays.copyOfRange(t, at + 1, t.length));
        if (o == Expectation.Outcome.RECOVERED && !diag.isEmpty()) {
            throw w.err("'expect recovered' takes no diagnosis text");
        }
        return new Expectation(o, diag);
    }

    private void add(List<Step> steps, List<Integer> lines, Step s) {
        steps.add(s);
        lines.add(w.lineNo);
    }
}
