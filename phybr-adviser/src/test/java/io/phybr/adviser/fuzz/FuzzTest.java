package io.phybr.adviser.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: over 100,000 fuzzed inputs per CI run, over every parser and every message a peer sends — dump lines
 * (both protocols), recordings' manifests, BR backup metas, scenario files, seed-protocol and recoverdata
 * RegionMetas — and, on the wire ({@link WireTargets}), PD's HTTP and pdpb answers and a rogue store's recoverdata
 * answers to a whole {@code recover}; and ({@link PdReadTargets}) PD's region answers — the HTTP region API,
 * pdpb GetRegion and ScanRegions — as the adviser's readers take them. Each must end in success or in one paragraph with the right exit code: no internal error, no stack
 * trace, no hang.
 *
 * <p>The base seed is fixed (CI is deterministic). {@code -Dphybr.fuzz.seed=N} explores another one, or
 * {@code fresh} one drawn now; {@code -Dphybr.fuzz.scale=K} feeds K times as many inputs ({@code -Dphybr.fuzz.wire=N}
 * sets the wire targets' N); {@code -Dphybr.fuzz.targets=REGEX} runs only the targets it matches;
 * {@code -Dphybr.fuzz.only=TARGET:I} replays exactly input I of TARGET (what a finding prints). A failing input's
 * bytes are saved under {@code target/fuzz-findings/}.
 */
class FuzzTest {
    static final long SEED = seed(System.getProperty("phybr.fuzz.seed", "20261126"));
    static final double SCALE = Double.parseDouble(System.getProperty("phybr.fuzz.scale", "1"));
    static final String ONLY = System.getProperty("phybr.fuzz.only", "");
    /** Targets whose name matches this regex run (default all). */
    static final String TARGETS = System.getProperty("phybr.fuzz.targets", ".*");
    /**
     * Inputs per wire target ({@link WireTargets}): each is a whole recovery on loopback, so a few per run; the
     * 100,000 floor is met by the library-level targets.
     */
    static final int WIRE_INPUTS = Integer.getInteger("phybr.fuzz.wire", 2);
    /**
     * Inputs per PD region-read target ({@link PdReadTargets}): one read each through a rogue PD — about 5 ms over
     * pdpb, about 80 ms over HTTP (the JDK's HTTP server and client on loopback), so HTTP gets fewer.
     */
    static final int PD_READS = Integer.getInteger("phybr.fuzz.pdreads", 1000);
    static final int PD_HTTP_READS = Integer.getInteger("phybr.fuzz.pdhttpreads", 80);

    @TempDir
    Path scratch;

    static long seed(String s) {
        return "fresh".equals(s) ? new java.util.SplittableRandom().nextLong() : Long.parseLong(s);
    }

    @Test
    void everyInputEndsInSuccessOrOneParagraphWithTheRightExitCode() throws Exception {
        FuzzRun run = new FuzzRun(SEED, scratch, Path.of("target", "fuzz-findings").toAbsolutePath(),
                Duration.ofSeconds(10));
        List<FuzzRun.Finding> findings = new ArrayList<>();
        long total = 0;
        long t0 = System.nanoTime();
        System.out.println("fuzz: seed " + SEED + " (replay with -Dphybr.fuzz.seed=" + SEED + ")");
        // two targets at a time: CI has two cores, and each target is one thread
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<FuzzRun.Result>> results = new ArrayList<>();
        try {
            List<FuzzTarget> targets = new ArrayList<>(Targets.all());
            targets.addAll(WireTargets.all(WIRE_INPUTS));
            targets.addAll(PdReadTargets.all(PD_HTTP_READS, PD_READS));
            for (FuzzTarget t : targets) {
                if (!t.name().matches(TARGETS)) {
                    continue;
                }
                int from = 0;
                int to = (int) Math.round(t.count() * SCALE);
                if (!ONLY.isEmpty()) {
                    if (!ONLY.startsWith(t.name() + ":")) {
                        continue;
                    }
                    from = Integer.parseInt(ONLY.substring(t.name().length() + 1));
                    to = from + 1;
                }
                int a = from;
                int b = to;
                results.add(pool.submit(() -> run.run(t, a, b)));
            }
            for (java.util.concurrent.Future<FuzzRun.Result> f : results) {
                FuzzRun.Result r = f.get();
                total += r.inputs();
                findings.addAll(r.findings());
                StringBuilder codes = new StringBuilder();
                for (int c = 0; c < r.codes().length; c++) {
                    if (r.codes()[c] > 0) {
                        codes.append(codes.length() == 0 ? "" : ", ").append("exit ").append(c).append(": ")
                                .append(r.codes()[c]);
                    }
                }
                System.out.printf(Locale.ROOT, "fuzz: %-24s %,7d inputs in %5.1f s (%s), %d findings%n", r.target(),
                        r.inputs(), r.nanos() / 1e9, codes, r.findings().size());
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(Locale.ROOT, "fuzz: %,d inputs in %.1f s, %d findings%n", total, (System.nanoTime() - t0) / 1e9,
                findings.size());
        // one line per kind of finding (digits folded), with its count and first input: a bug shows once, not 500 times
        java.util.Map<String, List<FuzzRun.Finding>> kinds = new java.util.TreeMap<>();
        for (FuzzRun.Finding f : findings) {
            String what = f.what().replaceAll("[0-9]+", "#");
            kinds.computeIfAbsent(f.target() + ": " + what.substring(0, Math.min(140, what.length())),
                    k -> new ArrayList<>()).add(f);
        }
        List<String> report = new ArrayList<>();
        kinds.forEach((k, fs) -> report.add(fs.size() + " x " + k + "\n    first: " + fs.get(0)));
        report.forEach(r -> System.out.println("fuzz finding: " + r));
        assertThat(report).as("kinds of fuzz findings (seed %d)", SEED).isEmpty();
        if (ONLY.isEmpty() && SCALE >= 1 && ".*".equals(TARGETS)) {
            assertThat(total).as("inputs fed").isGreaterThanOrEqualTo(100_000);
        }
    }
}
