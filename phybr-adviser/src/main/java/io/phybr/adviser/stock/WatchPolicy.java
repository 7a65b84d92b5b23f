package io.phybr.adviser.stock;

import java.time.Duration;

/**
 * How the recovery watches for what real TiKV does not report: a forced leader that cannot win (R3), a store that
 * restarted (R9), a wait that may still be pending (R10).
 *
 * @param roundTimeout  bound of one RecoverRegion round before PD is asked which forced regions have no leader
 *                      (TiKV takes ≥ 10 s per call even with nothing to do, R5)
 * @param restartGrace  how long PD is watched for a restart of a store whose wait was interrupted
 * @param watchInterval how often PD's store start timestamps are read while waiting (BR reads every 30 s)
 * @param maxRestarts   restarts of one store tolerated in a recovery before it is named as unstable
 */
public record WatchPolicy(Duration roundTimeout, Duration restartGrace, Duration watchInterval, int maxRestarts) {
    public static WatchPolicy defaults() {
        return new WatchPolicy(Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofSeconds(30), 3);
    }
}
