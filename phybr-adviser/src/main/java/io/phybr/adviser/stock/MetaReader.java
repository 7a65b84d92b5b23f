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

    /**
     * The table the collect phase makes of the messages {@code storeId} streamed, each a RegionMeta's wire bytes — the
     * same fast decoder as over gRPC ({@link StoreRpc#collect}), the general parser for what it does not take — for a
     * caller that holds the messages already (a test binding the adviser to stores with no transport).
     *
     * @throws com.google.protobuf.InvalidProtocolBufferException on a message gRPC's marshaller would refuse too
     */
    public static ReplicaTable table(long storeId, java.util.List<byte[]> messages)
            throws com.google.protobuf.InvalidProtocolBufferException {
        ReplicaTable t = new ReplicaTable(Math.max(16, messages.size()));
        t.declareStore(storeId);
        io.phybr.adviser.collect.MetaFields f = io.phybr.adviser.collect.MetaFields.stock();
        io.phybr.contract.dump.StockReport report = new io.phybr.contract.dump.StockReport().store(storeId);
        for (byte[] b : messages) {
            if (f.decode(b, 0, b.length)) {
                t.addStock(report.region(f.value(1)).peerId(f.value(2)).lastLogTerm(f.value(3)).lastIndex(f.value(4))
                        .commitIndex(f.value(5)).version(f.value(6)).tombstone(f.value(7) != 0)
                        .keySlices(b, f.startOffset(), f.startLength(), f.endOffset(), f.endLength()));
            } else {
                io.phybr.proto.recoverdata.RegionMeta m = io.phybr.proto.recoverdata.RegionMeta.parseFrom(b);
                t.addStock(report.region(m.getRegionId()).peerId(m.getPeerId()).lastLogTerm(m.getLastLogTerm())
                        .lastIndex(m.getLastIndex()).commitIndex(m.getCommitIndex()).version(m.getVersion())
                        .tombstone(m.getTombstone()).keys(m.getStartKey().toByteArray(), m.getEndKey().toByteArray()));
            }
        }
        return t;
    }
}
