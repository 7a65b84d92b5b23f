package io.phybr.adviser.flashback;

import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.progress.PhaseProgress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flashback finish after RecoverRegion, as BR 7.x runs it (br/pkg/restore/data {@code PrepareFlashbackToVersion},
 * {@code FlashbackToVersion}): every region the plan kept is prepared (put in the flashback state, which refuses
 * every read and write but the flashback's) and only once every one is, each is flashed back to the resolved ts —
 * every key whose latest version is newer rewritten to its value at the resolved ts, locks removed — at PD's
 * timestamp. Prepare is retried per region; the flashback stage is never restarted with new timestamps.
 */
public final class FlashbackFinish {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    /**
     * How the stages run: spans at once, time per stage, time per call (TiDB bounds each flashback call by 3 minutes,
     * ddl {@code flashbackTimeout}), tries per region piece and backoff, progress period.
     */
    public record Settings(int concurrency, Duration stageTimeout, Duration callTimeout, int attempts,
                           Duration initialBackoff, Duration maxBackoff, Duration progressInterval) {}

    /** The finish did not complete; the message is the operator's paragraph. */
    public static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        Failed(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }

    /** Regions prepared and flashed back (pieces: a span that split counts each region). */
    public record Result(long prepared, long flashedBack, long retries) {}

    private final StageRunner runner;
    private final Settings settings;
    private final PdRoutes pd;

    /** {@code leaderless}: run when a region has no leader anywhere (the recovery re-sends restarted stores' plans). */
    public FlashbackFinish(PdRoutes pd, RegionCalls calls, Settings settings, ScheduledExecutorService ticker,
                           Consumer<PhaseProgress> progress, Runnable leaderless) {
        this(pd, calls, settings, ticker, progress, FlashbackFinish::requestKey, leaderless);
    }

    FlashbackFinish(PdRoutes pd, RegionCalls calls, Settings settings, ScheduledExecutorService ticker,
                    Consumer<PhaseProgress> progress, UnaryOperator<byte[]> requestKey, Runnable leaderless) {
        this.settings = settings;
        this.pd = pd;
        this.runner = new StageRunner(pd, calls, new RegionWalk.Policy(settings.attempts(), settings.initialBackoff().toMillis(),
                settings.maxBackoff().toMillis()), requestKey, ticker, settings.progressInterval(), progress, leaderless);
    }

    /**
     * Lists PD's regions (cross-checked with the plan's kept regions, {@code planned}), prepares every one, then
     * flashes every one back, with {@code ts}; {@code entering} is told before each stage (the recovery's phase).
     * {@code allowGaps}: the plan accepted holes. Throws {@link Failed} naming the regions that stuck.
     */
    public Result run(Plan plan, ReplicaTable table, Map<Long, Long> moved, boolean allowGaps, FlashbackTs ts,
                      Consumer<Stage> entering) throws Failed {
        return run(RegionScan.planned(plan, table, moved), allowGaps, ts, entering);
    }

    Result run(Map<Long, RegionScan.Planned> planned, boolean allowGaps, FlashbackTs ts, Consumer<Stage> entering)
            throws Failed {
        try {
            entering.accept(Stage.PREPARE);
            io.grpc.Deadline scanBy = io.grpc.Deadline.after(settings.stageTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            List<Span> spans = RegionScan.spans(pd, planned, allowGaps, settings.attempts(),
                    settings.initialBackoff().toMillis(), settings.maxBackoff().toMillis(), scanBy);
            LOG.info("flashback: {} regions in PD to flash back to the resolved ts, {}", spans.size(), ts.describe());
            StageRunner.Result p = runner.run(Stage.PREPARE, spans, ts, settings.stageTimeout(), settings.concurrency());
            entering.accept(Stage.FLASHBACK);
            StageRunner.Result f = runner.run(Stage.FLASHBACK, spans, ts, settings.stageTimeout(), settings.concurrency());
            return new Result(p.pieces(), f.pieces(), p.retries() + f.retries());
        } catch (RegionScan.Incomplete e) {
            throw new Failed(e.getMessage(), false);
        } catch (StageRunner.StageFailed e) {
            throw new Failed(e.getMessage(), e.timedOut);
        } catch (RegionWalk.Unimplemented e) {
            throw new Failed(FlashbackTexts.unimplemented(Stage.PREPARE, e.store, e.getMessage()), false);
        }
    }

    /**
     * A request key for a boundary: its memcomparable decoding (TiKV's transactional keys); a boundary that is not
     * one — raw-mode keys, or a test layout's — is sent as it is (TiKV would encode it again; a client that decodes
     * must not invent a key).
     */
    static byte[] requestKey(byte[] boundary) {
        return RequestKeys.decode(boundary).orElse(boundary);
    }
}
