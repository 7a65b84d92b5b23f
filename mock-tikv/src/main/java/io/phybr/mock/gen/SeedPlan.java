package io.phybr.mock.gen;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntToLongFunction;

/**
 * The seeds one run of a randomized test checks (issue 14: "keep the fixed corpus and add fresh seeds each run"), in
 * three parts: a fixed <b>corpus</b> (seeds that once found something, or a fixed range), a fixed <b>batch</b> drawn
 * from a fixed run seed, and a <b>fresh</b> batch drawn from a seed chosen anew for every JVM run
 * ({@link SecureRandom}). The corpus and the fixed batch are the same on every CI run, so they are a regression
 * check; the fresh batch explores, and is sized (by a hunt of about a hundred times its size before it was
 * enabled) so that the chance a CI run meets a pre-existing, not yet known bug stays small. A test builds one plan
 * per JVM, prints {@link #banner()} once, runs {@link #seeds()} and names {@link #describe(long)} with every failing
 * seed, so the assertion message itself says how to replay it.
 *
 * <p>Its system properties, all under the test's prefix {@code P}:
 * <ul>
 * <li>{@code P.freshSeed=F} replays a run's fresh batch (the one flag that replays a whole CI run, printed by
 * {@link #banner()}); unset or {@code random}: drawn now.
 * <li>{@code P.only=S} runs seed S alone (the one flag that replays a failing seed; some tests name another
 * property, {@link Builder#onlyProperty(String)}).
 * <li>{@code P.fresh=K}, {@code P.batch=K}, {@code P.count=K}: how many fresh, fixed-batch and corpus seeds (a hunt:
 * {@code P.fresh=100000 P.batch=0 P.count=0}).
 * <li>{@code P.runSeed=R} another fixed batch ({@code random}: a fresh one, printed).
 * </ul>
 * Bad values end in one paragraph naming the property ({@link IllegalArgumentException}).
 */
public final class SeedPlan {
    /** Which part of the run a seed belongs to. */
    public enum Part {
        CORPUS, FIXED, FRESH
    }

    /** How a batch's seed becomes its seeds: consecutive longs (a history generator's seeds), or SplitMix draws. */
    public enum Spread {
        CONSECUTIVE, SPLITMIX
    }

    private final String name;
    private final String prefix;
    private final String onlyProperty;
    private final Long only;
    private final int corpus;
    private final IntToLongFunction corpusSeed;
    private final long runSeed;
    private final int batch;
    private final long freshSeed;
    private final int fresh;
    private final Spread spread;
    /** The properties given for this run (other than the fresh seed), so {@link #replayRun()} repeats them. */
    private final Map<String, String> given;
    private final Map<Long, Part> parts = new java.util.concurrent.ConcurrentHashMap<>();

    private SeedPlan(Builder b, Function<String, String> props) {
        this.name = b.name;
        this.prefix = b.prefix;
        this.onlyProperty = b.onlyProperty != null ? b.onlyProperty : b.prefix + ".only";
        this.given = new TreeMap<>();
        String o = value(props, onlyProperty);
        this.only = o == null ? null : parseSeed(onlyProperty, o, "a seed (a long)", false);
        this.corpus = Math.min(b.corpusMax, count(props, "count", b.corpus));
        this.corpusSeed = b.corpusSeed;
        String r = value(props, prefix + ".runSeed");
        this.runSeed = r == null ? b.runSeed : parseSeed(prefix + ".runSeed", r, "a run seed (a long) or 'random'", true);
        if (r != null) {
            given.put(prefix + ".runSeed", Long.toString(runSeed));
        }
        this.batch = count(props, "batch", b.batch);
        String f = value(props, prefix + ".freshSeed");
        this.freshSeed = f == null ? draw() : parseSeed(prefix + ".freshSeed", f, "a fresh seed (a long) or 'random'", true);
        this.fresh = count(props, "fresh", b.fresh);
        this.spread = b.spread;
    }

    /** A plan named {@code name} (the test, in its printed lines) whose properties start with {@code prefix}. */
    public static Builder builder(String name, String prefix) {
        return new Builder(name, prefix);
    }

    /** A seed drawn for this run: non-negative and below 2^62, so a consecutive batch never wraps. */
    static long draw() {
        return new SecureRandom().nextLong() & Long.MAX_VALUE >>> 1;
    }

    /** Every seed of the run, corpus first, then the fixed batch, then the fresh one; or only the one asked for. */
    public List<Long> seeds() {
        List<Long> out = new ArrayList<>();
        if (only != null) {
            out.add(only);
            return out;
        }
        for (int i = 0; i < corpus; i++) {
            add(out, corpusSeed.applyAsLong(i), Part.CORPUS);
        }
        spread(out, runSeed, batch, Part.FIXED);
        spread(out, freshSeed, fresh, Part.FRESH);
        return out;
    }

