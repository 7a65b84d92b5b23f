package io.phybr.adviser.cli;

import io.phybr.contract.ExitCode;
import io.phybr.contract.dump.DumpFormatException;
import io.phybr.contract.dump.DumpReader;
import io.phybr.adviser.files.AtomicFiles;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.PlanOptions;
import io.phybr.adviser.plan.PlanOutcome;
import io.phybr.adviser.plan.Planner;
import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.adviser.plan.Refusal;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.RecordedOptions;
import io.phybr.contract.record.RecordedRun;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code phybr plan}: an offline dry run of the planner over a region dump. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Plans recovery offline from a region dump (JSON Lines, one replica per line) and prints the"
                + " summary; changes nothing anywhere. A refused plan prints the diagnosis and exits 3."})
public final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "DUMP",
            description = "Region dump to plan from (SPEC §6 JSON Lines); '-' reads standard input. The"
                    + " reports.jsonl of a recorded run (phybr serve --record) replays that run: its options come from"
                    + " the manifest.json beside it, a torn last line is skipped with a warning, and the plan is"
                    + " compared with the recorded plan.jsonl. A recover recording is re-planned only: the finish"
                    + " (resolve, or flashback with the manifest's timestamps) is not re-driven; run recover again"
                    + " against the cluster for that.")
    String input;

    @Option(names = "--policy", paramLabel = "seed|br",
            description = "Leader choice: seed (applied_index, term; ties to the lowest store) or br"
                    + " (last_log_term, last_index, commit_index; ties balanced across stores). Default: seed, or"
                    + " the recorded run's policy when a manifest.json sits next to the dump.")
    String policy;

    @Option(names = "--protocol", paramLabel = "seed|stock",
            description = "Command set of the plan: seed (term/silence/tombstone for tikv-phybr agents) or stock"
                    + " (as_leader/tombstone for stock TiKV). Default: seed with --policy seed, stock with --policy br;"
                    + " the recorded run's when a manifest.json sits next to the dump and --policy is not given.")
    String protocol;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the plan (JSON Lines sorted by store then region) here; '-' is standard output,"
                    + " and the summary then goes to standard error.")
    String output;

    @Option(names = "--explain", paramLabel = "REGION",
            description = "Explain the decisions about this region id: replicas, leader and rule, fate, commands. Repeatable.")
    long[] explain = new long[0];

    @Option(names = "--accept-holes", negatable = true,
            description = "Plan even if the surviving regions leave holes in the key space. The data in the holes is LOST."
                    + " Default: no, or what the recorded run did when a manifest.json sits next to the dump.")
    Boolean acceptHoles;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Also write the summary as one JSON object here.")
    Path summaryJson;

    /** The table being read or planned, so that running out of memory can say how far it got (then dropped). */
    private ReplicaTable table;
    /** The dump's size if it is a regular file, else 0. */
    private long inputBytes;
    /** The older plan at --output being deleted while the command works, if there was one. */
    private OutputFiles.Removal removal;
    /** What the command is doing, for the out-of-memory paragraph. */
    private String phase = "reading";

    @Override
    public Integer call() throws IOException {
        return call(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Runs the command, printing to {@code out} and {@code err} (picocli's writers, or {@link PlanArgs}'s). */
    int call(PrintWriter out, PrintWriter err) throws IOException {
        try {
            return planOrExplainOutOfMemory(out, err);
        } finally {
            String warning = removal == null ? null : removal.await();
            if (warning != null) {
                err.println("phybr plan: " + warning + ".");
            }
        }
    }

    private int planOrExplainOutOfMemory(PrintWriter out, PrintWriter err) throws IOException {
        try {
            return plan(out, err);
        } catch (OutOfMemoryError e) {
            long rows = table == null ? 0 : table.size();
            table = null; // the table holds the heap: drop it before writing anything
            boolean sized = inputBytes > 0;
            String what = phase + (rows == 0 ? " " : " " + rows + " replicas of ") + describe(input)
                    + (sized ? " (" + HeapAdvice.human(inputBytes) + ")" : "");
            err.println(HeapAdvice.paragraph("plan", what,
                    sized ? HeapAdvice.forDumpBytes(inputBytes) : HeapAdvice.forReplicas(rows), !sized,
                    "JAVA -jar phybr-adviser.jar plan --input " + input + " ...",
                    "No plan file was left (one is only ever renamed into place whole); a plan already streaming to"
                    + " standard output is incomplete and must not be used."));
            err.flush();
            return ExitCode.OUT_OF_MEMORY.code();
        }
    }

    private int plan(PrintWriter out, PrintWriter err) throws IOException {
        boolean planToStdout = "-".equals(output);
        PrintWriter report = planToStdout ? err : out;
        Optional<RecordedRun> recording;
        Optional<PlanOptions> recordedOptions;
        try {
            recording = "-".equals(input) ? Optional.empty() : RecordedRun.besideDump(Path.of(input));
            recordedOptions = recording.isEmpty() ? Optional.empty() : Optional.of(RecordedOptions.of(recording.get()));
        } catch (IOException e) {
            err.println("phybr plan: " + e.getMessage() + ". Move the dump away from it, or fix it.");
            return ExitCode.BAD_INPUT.code();
        }
        PlanOptions options;
        try {
            options = options(recordedOptions, report);
        } catch (IllegalArgumentException e) {
            err.println("phybr plan: " + e.getMessage() + ".");
            return ExitCode.USAGE.code();
        }

        String unwritable = OutputFiles.check("--output", planToStdout ? null : output, "--summary-json", summaryJson);
        if (unwritable != null) {
            err.println("phybr plan: " + unwritable + ". Nothing was read or planned.");
            return ExitCode.USAGE.code();
        }
        if (!planToStdout && output != null) {
            removal = OutputFiles.removeOlderWhileWorking(Path.of(output));
            if (removal.message() != null) {
                report.println(removal.message());
            }
        }

        long t0 = System.nanoTime();
        inputBytes = inputSize(input);
        ReplicaTable table = new ReplicaTable(1 << 16);
        this.table = table;
        recording.ifPresent(r -> {
            for (long s : r.stores()) {
                table.declareStore(s); // stores that reported no region still count in the summary
            }
            if (!"finished".equals(r.status())) {
                report.println("note: the recorded run never finished (manifest status '" + r.status() + "'): it"
                        + " crashed, was killed, or is still running; its dump holds the reports up to that point");
            }
        });
        long read;
        boolean[] torn = {false};
        try (InputStream in = open(input)) {
            read = DumpReader.read(in, inputBytes, table, recording.isEmpty() ? null : w -> {
                torn[0] = true;
                err.println("phybr plan: warning: " + w);
            });
        } catch (DumpFormatException e) {
            err.println("phybr plan: cannot read " + describe(input) + ": " + e.getMessage()
                    + ". Nothing was planned; every line must be one JSON object as described in SPEC §6.");
            return ExitCode.BAD_INPUT.code();
        } catch (NoSuchFileException | FileNotFoundException e) {
            err.println(Files.exists(Path.of(input)) ? "phybr plan: cannot read " + input + ": " + e.getMessage() + "."
                    : "phybr plan: the dump " + input + " does not exist.");
            return ExitCode.BAD_INPUT.code();
        } catch (IOException e) {
            err.println("phybr plan: cannot read " + describe(input) + ": " + e.getMessage() + ".");
            return ExitCode.BAD_INPUT.code();
        }
        long t1 = System.nanoTime();
        phase = "planning";
        prepareHeapGauge();
        PlanOutcome outcome = Planner.plan(table, options);
        phase = "writing the plan of";
        long t2 = System.nanoTime();

        if (outcome instanceof Refusal refusal) {
            err.println("phybr plan: " + refusal.message());
            report.printf(Locale.ROOT, "read %d replicas in %.2f s; planned in %.2f s; peak heap %d MiB%n",
                    read, secs(t1 - t0), secs(t2 - t1), peakHeapMiB());
            report.flush();
            return ExitCode.REFUSED.code();
        }
        Plan plan = (Plan) outcome;
        report.println(plan.summary().toText());
        for (long region : explain) {
            report.print(plan.explain(region).orElse("region " + region + ": not in the dump\n"));
        }
        if (output != null) {
            if (planToStdout) {
                PrintWriter stdout = out;
                plan.writeJsonLines(new WriterOutputStream(stdout));
                // PrintWriter and System.out swallow write errors (a full disk, a closed pipe): ask them.
                if (stdout.checkError() || System.out.checkError()) {
                    err.println("phybr plan: cannot write the plan to standard output (a write failed: full disk or"
                            + " closed pipe?); what was written is incomplete and must not be used.");
                    return ExitCode.FAILURE.code();
                }
            } else {
                try {
                    AtomicFiles.write(Path.of(output), plan::writeJsonLines);
                } catch (IOException e) {
                    err.println("phybr plan: cannot write the plan to " + output + ": " + AtomicFiles.reason(e)
                            + ". No plan file was left there; free space or choose another --output, then run again.");
                    return ExitCode.FAILURE.code();
                }
                report.println("wrote " + plan.commandCount() + " commands to " + output);
            }
        } else {
            report.println("(" + plan.commandCount() + " commands; --output FILE or --output - writes them)");
        }
        if (summaryJson != null) {
            try {
                AtomicFiles.writeString(summaryJson, plan.summary().toJson() + "\n");
            } catch (IOException e) {
                err.println("phybr plan: cannot write the summary to " + summaryJson + ": " + AtomicFiles.reason(e)
                        + (output != null ? " (the plan itself was written)" : "") + ".");
                return ExitCode.FAILURE.code();
            }
        }
        if (recording.isPresent() && recording.get().plan().isPresent()) {
            Path recorded = recording.get().plan().get();
            report.println(torn[0] ? "(the dump was cut short, so the plan is not compared with " + recorded + ")"
                    : options.equals(recordedOptions.get()) ? RecordedPlans.compare(plan, recorded)
                    : "(options differ from the recorded run's, so the plan is not compared with " + recorded + ")");
        }
        long t3 = System.nanoTime();
        report.printf(Locale.ROOT, "read %d replicas in %.2f s; planned in %.2f s; wrote in %.2f s; peak heap %d MiB%n",
                read, secs(t1 - t0), secs(t2 - t1), secs(t3 - t2), peakHeapMiB());
        if (report.checkError() || report != err && System.out.checkError()) {
            err.println("phybr plan: cannot write the report to standard output (a write failed: full disk or"
                    + " closed pipe?).");
            return ExitCode.FAILURE.code();
        }
        return ExitCode.OK.code();
    }

    /** Command-line options first, then the recorded run's, then the defaults; says which came from the recording. */
    private PlanOptions options(Optional<PlanOptions> recorded, PrintWriter report) {
        Policy pol = policy != null ? Policy.parse(policy) : recorded.map(PlanOptions::policy).orElse(Policy.SEED);
        Protocol proto = protocol != null ? Protocol.parse(protocol)
                : recorded.isPresent() && policy == null ? recorded.get().protocol() : Protocol.defaultFor(pol);
        boolean holes = acceptHoles != null ? acceptHoles : recorded.map(PlanOptions::acceptHoles).orElse(false);
        if (recorded.isPresent()) {
            java.util.List<String> taken = new java.util.ArrayList<>();
            if (policy == null) {
                taken.add("policy " + pol.name().toLowerCase(Locale.ROOT));
            }
            if (protocol == null && policy == null) {
                taken.add("protocol " + proto.name().toLowerCase(Locale.ROOT));
            }
            if (acceptHoles == null) {
                taken.add(holes ? "accept-holes" : "no-accept-holes");
            }
            report.println(taken.isEmpty() ? "replaying a recorded run; every option comes from the command line"
                    : "replaying a recorded run: " + String.join(", ", taken) + " taken from its manifest.json"
                    + " (options given on the command line override it)");
        }
        return new PlanOptions(pol, proto, holes);
    }

    private static InputStream open(String input) throws IOException {
        if ("-".equals(input)) {
            return new BufferedInputStream(System.in, 1 << 16);
        }
        // A FileInputStream, not Files.newInputStream: the channel behind the latter asks pipes for their size
        // ("Illegal seek"), so --input <(cmd), /dev/stdin and FIFOs would fail.
        return new BufferedInputStream(new java.io.FileInputStream(input), 1 << 16);
    }

    /** The dump's size when it is a regular file (not standard input, a pipe or a FIFO), else 0. */
    private static long inputSize(String input) {
        try {
            Path p = Path.of(input);
            return "-".equals(input) || !Files.isRegularFile(p) ? 0 : Files.size(p);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String describe(String input) {
        return "-".equals(input) ? "standard input" : input;
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }

    /**
     * Sets up the management beans {@link #peakHeapMiB} reads (java.management's classes: ~30 ms) on a background
     * thread while the plan is made (its serial phases leave a core free), rather than on the main thread after the
     * plan is written, the command's last step before it exits.
     */
    private static void prepareHeapGauge() {
        Thread t = new Thread(ManagementFactory::getMemoryPoolMXBeans, "heap-gauge");
        t.setDaemon(true);
        t.start();
    }

    static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }

    /**
     * The plan on standard output goes through picocli's writer (so embedding callers and tests that
     * redirect it see it); plan lines are ASCII and written in whole chunks, so decoding per write is safe.
     */
    private static final class WriterOutputStream extends OutputStream {
        private final PrintWriter out;

        WriterOutputStream(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
