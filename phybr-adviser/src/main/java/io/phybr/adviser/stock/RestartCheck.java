package io.phybr.adviser.stock;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdStore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * During the flashback, what BR's store watcher does (br/pkg/restore/data {@code SpawnTiKVShutDownWatchers}): a store
 * that restarted lost its forced leaders and nobody re-elects them in recovery mode (R9), so its regions answer
 * NotLeader with no leader until its RecoverRegion plan is sent again. Asked when a region has no leader anywhere;
 * reads PD's start timestamps at most once a second and re-sends the plan of every store that restarted and has not had
 * it since (the caller waits for it: RecoverRegion answers once the forced leaders lead again).
 */
final class RestartCheck implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");
    private static final long MIN_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final StoreWatch watch;
    private final PlanSender sender;
    private final Function<PdStore, ManagedChannel> channels;
    private final java.time.Duration sendTimeout;
    private long last = System.nanoTime() - MIN_GAP_NANOS;

    RestartCheck(StoreWatch watch, PlanSender sender, Function<PdStore, ManagedChannel> channels, java.time.Duration sendTimeout) {
        this.watch = watch;
        this.sender = sender;
        this.channels = channels;
        this.sendTimeout = sendTimeout;
    }

    @Override
    public synchronized void run() {
        if (System.nanoTime() - last < MIN_GAP_NANOS) {
            return;
        }
        last = System.nanoTime();
        try {
            for (PdStore s : watch.poll()) {
                LOG.warn("flashback: {} restarted (PD start timestamp {}); its forced leaders are gone (R9), its plan is"
                        + " sent again", StockTexts.store(s), s.startTimestamp());
            }
        } catch (PdException e) {
            LOG.warn("flashback: cannot read PD's store list to watch for restarts: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("flashback: restart watch failed: {}", e.toString());
        }
        try {
            // every store still without its plan since its restart, each on its own: TiKV shows its new start
            // timestamp in PD before its port serves, so a send that found the port closed is tried at the next check
            for (long id : watch.needingPlan()) {
                PdStore now = watch.store(id);
                try {
                    sender.resendIfRestarted(now, channels.apply(now),
                            Deadline.after(sendTimeout.toMillis(), TimeUnit.MILLISECONDS), new PhaseRunner.Progress());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    LOG.warn("flashback: sending {} its plan again failed ({}); tried again at the next check",
                            StockTexts.store(now), e.toString());
                }
            }
        } finally {
            last = System.nanoTime();
        }
    }
}
