package io.phybr.adviser.stock;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.phybr.adviser.pd.PdStore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends a store its current RecoverRegion commands and keeps {@link StoreWatch} honest about it: a call that ended
 * without its answer after the store had every command may have left leader-apply waits pending there (R10).
 * A call abandoned at a round's bound is judged by the round (it knows whether a region of it never won).
 */
final class PlanSender {
    private final Assignment assignment;
    private final StoreWatch watch;
    private final java.util.Map<Long, Object> locks = new java.util.concurrent.ConcurrentHashMap<>();

    PlanSender(Assignment assignment, StoreWatch watch) {
        this.assignment = assignment;
        this.watch = watch;
    }

    Assignment assignment() {
        return assignment;
    }

    void send(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p) throws Exception {
        send(s, ch, deadline, p, () -> { });
    }

    /**
     * Sends the store its plan again only if it restarted since the last one (R9). One send per store at a time: two
     * of ours would abort each other (R6), and the aborted one could leave waits pending.
     */
    void resendIfRestarted(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p) throws Exception {
        synchronized (lock(s.id())) {
            if (watch.needsPlan(s.id())) {
                send(s, ch, deadline, p);
            }
        }
    }

    /** As {@link #send}, running {@code onSent} once the store has every command (its older call is aborted then). */
    void send(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p, Runnable onSent) throws Exception {
        synchronized (lock(s.id())) {
            sendLocked(s, ch, deadline, p, onSent);
        }
    }

    private Object lock(long storeId) {
        return locks.computeIfAbsent(storeId, id -> new Object());
    }

    private void sendLocked(PdStore s, ManagedChannel ch, Deadline deadline, PhaseRunner.Progress p, Runnable onSent)
            throws Exception {
        AtomicBoolean sent = new AtomicBoolean();
        try {
            StoreRpc.recover(s, ch, deadline, p, assignment.commands(s.id()), () -> {
                sent.set(true);
                onSent.run();
            });
            watch.planSent(s.id());
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (sent.get() && code != Status.Code.DEADLINE_EXCEEDED && !deadline.isExpired() && StoreRpc.mayHaveReached(e)) {
                watch.interrupted(s.id(), StockTexts.recoverInterrupted(code));
            }
            throw e;
        }
    }
}
