package io.phybr.mock.scenario;

import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.FaultSyntax;
import io.phybr.mock.history.Step;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Lag;
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
 * {@code mock-tikv/README.md} ("Scenario files") for the grammar.
 */
public final class ScenarioParser {
    public static final Duration DEFAULT_COLLECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private int lineNo;
    private String lineText;

    private ScenarioParser(String name) {
        this.name = name;
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
        Duration collect = DEFAULT_COLLECT_TIMEOUT;
        Duration close = DEFAULT_CLOSE_TIMEOUT;
        boolean noRegions = false;
        String knownIssue = null;
        String knownStockIssue = null;
        Double speedup = null;
        boolean backupMeta = false;
        String modelOnly = null;
        boolean headerDone = false;
        String[] all = text.split("\r?\n", -1);
        for (lineNo = 1; lineNo <= all.length; lineNo++) {
            String raw = all[lineNo - 1];
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
            lineText = line;
            String[] t = line.split("\\s+");
            switch (t[0].toLowerCase(Locale.ROOT)) {
                case "stores" -> {
                    if (stores != null) {
                        throw err("'stores' appears twice");
                    }
                    if (t.length == 2) {
                        int n = (int) num(t[1], "store count");
                        if (n < 1 || n > 1000) {
                            throw err("store count " + n + " is out of range 1..1000");
                        }
                        stores = new ArrayList<>();
                        for (long s = 1; s <= n; s++) {
                            stores.add(s);
                        }
                    } else if (t.length > 2) {
                        stores = new ArrayList<>();
                        for (int i = 1; i < t.length; i++) {
                            stores.add(num(t[i], "store id"));
                        }
                    } else {
                        throw err("expected 'stores N' or 'stores ID ID ...'");
                    }
                }
                case "regions" -> {
                    need(t, 2, "regions none");
                    if (!t[1].equals("none")) {
                        throw err("expected 'regions none' (an empty cluster)");
                    }
                    noRegions = true;
                }
                case "region" -> {
                    // region ID START END on S S S [version V]
                    if (t.length < 6 || !t[4].equals("on")) {
                        throw err("expected 'region ID START END on STORE...' (keys in hex, '-' for empty)");
                    }
                    long id = region(t[1]);
                    List<Long> on = new ArrayList<>();
                    long version = 1;
                    for (int i = 5; i < t.length; i++) {
                        if (t[i].equals("version")) {
                            if (i + 1 >= t.length) {
                                throw err("'version' needs a number");
                            }
                            version = num(t[i + 1], "version");
                            i++;
                        } else {
                            on.add(num(t[i], "store id"));
                        }
                    }
                    add(steps, lines, new Step.Region(id, key(t[2]), key(t[3]), on, version));
                }
                case "write" -> {
                    long region = 0;
                    byte[] key = null;
                    int count = 1;
                    for (int i = 1; i < t.length; i++) {
                        if (t[i].matches("r\\d+")) {
                            region = region(t[i]);
                        } else if (t[i].matches("x\\d+")) {
                            count = (int) num(t[i].substring(1), "count");
                        } else {
                            key = key(t[i]);
                        }
                    }
                    if (region == 0 && key == null) {
                        throw err("expected 'write KEY', 'write rID [KEY]' or 'write rID xN'");
                    }
                    add(steps, lines, new Step.Write(region, key, count));
                }
                case "split" -> {
                    if (t.length != 6 || !t[2].equals("at") || !t[4].equals("new")) {
                        throw err("expected 'split rID at KEY new rID'");
                    }
                    add(steps, lines, new Step.Split(region(t[1]), key(t[3]), region(t[5])));
                }
                case "merge" -> {
                    if (t.length != 4 || !t[2].equals("into")) {
                        throw err("expected 'merge rSOURCE into rTARGET'");
                    }
                    add(steps, lines, new Step.Merge(region(t[1]), region(t[3])));
                }
                case "leader" -> {
                    if (t.length != 4 || !t[2].equals("store")) {
                        throw err("expected 'leader rID store S'");
                    }
                    add(steps, lines, new Step.Leader(region(t[1]), num(t[3], "store id")));
                }
                case "campaign" -> {
                    // campaign store S region R [votes S S ...]
                    boolean votes = t.length > 5 && t[5].equals("votes");
                    if (t.length > 5 && (!votes || t.length == 6)) {
                        throw err("expected 'campaign store S region R [votes STORE...]'");
                    }
                    long[] sr = storeRegion(t.length > 5 ? Arrays.copyOf(t, 5) : t, "campaign store S region R [votes STORE...]");
                    List<Long> voters = new ArrayList<>();
                    for (int i = 6; i < t.length; i++) {
                        voters.add(num(t[i], "store id"));
                    }
                    add(steps, lines, new Step.Campaign(sr[0], sr[1], voters));
                }
                case "add-peer", "remove-peer" -> {
                    if (t.length != 4 || !t[2].equals("store")) {
                        throw err("expected '" + t[0] + " rID store S'");
                    }
                    long r = region(t[1]);
                    long s = num(t[3], "store id");
                    add(steps, lines, t[0].equals("add-peer") ? new Step.AddPeer(r, s) : new Step.RemovePeer(r, s));
                }
                case "lag" -> {
                    Lag mode = t.length == 6 ? Lag.of(t[5]) : Lag.CUT;
                    if (t.length == 6 && (mode == null || mode == Lag.CUT)) {
                        throw err("expected 'lag store S region R [apply|commit]'");
                    }
                    long[] sr = storeRegion(t.length == 6 ? Arrays.copyOf(t, 5) : t, "lag store S region R [apply|commit]");
                    add(steps, lines, new Step.Lag(sr[0], sr[1], mode));
                }
                case "resume" -> {
                    long[] sr = storeRegion(t, "resume store S region R");
                    add(steps, lines, new Step.Resume(sr[0], sr[1]));
                }
                case "lose" -> {
                    long[] sr = storeRegion(t, "lose store S region R");
                    add(steps, lines, new Step.Lose(sr[0], sr[1]));
                }
                case "resolved" -> {
                    need(t, 1, "resolved");
                    add(steps, lines, new Step.Resolved());
                }
                case "snapshot" -> {
                    Step.Snapshot.Volume v = t.length == 4 && t[3].equals("raft") ? Step.Snapshot.Volume.RAFT
                            : t.length == 4 && t[3].equals("kv") ? Step.Snapshot.Volume.KV
                            : t.length == 3 ? Step.Snapshot.Volume.BOTH : null;
                    if (v == null || !t[1].equals("store")) {
                        throw err("expected 'snapshot store S [raft|kv]'");
                    }
                    add(steps, lines, new Step.Snapshot(num(t[2], "store id"), v));
                }
                case "replica" -> add(steps, lines, replica(t));
                case "fault" -> {
                    try {
                        faults.add(FaultSyntax.parse(t));
                    } catch (FaultSyntax.SyntaxError e) {
                        throw err(e.getMessage());
                    }
                }
                case "known-issue" -> {
                    if (t.length < 2) {
                        throw err("expected 'known-issue TEXT' (why a correct adviser fails this scenario today)");
                    }
                    knownIssue = line.substring("known-issue".length()).strip();
                }
                case "known-issue-stock" -> {
                    if (t.length < 2) {
                        throw err("expected 'known-issue-stock TEXT' (why our protocol-B recovery fails this today)");
                    }
                    knownStockIssue = line.substring("known-issue-stock".length()).strip();
                }
                case "model-only" -> {
                    if (t.length < 2) {
                        throw err("expected 'model-only TEXT' (why the scenario need not run through the adviser's jar)");
                    }
                    modelOnly = line.substring("model-only".length()).strip();
                }
                case "option" -> {
                    need(t, 3, "option collect-timeout|close-timeout DURATION, option tikv-speedup N or option "
                            + "backup-meta br");
                    switch (t[1]) {
                        case "collect-timeout" -> collect = duration(t[2]);
                        case "close-timeout" -> close = duration(t[2]);
                        case "tikv-speedup" -> speedup = speedup(t[2]);
                        case "backup-meta" -> {
                            if (!t[2].equals("br")) {
                                throw err("expected 'option backup-meta br' (BR's EBS backup meta is the one format)");
                            }
                            backupMeta = true;
                        }
                        default -> throw err("unknown option '" + t[1] + "' (known: collect-timeout, close-timeout, "
                                + "tikv-speedup, backup-meta)");
                    }
                }
                case "expect" -> {
                    boolean stock = t.length > 1 && t[1].equals("stock");
                    boolean flashback = t.length > 1 && t[1].equals("flashback");
                    if (flashback) {
                        if (flashbackExpect != null) {
                            throw err("'expect flashback' appears twice");
                        }
                        flashbackExpect = expectation(line, 2, t);
                        continue;
                    }
                    if (stock ? stockExpect != null : expect != null) {
                        throw err("'expect" + (stock ? " stock" : "") + "' appears twice");
                    }
                    Expectation e = expectation(line, stock ? 2 : 1, t);
                    if (stock) {
                        stockExpect = e;
                    } else {
                        expect = e;
                    }
                }
                default -> throw err("unknown step '" + t[0] + "'");
            }
        }
        lineNo = 0;
        if (stores == null) {
            throw err("the scenario never says how many stores the cluster has ('stores N')");
        }
        if (expect == null) {
            throw err("the scenario states no expected outcome ('expect recovered' or 'expect refused TEXT')");
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
            throw err("'regions none' contradicts the 'region' lines");
        }
        for (Fault f : faults) {
            long s = FaultSyntax.store(f);
            if (!(f instanceof Fault.PdFault || f instanceof Fault.Unmarked || f instanceof Fault.OperatorPaused)
                    && !stores.contains(s)) {
                throw err("a fault names store " + s + ", which is not in 'stores' " + stores);
            }
        }
        return new Scenario(name, description, stores, steps, lines, faults, expect, collect, close)
                .withKnownIssue(knownIssue).withKnownStockIssue(knownStockIssue).withStockExpectation(stockExpect)
                .withFlashbackExpectation(flashbackExpect).withOptions(speedup, backupMeta, modelOnly);
    }

