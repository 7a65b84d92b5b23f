package io.phybr.adviser.protocol.seed;

import io.phybr.adviser.progress.PhaseProgress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code serve}'s progress in the same figures as {@code recover}'s ({@link PhaseProgress}), so the same progress bar,
 * metrics and status JSON show it: phase {@code collect} (stores reported of expected, region metas received) while
 * collecting, then {@code close} (stores closed of expected) once the plan is sent. A phase's clock starts when it is
 * first observed. Not thread-safe: one poller calls it.
 */
final class SeedProgress {
    private String phase;
    private long t0;

    /** The snapshots since the last call: the current phase's, after the finished one of a phase that just ended. */
    List<PhaseProgress> next(SessionView v, boolean ended) {
        String now = switch (v.phase()) {
            case NEW, COLLECTING, PLANNING -> "collect";
            case APPLYING, DONE -> "close";
        };
        List<PhaseProgress> out = new ArrayList<>();
        if (!now.equals(phase)) {
            if (phase != null) {
                out.add(of(phase, v, true)); // the phase that ended gets its last, finished snapshot
            }
            phase = now;
            t0 = System.nanoTime();
        }
        out.add(of(now, v, ended));
        return out;
    }

    private PhaseProgress of(String now, SessionView v, boolean ended) {
        boolean collect = now.equals("collect");
        List<PhaseProgress.StoreProgress> each = new ArrayList<>();
        int done = 0;
        long count = 0;
        for (SessionView.StoreView s : v.stores()) {
            boolean isDone = collect ? s.reported() : s.closed();
            done += isDone ? 1 : 0;
            count += collect ? s.metas() : isDone ? 1 : 0;
            String state = isDone ? "done" : s.connected() ? "running" : "waiting";
            each.add(new PhaseProgress.StoreProgress(s.id(), state, collect ? s.metas() : isDone ? 1 : 0, 1));
        }
        int total = Math.max(v.expected(), v.stores().size());
        boolean finished = ended || !now.equals(phase) || (collect ? v.phase() != Session.Phase.COLLECTING
                && v.phase() != Session.Phase.NEW : v.phase() == Session.Phase.DONE);
        return new PhaseProgress(now, collect ? "region metas" : "stores closed", done, total, count,
                (System.nanoTime() - t0) / 1_000_000, finished, each, Instant.now());
    }
}
