package io.phybr.mock.stock;

import io.grpc.Status;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.Fault.CallFault;
import io.phybr.mock.fault.Fault.Rpc;
import io.phybr.mock.fault.StorePoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The faults armed on one mock store ({@link Fault.StoreFault}s), looked up at the store's named points
 * ({@link StorePoint}). A {@link CallFault} fires for the next {@code times()} calls of its RPC, then is spent;
 * the others (slowness, garbage in a report, a store that never boots) hold for the store's life. Thread-safe.
 * Store down / up is {@link MockStockStore#stop()} / {@link MockStockStore#start()}.
 */
public final class StoreFaults {
    private final long store;
    private final List<Fault.StoreFault> faults = new ArrayList<>();
    private final List<int[]> left = new ArrayList<>();
    private volatile Duration delay = Duration.ZERO;

    public StoreFaults(long store) {
        this.store = store;
    }

    /** Arms a fault of this store. */
    public synchronized StoreFaults add(Fault.StoreFault f) {
        if (f.store() != store) {
            throw new IllegalArgumentException(f + " is not a fault of store " + store);
        }
        if (f instanceof Fault.Slow s) {
            delay = s.delay();
            return this;
        }
        faults.add(f);
        left.add(new int[] {f instanceof CallFault c ? c.times() : Integer.MAX_VALUE});
        return this;
    }

    public StoreFaults failNext(Rpc rpc, Status.Code code, int times) {
        return add(new Fault.FailNext(store, rpc, code, times));
    }

    public StoreFaults resetStream(Rpc rpc, int afterMessages, int times) {
        return add(new Fault.ResetAfter(store, rpc, afterMessages, times));
    }

    public StoreFaults errorReply(Rpc rpc, String msg, int times) {
        return add(new Fault.ErrorReply(store, rpc, msg, times));
    }

    /** The store restarts while serving the next {@code times} RecoverRegion calls, once their requests are read. */
    public StoreFaults rebootDuringRecover(int times) {
        return add(new Fault.RestartDuring(store, Rpc.RECOVER_REGION, -1, times));
    }

    /** A slow store: every streamed message and every region campaign takes this long (ZERO: not slow). */
    public StoreFaults slow(Duration perStep) {
        return add(new Fault.Slow(store, perStep));
    }

    public Duration delay() {
        return delay;
    }

    /** Point {@link StorePoint#CALL}: takes the first live per-call fault of this RPC (one time of it), or null. */
    synchronized CallFault forCall(Rpc rpc) {
        for (int i = 0; i < faults.size(); i++) {
            if (faults.get(i) instanceof CallFault c && c.rpc() == rpc && left.get(i)[0] > 0) {
                left.get(i)[0]--;
                return c;
            }
        }
        return null;
    }

    /** The store's life-long faults of this type that fire at {@code point}. */
    synchronized <T extends Fault.StoreFault> List<T> at(StorePoint point, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Fault.StoreFault f : faults) {
            if (!(f instanceof CallFault) && f.storePoint() == point && type.isInstance(f)) {
                out.add(type.cast(f));
            }
        }
        return out;
    }

    /** Per-call faults still armed (calls they will still fire for). */
    public synchronized int pending() {
        int n = 0;
        for (int i = 0; i < faults.size(); i++) {
            if (faults.get(i) instanceof CallFault) {
                n += left.get(i)[0];
            }
        }
        return n;
    }
}