    /** {@code N} of {@code option tikv-speedup N}: at least 1 (1 is TiKV's own pace), at most 1000000. */
    private Double speedup(String s) {
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw err("tikv-speedup '" + s + "' is not a number");
        }
        if (!(v >= 1 && v <= 1_000_000)) {
            throw err("tikv-speedup " + s + " is out of range 1..1000000 (1: TiKV's own pace)");
        }
        return v;
    }

    /** The text {@link Scenario#render()} writes for a speedup: an integer without a fraction. */
    static String speedupText(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@code replica store S region R applied A term T version V range START END [tombstone]}. */
    private Step.Replica replica(String[] t) {
        String form = "replica store S region R applied A term T version V range START END [tombstone]";
        boolean tomb = t.length == 15 && t[14].equals("tombstone");
        if (t.length != 14 && !tomb || !t[1].equals("store") || !t[3].equals("region") || !t[5].equals("applied")
                || !t[7].equals("term") || !t[9].equals("version") || !t[11].equals("range")) {
            throw err("expected '" + form + "'");
        }
        return new Step.Replica(num(t[2], "store id"), region(t[4]), num(t[6], "applied index"), num(t[8], "term"),
                num(t[10], "version"), tomb, key(t[12]), key(t[13]));
    }

    /** {@code expect [stock] OUTCOME [DIAGNOSIS]}: the outcome word is {@code t[at]}. */
    private Expectation expectation(String line, int at, String[] t) {
        if (t.length <= at) {
            throw err("expected 'expect [stock] recovered' or 'expect [stock] refused|timeout|failure TEXT'");
        }
        Expectation.Outcome o;
        try {
            o = Expectation.Outcome.valueOf(t[at].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw err("unknown outcome '" + t[at] + "' (known: recovered, refused, timeout, failure)");
        }
        String diag = String.join(" ", Arrays.copyOfRange(t, at + 1, t.length));
        if (o == Expectation.Outcome.RECOVERED && !diag.isEmpty()) {
            throw err("'expect recovered' takes no diagnosis text");
        }
        return new Expectation(o, diag);
    }

    private void add(List<Step> steps, List<Integer> lines, Step s) {
        steps.add(s);
        lines.add(lineNo);
    }

    private long[] storeRegion(String[] t, String form) {
        if (t.length != 5 || !t[1].equals("store") || !t[3].equals("region")) {
            throw err("expected '" + form + "'");
        }
        return new long[] {num(t[2], "store id"), region(t[4])};
    }

    private void need(String[] t, int n, String form) {
        if (t.length != n) {
            throw err("expected '" + form + "'");
        }
    }

    private long region(String s) {
        return num(s.startsWith("r") ? s.substring(1) : s, "region id");
    }

    private byte[] key(String s) {
        try {
            return Keys.parseHex(s);
        } catch (IllegalArgumentException e) {
            throw err(e.getMessage());
        }
    }

    private long num(String s, String what) {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw err(what + " '" + s + "' is negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw err(what + " '" + s + "' is not a number");
        }
    }

    private Duration duration(String s) {
        try {
            return FaultSyntax.duration(s);
        } catch (FaultSyntax.SyntaxError e) {
            throw err(e.getMessage());
        }
    }

    private ScenarioException err(String msg) {
        // escaped: the line and the words quoted from it are the file's bytes, and go to the operator's terminal
        return new ScenarioException(io.phybr.contract.text.Printable.escape("scenario " + name
                + (lineNo > 0 ? ", line " + lineNo + " '" + lineText + "'" : "") + ": " + msg));
    }
}