    private void spread(List<Long> out, long seed, int count, Part part) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            add(out, spread == Spread.CONSECUTIVE ? seed + i : r.nextLong(), part);
        }
    }

    private void add(List<Long> out, long seed, Part part) {
        out.add(seed);
        parts.putIfAbsent(seed, part); // a seed in two parts is named by the first: it fails (or not) in both
    }

    /** The part {@code seed} came from ({@link Part#FRESH} for a seed given alone); {@link #seeds()} first. */
    public Part partOf(long seed) {
        if (only != null && only == seed) {
            return Part.FRESH;
        }
        Part p = parts.get(seed);
        if (p == null) {
            throw new IllegalArgumentException("seed " + seed + " is not one of " + name + "'s seeds this run");
        }
        return p;
    }

    /** How many seeds {@link #seeds()} holds. */
    public int total() {
        return only != null ? 1 : corpus + batch + fresh;
    }

    public int corpus() {
        return only != null ? 0 : corpus;
    }

    public int batch() {
        return only != null ? 0 : batch;
    }

    public int fresh() {
        return only != null ? 1 : fresh;
    }

    public long runSeed() {
        return runSeed;
    }

    public long freshSeed() {
        return freshSeed;
    }

    /** The one flag that runs {@code seed} alone, e.g. {@code -Dphybr.random.stockfast.only=42}. */
    public String replay(long seed) {
        return "-D" + onlyProperty + "=" + seed;
    }

    /** The flags that replay this whole run: in CI (nothing given) just the fresh seed's. */
    public String replayRun() {
        if (only != null) {
            return replay(only);
        }
        StringBuilder s = new StringBuilder("-D" + prefix + ".freshSeed=" + freshSeed);
        given.forEach((k, v) -> s.append(" -D").append(k).append('=').append(v));
        return s.toString();
    }

    /** A failing seed as its message names it: the seed, its part and the one flag that replays it. */
    public String describe(long seed) {
        Part p = partOf(seed);
        String part = switch (p) {
            case CORPUS -> "corpus";
            case FIXED -> "fixed batch of run seed " + runSeed;
            case FRESH -> "fresh batch of fresh seed " + freshSeed;
        };
        return "seed " + seed + " (" + part + "; replay it alone: " + replay(seed) + ")";
    }

    /** The run's one printed line: its parts, their seeds and the flags that replay it. */
    public String banner() {
        if (only != null) {
            return String.format(Locale.ROOT, "%s: seed %d alone (%s)", name, only, replay(only));
        }
        return String.format(Locale.ROOT, "%s: %,d seeds = %,d corpus + %,d fixed (run seed %d) + %,d fresh (fresh seed %d);"
                + " replay this run: %s; one seed: -D%s=S", name, total(), corpus, batch, runSeed, fresh, freshSeed,
                replayRun(), onlyProperty);
    }

    private int count(Function<String, String> props, String what, int byDefault) {
        String property = prefix + "." + what;
        String v = value(props, property);
        if (v == null) {
            return byDefault;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                given.put(property, Integer.toString(n));
                return n;
            }
        } catch (NumberFormatException e) {
            // the paragraph below
        }
        throw new IllegalArgumentException("-D" + property + "=" + v + ": expected how many " + what + " seeds " + name
                + " runs (a whole number, 0 or more; its default is " + byDefault + ").");
    }

    private static String value(Function<String, String> props, String property) {
        String v = props.apply(property);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** A given seed: a long, or (where {@code random} is allowed) a fresh draw. */
    private static long parseSeed(String property, String v, String expected, boolean randomAllowed) {
        if (randomAllowed && v.equalsIgnoreCase("random")) {
            return draw();
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + property + "=" + v + ": expected " + expected + ".");
        }
    }

    /** What a test declares: its defaults. Properties override them when {@link #build()} reads them. */
    public static final class Builder {
        private final String name;
        private final String prefix;
        private String onlyProperty;
        private int corpus;
        private int corpusMax = Integer.MAX_VALUE;
        private IntToLongFunction corpusSeed = i -> {
            throw new IllegalStateException("no corpus");
        };
        private long runSeed;
        private int batch;
        private int fresh;
        private Spread spread = Spread.CONSECUTIVE;

        private Builder(String name, String prefix) {
            this.name = name;
            this.prefix = prefix;
        }

        /** {@code count} corpus seeds, the i-th {@code seedAt(i)} ({@code P.count} may ask for more or fewer). */
        public Builder corpus(int count, IntToLongFunction seedAt) {
            this.corpus = count;
            this.corpusSeed = seedAt;
            return this;
        }

        /** The corpus as a list ({@code P.count} keeps its first K). */
        public Builder corpus(List<Long> seeds) {
            List<Long> copy = List.copyOf(seeds);
            this.corpusMax = copy.size();
            return corpus(copy.size(), copy::get);
        }

        /** The fixed batch: {@code count} seeds from {@code runSeed}. */
        public Builder fixedBatch(long runSeed, int count) {
            this.runSeed = runSeed;
            this.batch = count;
            return this;
        }

        /** The fresh batch: {@code count} seeds from a seed drawn for this run. */
        public Builder fresh(int count) {
            this.fresh = count;
            return this;
        }

        public Builder spread(Spread spread) {
            this.spread = spread;
            return this;
        }

        /** The property that runs one seed alone, where a test had one before ({@code P.only} otherwise). */
        public Builder onlyProperty(String property) {
            this.onlyProperty = property;
            return this;
        }

        /** The plan, with this JVM's system properties. */
        public SeedPlan build() {
            return build(System::getProperty);
        }

        /** The plan, with properties from {@code props} (tests of the plan itself). */
        public SeedPlan build(Function<String, String> props) {
            return new SeedPlan(this, props);
        }
    }
}
