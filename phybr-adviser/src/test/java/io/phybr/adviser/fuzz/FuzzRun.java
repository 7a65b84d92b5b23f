package io.phybr.adviser.fuzz;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Feeds one target its mutants and judges every answer: success, or one paragraph (no stack trace, no second
 * line, no library internals, no raw control bytes) with one of the target's exit codes. An exception is an
 * internal error; an input that runs longer than {@code hangAfter} is a hang. Input {@code i} of a target is a
 * pure function of (seed, target, i): a finding names the flags that replay exactly it, and its bytes are saved.
 */
final class FuzzRun {
    /**
     * What the terminal must never see in a diagnosis. Jackson's location suffix is "at [Source: …" or
     * "at [line: …"; a bare "at [" is not enough, because a diagnosis may quote the operator's own text
     * ("line 7 'split r1 at [80 new r2'").
     */
    private static final Pattern INTERNALS = Pattern.compile(
            "\\tat |Exception|\\[Source:|\\bat \\[(?:Source|line):|[\\x00-\\x08\\x0b-\\x1f\\x7f]");

    /** One bad answer: which input, what went wrong, where its bytes are. */
    record Finding(String target, int index, String what, Path saved) {
        @Override
        public String toString() {
            return target + " input " + index + ": " + what + " (bytes in " + saved + ")";
        }
    }

    /** A target's run: inputs fed, how many ended in each exit code, and the findings. */
    record Result(String target, int inputs, int[] codes, List<Finding> findings, long nanos) {
    }

    private final long seed;
    private final Path scratch;
    private final Path failures;
    private final Duration hangAfter;

    FuzzRun(long seed, Path scratch, Path failures, Duration hangAfter) {
        this.seed = seed;
        this.scratch = scratch;
        this.failures = failures;
        this.hangAfter = hangAfter;
    }

    /** The bytes of input {@code index} of {@code target}: seeds first, unmutated, then mutants. */
    byte[] input(FuzzTarget target, int index) {
        List<byte[]> seeds = target.seeds();
        if (target.replaySeeds() && index < seeds.size()) {
            return seeds.get(index);
        }
        SplittableRandom r = new SplittableRandom(seed ^ (long) target.name().hashCode() << 32 ^ index * 0x9E3779B97F4A7C15L);
        return new Mutator(seeds, target.text()).next(r);
    }

    /** Runs inputs {@code from} (inclusive) to {@code to} (exclusive) of the target. */
    Result run(FuzzTarget target, int from, int to) throws Exception {
        int[] codes = new int[256];
        List<Finding> findings = java.util.Collections.synchronizedList(new ArrayList<>());
        Path dir = Files.createDirectories(scratch.resolve(target.name()));
        long t0 = System.nanoTime();
        try {
            target.seeds(); // made before the hang clock runs: a target may need a clean run to make them
        } catch (RuntimeException e) { // the target cannot make its inputs: a broken harness, never a pass
            return new Result(target.name(), 0, codes, List.of(new Finding(target.name(), from, "the target could not"
                    + " make its seeds: " + e + (e.getCause() == null ? "" : " (" + e.getCause() + ")"), Path.of("(none)"))),
                    System.nanoTime() - t0);
        }
        java.util.concurrent.atomic.AtomicInteger current = new java.util.concurrent.atomic.AtomicInteger(from);
        Thread worker = new Thread(() -> {
            for (int i = from; i < to; i++) {
                current.set(i);
                byte[] in;
                try {
                    in = input(target, i);
                } catch (RuntimeException e) { // the target cannot make its inputs: a broken harness, never a pass
                    findings.add(new Finding(target.name(), i, "the target could not make input " + i + ": " + e
                            + (e.getCause() == null ? "" : " (" + e.getCause() + ")"), Path.of("(none)")));
                    current.set(to - 1);
                    return;
                }
                String bad = judge(target, in, dir, codes);
                if (bad != null) {
                    findings.add(save(target, i, in, bad));
                }
            }
        }, "fuzz-" + target.name());
        worker.setDaemon(true);
        worker.start();
        int last = -1;
        while (worker.isAlive()) {
            worker.join(hangAfter.toMillis());
            int now = current.get();
            if (worker.isAlive() && now == last) {
                findings.add(save(target, now, input(target, now), "hung for more than " + hangAfter));
                worker.interrupt();
                break;
            }
            last = now;
        }
        if (!worker.isAlive()) {
            target.close(); // a hung worker keeps what it uses: a finding already fails the run
        }
        int fed = Math.max(0, current.get() - from + (worker.isAlive() ? 0 : 1));
        return new Result(target.name(), Math.min(fed, to - from), codes, List.copyOf(findings), System.nanoTime() - t0);
    }

    /** Null when the answer is one the tool may give, else what is wrong with it. */
    private static String judge(FuzzTarget target, byte[] in, Path dir, int[] codes) {
        FuzzTarget.Answer a;
        try {
            a = target.run(in, dir);
        } catch (Throwable e) {
            StringWriter w = new StringWriter();
            e.printStackTrace(new PrintWriter(w));
            return "internal error (exit 1 with a stack trace): " + w;
        }
        codes[a.code() & 0xff]++;
        if (a.code() == 0) {
            return null;
        }
        if (!target.refusals().contains(a.code())) {
            return "exit " + a.code() + ", not one of " + target.refusals() + ": " + a.message();
        }
        String m = a.message() == null ? "" : a.message().strip();
        if (m.isEmpty()) {
            return "exit " + a.code() + " without a diagnosis";
        }
        if (m.contains("\n") || m.contains("\r")) {
            return "a diagnosis of more than one line: " + m;
        }
        if (INTERNALS.matcher(m).find()) {
            return "library internals or control bytes in the diagnosis: " + m;
        }
        return null;
    }

    private Finding save(FuzzTarget target, int index, byte[] in, String what) {
        Path file = failures.resolve(target.name() + "-seed" + seed + "-input" + index + ".bin");
        try {
            Files.createDirectories(failures);
            Files.write(file, in);
        } catch (IOException e) {
            file = Path.of("(not saved: " + e.getMessage() + ")");
        }
        return new Finding(target.name(), index, what + "; replay: -Dphybr.fuzz.seed=" + seed
                + " -Dphybr.fuzz.only=" + target.name() + ":" + index, file);
    }

    static String preview(byte[] in) {
        String s = new String(in, 0, Math.min(in.length, 300), StandardCharsets.ISO_8859_1);
        return io.phybr.contract.text.Printable.escape(s);
    }
}
