package io.phybr.adviser.record;

import io.phybr.adviser.files.AtomicFiles;
import io.phybr.contract.ExitCode;
import io.phybr.contract.record.RecordedRun;
import io.phybr.adviser.plan.Plan;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one adviser run into a directory, so that the run can be replayed offline
 * ({@code phybr plan --input DIR/reports.jsonl}) and against the mock cluster:
 * <ul>
 * <li>{@code reports.jsonl} — every region report collected, one line per replica with its store id
 *     (the dump format of SPEC §6), streamed to disk while the reports arrive;</li>
 * <li>{@code plan.jsonl} and {@code summary.json} — the plan, once it is made;</li>
 * <li>{@code manifest.json} — adviser version, policy, protocol, flags, resolved ts, stores, start and
 *     end time, verdict and exit code; written when the recording starts and replaced atomically when
 *     it ends;</li>
 * <li>{@code discarded.jsonl} — reports of streams that broke off and were discarded by the adviser
 *     (a store that reconnected and reported again), kept out of {@code reports.jsonl}.</li>
 * </ul>
 *
 * <p><b>Never changes what the adviser does.</b> No method throws; the first I/O error is logged as
 * one warning and the rest of the run goes unrecorded. Nothing is encoded on the collection threads: each
 * store's reports are copied raw into batches ({@link MetaBatch}, ~100 KiB at most) handed to one writer thread
 * through a bounded queue ({@link RecordWriter}: a slow disk slows collection down rather than filling the heap;
 * at most {@value #QUEUE} batches wait), which encodes them into the store's 64 KiB chunks of whole lines. Lines
 * reach the file whole, so a run killed mid-way leaves a dump that is readable up to its last line; only a
 * torn write (disk full, power loss) can leave a partial last line, which {@code phybr plan} skips
 * with a warning.
 *
 * <p>How a collector wires it in (four calls): see {@code package-info.java} of this package.
 * {@code phybr plan --input DIR/reports.jsonl} then replans with policy br and stock commands, taken
 * from the manifest.
 */
public final class RunRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunRecorder.class);

    // The names a reader of a run directory needs are the contract's (RecordedRun reads the manifest).
    public static final String DUMP = RecordedRun.DUMP;
    public static final String PLAN = RecordedRun.PLAN;
    public static final String SUMMARY = "summary.json";
    public static final String MANIFEST = RecordedRun.MANIFEST;
    public static final String DISCARDED = "discarded.jsonl";
    /** The manifest's {@code format} field. */
    public static final String FORMAT = RecordedRun.FORMAT;
    /** Environment variable naming the directory that holds the per-run directories (default {@code ./phybr-runs}). */
    public static final String RUNS_DIR_ENV = "PHYBR_RUNS_DIR";

    static final int CHUNK = 64 * 1024;
    static final int QUEUE = 64;
    /** How long {@link #finish} waits for the disk, all told. */
    private static final Duration FINISH = Duration.ofMinutes(1);

    private static final RunRecorder NONE = new RunRecorder();

    private final Path dir;
    private final RunInfo info;
    private final Instant started;
    private final RecordWriter writer;
    private volatile boolean failed;
    private volatile boolean finished;

    // ---- writer thread state ----
    private DumpFile dump;

    // ---- guarded by this ----
    private int nextSink;
    private final List<StoreRecording> sinks = new ArrayList<>();
    private final TreeSet<Long> reportedStores = new TreeSet<>();
    private long[] planStores;
    private int planCommands = -1;
    private boolean planWritten;
    // The finish of a recover run (recover only): which, why, and for a flashback its timestamps and regions.
    private String finishBy;
    private String finishWhy;
    private long[] flashbackTs;
    private long[] flashbackRegions;
    private String failure;

    private RunRecorder() {
        this.dir = null;
        this.info = null;
        this.started = Instant.now();
        this.writer = null;
        this.finished = true;
    }

    private RunRecorder(Path dir, RunInfo info) {
        this.dir = dir;
        this.info = info;
        this.started = Instant.now();
        this.writer = new RecordWriter(QUEUE, () -> failed, this::fail);
    }

    /** A recorder that records nothing ({@code --no-record}). */
    public static RunRecorder none() {
        return NONE;
    }

    /**
     * Starts recording into {@code dir} (created if needed). A directory that already holds a
     * recording is never overwritten: the run goes to {@code dir-2} ({@code -3}, ...) instead, with a
     * warning. Never throws: when the directory or its files cannot be created, one warning is logged
     * and the returned recorder records nothing.
     */
    public static RunRecorder open(Path dir, RunInfo info) {
        RunDirectory.Claim claim = RunDirectory.claim(dir);
        Path free = claim.dir();
        if (claim.error() != null) {
            RunRecorder r = new RunRecorder(free, info);
            r.fail(claim.error());
            r.finished = true;
            return r;
        }
        FileChannel claimed = claim.dump();
        if (!free.equals(dir)) {
            log.warn("{} already holds a recorded run; this run is recorded in {}", dir, free);
        }
        RunRecorder r = new RunRecorder(free, info);
        r.dump = new DumpFile(free, claimed);
        try {
            r.writeManifest("running", null, null, null);
        } catch (IOException | RuntimeException e) {
            r.fail(e);
            r.finished = true;
            return r;
        }
        r.writer.start();
        log.info("recording this run to {}", r.dir);
        return r;
    }

    /**
     * A new per-run directory name under {@code $PHYBR_RUNS_DIR} (default {@code ./phybr-runs}):
     * {@code <UTC time>-<command>}, with {@code -2}, {@code -3}, ... appended if that exists already.
     */
    public static Path defaultDir(String command) {
        return RunDirectory.defaultDir(command);
    }

    /** Whether this recorder writes anything (false for {@link #none()} and after a write error). */
    public boolean active() {
        return dir != null && !failed;
    }

    /** The run directory, or null for {@link #none()}. */
    public Path dir() {
        return dir;
    }

    /** The recorded dump ({@code DIR/reports.jsonl}), or null for {@link #none()}. */
    public Path dumpFile() {
        return dir == null ? null : dir.resolve(DUMP);
    }

    /** Records one store's report stream. Call again for the store's next stream after a discard. */
    public StoreRecording store(long storeId) {
        if (dir == null) {
            return StoreRecording.NONE;
        }
        synchronized (this) {
            StoreRecording s = new StoreRecording(this, nextSink++, storeId);
            sinks.add(s);
            return s;
        }
    }

    /** Records the plan ({@code plan.jsonl}, {@code summary.json}) on the writer thread; returns at once. */
    public void planned(Plan plan) {
        if (!accepting()) {
            return;
        }
        synchronized (this) {
            planStores = plan.stores();
            planCommands = plan.commandCount();
        }
        submit(() -> {
            AtomicFiles.write(dir.resolve(PLAN), plan::writeJsonLines);
            AtomicFiles.write(dir.resolve(SUMMARY), o -> o.write((plan.summary().toJson() + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            synchronized (this) {
                planWritten = true;
            }
            writeManifest("running", null, null, null);
        });
    }

    /** Records which finish the run takes and why ({@code manifest.json}'s {@code finish}). */
    public void finishedBy(String finish, String why) {
        synchronized (this) {
            finishBy = finish;
            finishWhy = why;
        }
        manifestNow();
    }

    /** Records the flashback's timestamps before any region is prepared. */
    public void flashbackTs(long version, long startTs, long commitTs) {
        synchronized (this) {
            flashbackTs = new long[] {version, startTs, commitTs};
        }
        manifestNow();
    }

    /** Records how many regions the flashback prepared and flashed back. */
    public void flashedBack(long prepared, long flashedBack) {
        synchronized (this) {
            flashbackRegions = new long[] {prepared, flashedBack};
        }
    }

    /** Rewrites the running manifest on the writer thread (a kill later still leaves what the run had chosen). */
    private void manifestNow() {
        if (accepting()) {
            submit(() -> writeManifest("running", null, null, null));
        }
    }

    /**
     * Ends the recording: flushes every store's buffer, moves the reports of discarded streams to
     * {@code discarded.jsonl}, and writes the final manifest. Waits for the disk (at most a minute).
     * Idempotent: only the first call counts.
     */
    public void finish(ExitCode exit, String verdict, String diagnosis) {
        finish(exit, verdict, diagnosis, FINISH);
    }

    /** {@link #finish(ExitCode, String, String)} waiting for the disk {@code budget} at most, all told. */
    void finish(ExitCode exit, String verdict, String diagnosis, Duration budget) {
        List<StoreRecording> open;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            open = new ArrayList<>(sinks);
        }
        if (writer == null) {
            return;
        }
        // Bounded as a whole: a shutdown hook may be the caller, and a hung write must not hold it (a collection
        // thread can hold a stream's lock while the writer's queue is full behind that write).
        long deadline = System.nanoTime() + budget.toNanos();
        try {
            boolean handed = true;
            for (StoreRecording s : open) {
                handed &= s.flushForFinish(deadline);
            }
            handed = handed && writer.submit(() -> {
                dump.close();
                writeManifest("finished", exit, verdict, diagnosis);
            }, deadline);
            if (!handed || !writer.stopAndJoin(deadline)) {
                fail(new IOException("the disk did not take the recording within " + budget.toSeconds() + " s"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new IOException("interrupted while finishing the recording"));
        }
        if (!failed) {
            log.info("recorded this run to {}; replay it with: phybr plan --input {}", dir, dumpFile());
        }
    }

    /** Ends an unfinished recording as an internal error (prefer {@link #finish}). */
    @Override
    public void close() {
        finish(ExitCode.INTERNAL, "the recording was closed before the run ended", "");
    }

    /** Stops recording a run that never started and removes what it wrote (an empty directory it created). */
    public void abandon() {
        synchronized (this) {
            if (dir == null) {
                return;
            }
            finished = true;
        }
        if (writer != null && writer.alive()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            try {
                if (!writer.submit(dump::close, deadline) || !writer.stopAndJoin(deadline)) {
                    fail(new IOException("the disk did not close the recording within 10 s"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(dir.resolve(DUMP));
            Files.deleteIfExists(dir.resolve(MANIFEST));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.debug("could not remove {}: {}", dir, e.toString());
        }
    }

    // ---- for StoreRecording --------------------------------------------------------------------

    boolean accepting() {
        return dir != null && !failed && !finished;
    }

    /** Whether the writer thread is still running (it ends with the recording, on every path). */
    boolean writing() {
        return writer != null && writer.alive();
    }

    boolean failedOrNone() {
        return dir == null || failed;
    }

    /** A chunk of whole lines of one sink, on the writer thread: appended to the dump. */
    void append(int sink, byte[] bytes, int off, int len) throws IOException {
        dump.append(sink, bytes, off, len);
    }

    void completed(long store) {
        synchronized (this) {
            reportedStores.add(store);
        }
    }

    void discarded(int sink, long store, long lines) {
        log.info("recording: store {}'s broken-off stream ({} replicas) goes to {} at the end", store, lines, DISCARDED);
        submit(() -> dump.discard(sink));
    }

    /** Work for the writer thread, in order (a stream's batch to encode or chunk to flush, a manifest, a plan). */
    void submit(RecordWriter.Task t) {
        if (writer != null) {
            writer.submit(t);
        }
    }

    void fail(Throwable e) {
        synchronized (this) {
            if (failed) {
                return;
            }
            failed = true;
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        log.warn("recording the run to {} failed ({}); the recovery goes on, unrecorded from here", dir,
                failure);
        if (writer != null) {
            writer.clear(); // unblock producers; the writer stops, and nobody submits after this
        }
        try {
            if (dump != null) {
                dump.abort();
            }
            if (dir != null && Files.isDirectory(dir)) {
                writeManifest("failed", null, null, null);
            }
        } catch (IOException | RuntimeException again) {
            // the warning above said it all
        }
    }

    private void writeManifest(String status, ExitCode exit, String verdict, String diagnosis) throws IOException {
        long kept = 0;
        long gone = 0;
        ManifestWriter.Facts facts;
        synchronized (this) {
            for (StoreRecording s : sinks) {
                if (s.isDiscarded()) {
                    gone += s.lines();
                } else {
                    kept += s.lines();
                }
            }
            facts = new ManifestWriter.Facts(failure, planStores != null ? planStores
                    : reportedStores.stream().mapToLong(Long::longValue).toArray(), kept, gone, planWritten, planCommands,
                    finishBy, finishWhy, flashbackTs, flashbackRegions);
        }
        ManifestWriter.write(dir.resolve(MANIFEST), info, started, status, exit, verdict, diagnosis, facts);
    }

    static String version() {
        return io.phybr.adviser.BuildInfo.current().version();
    }
}
