package io.phybr.adviser.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.phybr.adviser.plan.Policy;
import io.phybr.adviser.plan.Protocol;
import io.phybr.contract.ExitCode;
import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.dump.StockReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording with the encoding on the writer thread ({@link MetaBatch}): the recording is byte for byte what encoding
 * on the collection thread made (the stream's own {@link DumpWriter} over the same reports), the hand-off is bounded
 * (a stuck disk holds the collection thread back, it does not queue without end), a write error fails the recording
 * as before, and the writer thread ends on every path — also when a hung write holds the queue full while a finish
 * (a shutdown hook) comes, which then gives up after its budget instead of waiting on the stream's lock. Seeded.
 */
class RecordingOffThreadTest {
    private static final long SEED = 16_2026L;
    private static final RunInfo INFO = new RunInfo("serve", Policy.SEED, Protocol.SEED, false, List.of("serve"),
            OptionalLong.empty(), "3 stores");

    @TempDir
    Path dir;
    private final ExecutorService collectors = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        collectors.shutdownNow();
        assertThat(collectors.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static byte[] key(Random r) {
        byte[] k = new byte[r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(r.nextInt(20) == 0 ? 3000 : 40)];
        r.nextBytes(k);
        return k;
    }

    private static long value(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> -1 - r.nextInt(3); // unsigned beyond Long.MAX_VALUE
            case 2 -> r.nextInt(1000);
            default -> r.nextLong() >>> 1;
        };
    }

    /**
     * One store's reports, fed both to the recording and to a DumpWriter over memory (what the collection thread
     * wrote before): seed reports with keys as arrays or as slices of one reused buffer, or stock reports in both
     * forms.
     */
    private static byte[] feed(StoreRecording rec, long store, boolean stock, int n, Random r) throws IOException {
        ByteArrayOutputStream old = new ByteArrayOutputStream();
        DumpWriter w = new DumpWriter(old);
        SeedReport report = new SeedReport(); // reused, as a collector does
        StockReport stockReport = new StockReport();
        byte[] buf = new byte[8192];
        for (int i = 0; i < n; i++) {
            long[] v = {value(r), value(r), value(r), value(r), value(r), value(r)};
            boolean tomb = r.nextInt(10) == 0;
            byte[] start = key(r);
            byte[] end = key(r);
            boolean sliced = r.nextBoolean();
            if (sliced) {
                r.nextBytes(buf); // what the buffer held for the previous message
                System.arraycopy(start, 0, buf, 7, start.length);
                System.arraycopy(end, 0, buf, 7 + start.length, end.length);
            }
            if (stock) {
                stockReport.store(store).region(v[0]).peerId(v[1]).lastLogTerm(v[2]).lastIndex(v[3]).commitIndex(v[4])
                        .version(v[5]).tombstone(tomb);
                w.writeStock(stockReport.keys(start, end));
                rec.stock(sliced ? stockReport.store(0).keySlices(buf, 7, start.length, 7 + start.length, end.length)
                        : stockReport.store(0).keys(start.length == 0 && r.nextBoolean() ? null : start, end));
            } else {
                report.store(store).region(v[0]).appliedIndex(v[1]).term(v[2]).version(v[3]).tombstone(tomb);
                w.writeSeed(report.keys(start, end));
                rec.seed(sliced ? report.store(0).keySlices(buf, 7, start.length, 7 + start.length, end.length)
                        : report.store(0).keys(start, end));
            }
        }
        w.flush();
        return old.toByteArray();
    }

    @Test
    void theRecordingIsByteForByteWhatEncodingOnTheCollectionThreadMade() throws IOException {
        Random r = new Random(SEED);
        RunRecorder rec = RunRecorder.open(dir, INFO);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ByteArrayOutputStream discarded = new ByteArrayOutputStream();
        // stores one after another (so the order of chunks in the file is fixed), seed and stock, one discarded
        StoreRecording one = rec.store(1);
        expected.write(feed(one, 1, false, 12_000, r));
        one.complete();
        StoreRecording broken = rec.store(2);
        discarded.write(feed(broken, 2, true, 3_000, r));
        broken.discard();
        StoreRecording again = rec.store(2);
        expected.write(feed(again, 2, true, 9_000, r));
        again.complete();
        StoreRecording few = rec.store(3);
        expected.write(feed(few, 3, false, 5, r));
        few.complete();
        rec.finish(ExitCode.OK, "ok", "");

        assertThat(rec.active()).isTrue();
        assertThat(Files.readAllBytes(dir.resolve(RunRecorder.DUMP))).as("seed %d", SEED)
                .isEqualTo(expected.toByteArray());
        assertThat(Files.readAllBytes(dir.resolve(RunRecorder.DISCARDED))).isEqualTo(discarded.toByteArray());
        assertThat(Files.readString(dir.resolve(RunRecorder.MANIFEST))).contains("\"replicas\" : 21005",
                "\"discarded_replicas\" : 3000", "\"status\" : \"finished\"");
        assertThat(rec.writing()).isFalse();
    }

    @Test
    void aStuckDiskHoldsTheCollectionThreadBackWithABoundedQueue() throws Exception {
        RunRecorder rec = RunRecorder.open(dir, INFO);
        CountDownLatch disk = new CountDownLatch(1);
        rec.submit(() -> stuckUntil(disk)); // the writer thread is stuck in a write
        StoreRecording s = rec.store(1);
        int n = (RunRecorder.QUEUE + 8) * MetaBatch.METAS;
        AtomicLong recorded = new AtomicLong();
        Random r = new Random(SEED);
        byte[][] keys = {key(r), key(r)};
        CompletableFuture<Void> collecting = CompletableFuture.runAsync(() -> {
            SeedReport report = new SeedReport();
            for (int i = 0; i < n; i++) {
                s.seed(report.region(i + 1).appliedIndex(10).term(6).version(1).keys(keys[0], keys[1]));
                recorded.incrementAndGet();
            }
        }, collectors);
        // held back: the count stays the same from one poll to the next for 300 ms
        AtomicLong lastPoll = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(300))
                .until(() -> {
                    long now = recorded.get();
                    return now > 0 && lastPoll.getAndSet(now) == now;
                });
        // the queue's batches, the one the thread is handing over, the one it fills: no more
        assertThat(recorded.get()).isLessThanOrEqualTo((RunRecorder.QUEUE + 2L) * MetaBatch.METAS).isLessThan(n);
        assertThat(collecting).isNotDone();

        disk.countDown();
        collecting.get(30, TimeUnit.SECONDS);
        s.complete();
        rec.finish(ExitCode.OK, "ok", "");
        assertThat(Files.readAllLines(dir.resolve(RunRecorder.DUMP))).hasSize(n);
        assertThat(rec.writing()).isFalse();
    }

    @Test
    void aWriteErrorFailsTheRecordingAndTheWriterEndsWithoutAFinish() throws Exception {
        RunRecorder rec = RunRecorder.open(dir, INFO);
        StoreRecording s = rec.store(1);
        feed(s, 1, false, 3 * MetaBatch.METAS, new Random(SEED));
        rec.submit(() -> {
            throw new IOException("No space left on device");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> !rec.active());
        assertThat(Files.readString(dir.resolve(RunRecorder.MANIFEST))).contains("\"status\" : \"failed\"",
                "No space left on device");
        await().atMost(Duration.ofSeconds(10)).until(() -> !rec.writing());
        feed(s, 1, false, 2 * MetaBatch.METAS, new Random(SEED)); // ignored, and nothing blocks
        s.complete();
        rec.finish(ExitCode.OK, "ok", "");
        assertThat(Files.readString(dir.resolve(RunRecorder.MANIFEST))).contains("\"status\" : \"failed\"");
    }

    @Test
    void aFinishDuringAHungWriteGivesUpAfterItsBudgetAndTheWriterStillEnds() throws Exception {
        RunRecorder rec = RunRecorder.open(dir, INFO);
        CountDownLatch disk = new CountDownLatch(1);
        rec.submit(() -> stuckUntil(disk));
        StoreRecording s = rec.store(1);
        CompletableFuture<Void> collecting = CompletableFuture.runAsync(() -> {
            SeedReport report = new SeedReport();
            for (int i = 0; i < (RunRecorder.QUEUE + 8) * MetaBatch.METAS; i++) {
                s.seed(report.region(i + 1).appliedIndex(10).term(6).version(1).keys(null, null));
            }
        }, collectors);
        // the collection thread ends up waiting to hand a batch over, holding its stream's lock
        // (the lines count stays the same from one poll to the next for 300 ms)
        AtomicLong lastPoll = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(300))
                .until(() -> {
                    long now = s.lines();
                    return now > 0 && lastPoll.getAndSet(now) == now;
                });
        long t0 = System.nanoTime();
        CompletableFuture<Void> hook = CompletableFuture.runAsync(
                () -> rec.finish(ExitCode.FAILURE, "interrupted", "interrupted", Duration.ofSeconds(1)), collectors);
        hook.get(20, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(rec.active()).isFalse();
        assertThat(Files.readString(dir.resolve(RunRecorder.MANIFEST))).contains("\"status\" : \"failed\"",
                "did not take the recording within 1 s");

        disk.countDown(); // the write comes back: the collection thread is let go, the writer ends
        collecting.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !rec.writing());
    }

    @Test
    void theWriterEndsWhenARunIsAbandoned() {
        RunRecorder rec = RunRecorder.open(dir.resolve("run"), INFO);
        assertThat(rec.writing()).isTrue();
        rec.abandon();
        assertThat(rec.writing()).isFalse();
        assertThat(dir.resolve("run")).doesNotExist();
    }

    private static void stuckUntil(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IOException("test disk never came back");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
