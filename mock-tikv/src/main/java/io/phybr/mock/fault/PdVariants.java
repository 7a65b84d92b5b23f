package io.phybr.mock.fault;

import io.phybr.mock.fault.Fault.PdEvent;
import io.phybr.mock.fault.Fault.PdFault;
import java.time.Duration;
import java.util.Objects;

/**
 * Internal (not API): a namespace; use the variants as {@code Fault.X}.
 *
 * <p>The {@link Fault} variants of the mock PD: faults of its HTTP answers ({@link PdFault}) and the scripted view it
 * has of the cluster ({@link PdEvent}). Used as {@code Fault.X}: {@link Fault} extends this interface only to name
 * them (see there).
 */
public interface PdVariants {
    /** The call is answered with HTTP {@code status}. */
    record PdStatus(String method, String pathPrefix, int times, int status) implements PdFault {
        public PdStatus {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pathPrefix, "pathPrefix");
        }
    }

    /**
     * The call is never answered until the mock closes: no status line at all, or ({@code midBody}) the status line,
     * headers with a full {@code Content-Length} and half the body, then nothing (a PD whose answer stalls mid-body).
     */
    record PdStall(String method, String pathPrefix, int times, boolean midBody) implements PdFault {
        public PdStall {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pathPrefix, "pathPrefix");
        }
    }

    /**
     * R0: PD was not marked snapshot-recovering when the TiKVs booted, so none is in recovery mode and every
     * RecoverData call answers UNIMPLEMENTED (tikv {@code components/snap_recovery/src/init_cluster.rs},
     * {@code services.rs}: the service is registered only in recovery mode); PD's marker reads false.
     */
    record Unmarked() implements PdEvent {
    }

    /**
     * R14 (tidb-operator#5242): store {@code store}'s TiKV registers only after PD has answered {@code listings} store
     * listings without it — a client that lists the stores early sees a subset.
     */
    record RegisterLate(long store, int listings) implements PdEvent {
        public RegisterLate {
            if (listings < 1) {
                throw new IllegalArgumentException("listings must be at least 1");
            }
        }
    }

    /**
     * PD shows store {@code store} as the leader of {@code region} from the start: a heartbeat PD received before this
     * recovery (e.g. a forced leader of an earlier attempt whose TiKV restarted since: a restarted store sends no
     * heartbeat for the regions it no longer leads, so PD keeps the stale leader until another leader reports).
     */
    record StaleLeader(long region, long store) implements PdEvent {
    }

    /**
     * R12: the operator paused {@code scheduler} for {@code delay} before the restore ({@code POST
     * /pd/api/v1/schedulers/{name} {"delay":N}}). PD keeps one pause per scheduler (tikv/pd
     * pkg/schedule/schedulers/scheduler_controller.go PauseOrResumeScheduler: delayUntil = now + delay), so a client
     * that pauses it again re-times the operator's pause, and one that resumes it ({@code "delay":0}) ends it.
     */
    record OperatorPaused(String scheduler, Duration delay) implements PdEvent {
        public OperatorPaused {
            Objects.requireNonNull(scheduler, "scheduler");
            if (delay.toSeconds() < 1) {
                throw new IllegalArgumentException("a pause lasts at least 1 s");
            }
        }
    }

    /**
     * R12: a BR (or an earlier recover) was killed before it put PD back, {@code left} before this restore starts
     * talking to PD. It leaves what tidb {@code br/pkg/pdutil/pd.go} sets, until the pause runs out by itself: its
     * schedulers ({@code Schedulers}: balance-leader, balance-region, balance-hot-region, shuffle-*) paused with a
     * delay, and the {@code expectPDCfg} items set with {@code ?ttlSecond} (max-merge-region-keys/size 0;
     * leader-/region-schedule-limit and max-snapshot-count the operator's value times the stores, at most 40;
     * enable-location-replacement false; max-pending-peer-count MaxInt32). The persisted values stay the operator's;
     * nothing on PD says who paused what.
     */
    record KilledRunLeftPaused(Duration left) implements PdEvent {
        public KilledRunLeftPaused {
            if (left.toSeconds() < 1) {
                throw new IllegalArgumentException("what a killed run left lasts at least 1 s");
            }
        }
    }

    /**
     * R9 at any moment: store {@code store}'s TiKV restarts (its forced leaders and pending WaitApply states are lost,
     * it registers again with a newer start timestamp) right after PD answered its {@code listing}-th store listing.
     */
    record RestartAtListing(long store, int listing) implements PdEvent {
        public RestartAtListing {
            if (listing < 1) {
                throw new IllegalArgumentException("listing must be at least 1");
            }
        }
    }
}
