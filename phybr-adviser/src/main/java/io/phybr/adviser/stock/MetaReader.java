package io.phybr.adviser.stock;

import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.StoreRecording;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The collect phase's ReadRegionMeta of one store on its own — exactly the call {@code recover} makes per store,
 * without PD or retries, recording optional — so that benchmarks can measure the adviser's side of collection apart from
 * the rest of a recovery.
 */
public final class MetaReader {
    private MetaReader() {
    }

    /** Every meta {@code storeId} streams on {@code ch}, within {@code timeout}. */
    public static ReplicaTable read(ManagedChannel ch, long storeId, Duration timeout) throws InterruptedException {
        return read(ch, storeId, timeout, StoreRecording.none());
    }

    /** {@link #read(ManagedChannel, long, Duration)} recording every meta into {@code rec}, as {@code recover} does. */
    public static ReplicaTable read(ManagedChannel ch, long storeId, Duration timeout, StoreRecording rec)
            throws InterruptedException {
        return StoreRpc.collect(new PdStore(storeId, ch.authority(), false, "Up"), ch,
                Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS), new PhaseRunner.Progress(), rec);
    }
}
