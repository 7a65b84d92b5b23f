package io.phybr.mock.stock;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Faults of one mock store, as data. Each entry fires for the next {@code times} matching calls, then is spent.
 * Thread-safe. Store down / up is {@link MockStockStore#stop()} / {@link MockStockStore#start()}.
 */
public final class StoreFaults {
    /** The four recover_data calls. */
    public enum Rpc { READ_REGION_META, RECOVER_REGION, WAIT_APPLY, RESOLVE_KV_DATA }

    /** What a fault does to a call. */
    public enum Kind {
        /** Fail the call with a gRPC status at once. */
        STATUS,
        /** Stream {@code after} messages (or read all requests), then drop the stream with UNAVAILABLE. */
        RESET,
        /** Answer normally but with {@code Error{msg}} in the response. */
        ERROR_REPLY,
        /** RecoverRegion only: once all requests are read, the store process restarts on the same port. */
        REBOOT
    }

    /** One fault entry. */
    public record Fault(Rpc rpc, Kind kind, Status.Code code, int after, String msg, int times) {
    }

    private final List<Fault> faults = new ArrayList<>();
    private final List<int[]> left = new ArrayList<>();
    private volatile Duration delay = Duration.ZERO;

    public synchronized StoreFaults add(Fault f) {
        faults.add(f);
        left.add(new int[] {f.times()});
        return this;
    }

    public StoreFaults failNext(Rpc rpc, Status.Code code, int times) {
        return add(new Fault(rpc, Kind.STATUS, code, 0, null, times));
    }

    public StoreFaults resetStream(Rpc rpc, int afterMessages, int times) {
        return add(new Fault(rpc, Kind.RESET, Status.Code.UNAVAILABLE, afterMessages, null, times));
    }

    public StoreFaults errorReply(Rpc rpc, String msg, int times) {
        return add(new Fault(rpc, Kind.ERROR_REPLY, null, 0, msg, times));
    }

    public StoreFaults rebootDuringRecover(int times) {
        return add(new Fault(Rpc.RECOVER_REGION, Kind.REBOOT, null, 0, null, times));
    }

    /** A slow store: every streamed message and every region campaign takes this long. */
    public StoreFaults slow(Duration perStep) {
        this.delay = perStep;
        return this;
    }

    public Duration delay() {
        return delay;
    }

    /** Takes the first live fault for this call, or null. */
    synchronized Fault take(Rpc rpc) {
        for (int i = 0; i < faults.size(); i++) {
            if (faults.get(i).rpc() == rpc && left.get(i)[0] > 0) {
                left.get(i)[0]--;
                return faults.get(i);
            }
        }
        return null;
    }

    /** Faults still armed. */
    public synchronized int pending() {
        return left.stream().mapToInt(a -> a[0]).sum();
    }
}
