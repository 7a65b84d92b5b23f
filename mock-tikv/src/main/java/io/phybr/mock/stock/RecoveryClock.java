package io.phybr.mock.stock;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * TiKV's time in recovery mode, scaled (SPEC R5): every duration the mock stores wait is written in TiKV's own
 * terms ({@link #LEADER_KEEPER_PERIOD} = 10 s, as {@code leader_keeper.rs}) and divided by {@code speedup} here, so a
 * test can run a 20-second RecoverRegion in 20 ms. Scaling changes how long things take, never their order or their
 * shape: a hang is still a hang (it just re-checks more often), an error is still an error.
 *
 * <p>One small object injected into every store of a cluster ({@link MockStockCluster}); {@link #tikv()} is real
 * time, {@link #scaled(double)} speeds it up.
 */
public final class RecoveryClock {
    /** LeaderKeeper's step period: it waits 10 s after every step, so RecoverRegion takes ≥ 10 s (leader_keeper.rs). */
    public static final Duration LEADER_KEEPER_PERIOD = Duration.ofSeconds(10);
    /** How often a waiting peer re-checks its apply progress (TiKV reacts on every apply; the mock polls). */
    public static final Duration APPLY_POLL = Duration.ofMillis(500);
    /** ResolveKvData's manual compaction of every column family before the stream closes (services.rs compact). */
    public static final Duration COMPACTION = Duration.ofSeconds(5);

    private final double speedup;
    /** Virtual time (nanoseconds of TiKV time) for a {@link #virtual()} clock; null on a wall clock. */
    private final java.util.concurrent.atomic.AtomicLong virtualNanos;

    private RecoveryClock(double speedup, boolean virtual) {
        if (!(speedup >= 1)) {
            throw new IllegalArgumentException("speedup " + speedup + " must be at least 1");
        }
        this.speedup = speedup;
        this.virtualNanos = virtual ? new java.util.concurrent.atomic.AtomicLong() : null;
    }

    /** TiKV's real time. */
    public static RecoveryClock tikv() {
        return new RecoveryClock(1, false);
    }

    /** TiKV's time {@code speedup} times faster (1000: a 10 s period takes 10 ms). */
    public static RecoveryClock scaled(double speedup) {
        return new RecoveryClock(speedup, false);
    }

    /**
     * TiKV's time as a counter nobody waits on ({@link DirectStockStores}): {@link #sleep} advances it by the whole
     * duration at once and returns, so the stores' loops (LeaderKeeper's steps, apply polls, the compaction) run in the
     * caller's thread in TiKV's order, and a hang is a loop whose {@code stop} — a bound on {@link #now()} — ends it.
     * Only for callers that drive every store call themselves, one at a time: no other thread's progress is awaited.
     */
    public static RecoveryClock virtual() {
        return new RecoveryClock(1, true);
    }

    /** TiKV time passed on a {@link #virtual()} clock; on a wall clock, {@link System#nanoTime()}. */
    public long now() {
        return virtualNanos == null ? System.nanoTime() : virtualNanos.get();
    }

    public double speedup() {
        return speedup;
    }

    /** How long {@code tikvTime} takes on this clock. */
    public Duration scale(Duration tikvTime) {
        return Duration.ofNanos((long) (tikvTime.toNanos() / speedup));
    }

    /**
     * Waits {@code tikvTime} (scaled), returning early when {@code stop} turns true.
     *
     * @return false when stopped (or interrupted) before the time was up
     */
    public boolean sleep(Duration tikvTime, BooleanSupplier stop) {
        if (virtualNanos != null) {
            if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                return false;
            }
            virtualNanos.addAndGet(tikvTime.toNanos());
            return true; // the whole time passed; the caller's next check of stop sees it
        }
        long end = System.nanoTime() + scale(tikvTime).toNanos();
        long slice = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TimeUnit.MILLISECONDS.toNanos(20),
                scale(tikvTime).toNanos()));
        while (true) {
            if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                return false;
            }
            long rest = end - System.nanoTime();
            if (rest <= 0) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(rest, slice));
        }
    }

    @Override
    public String toString() {
        return virtualNanos != null ? "virtual TiKV time" : speedup == 1 ? "TiKV time" : "TiKV time x" + speedup;
    }
}
