package io.phybr.adviser.protocol.seed;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.phybr.adviser.collect.MetaFields;
import io.phybr.adviser.collect.MetaFrame;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.adviser.record.StoreRecording;
import io.phybr.contract.dump.SeedReport;
import io.phybr.proto.seed.RegionMeta;
import java.net.SocketAddress;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code recover_regions} call of one store. Receiving: metas go straight into a per-stream
 * {@link ReplicaTable} (no object kept per meta), with inbound flow control in batches. Sending:
 * once the adviser hands it the plan, the store's commands are streamed as fast as the transport
 * takes them ({@code isReady}/on-ready), then the call is completed.
 *
 * <p>Receive-side fields are touched only by the call's serialized gRPC callbacks; the adviser reads
 * them after the half-close it was told of under its lock. Send-side state is guarded by {@code this}.
 * Never called with the adviser's lock held from here, so the lock order is adviser → nothing.
 */
final class ReportStream implements StreamObserver<MetaFrame> {
    private static final Logger log = LoggerFactory.getLogger(SeedAdviser.class);
    /**
     * Inbound flow control in large batches: each request(n) is a hand-off to the transport, so asking
     * for 8k at a time makes it rare; 16k metas of ~100 bytes is ~1.6 MB buffered per stream at most.
     */
    private static final int INITIAL_REQUEST = 16384;
    private static final int REQUEST_BATCH = 8192;
    /** Problems kept per stream; the rest are only counted. */
    static final int MAX_PROBLEMS = 12;
    private static final long PROGRESS_NANOS = 1_000_000_000L;

    private final Session adviser;
    /** How the transport ended this call, when it did (null outside a traced server). */
    private final CallFate fate;
    final long store;
    /** The commands go out as {@link RawCommands}: each one's RegionRecover bytes, no message object built. */
    final ServerCallStreamObserver<byte[]> out;
    final SocketAddress remote;
    /** Opened once the plan existed or was being made: metas are counted and dropped, not kept. */
    final boolean afterPlan;
    final long openedNanos = System.nanoTime();
    /** Set by the adviser under its lock when the agent half-closed. */
    boolean halfClosed;
    /**
     * Where other connections claiming this stream's store came from while it was open, refused with ALREADY_EXISTS
     * (guarded by the session's lock). While this stream holds the store's report, the session does not plan: two
     * agents may run with one store id, and the one that reported may be the wrong TiKV. Gone with the stream.
     */
    final java.util.List<String> rivals = new java.util.ArrayList<>();

    // ---- receive side (gRPC callbacks only) ----
    private final ReplicaTable table;
    /** Every meta of this stream, as received (before any check), for the run's recording. */
    final StoreRecording recording;
    private volatile long metas;
    /** Ended by {@link #died}: later messages are dropped, not recorded. */
    private volatile boolean dead;
    private int unrequested;
    private long lastProgressNanos = openedNanos;
    private long lastProgressMetas;
    private final java.util.List<String> problems = new java.util.ArrayList<>();
    /** The fast decoder's reusable fields (no object per meta). */
    private final MetaFields fields = MetaFields.seed();
    /** The report handed to the recording and the table for every meta (they copy it): no object per meta. */
    private final SeedReport report = new SeedReport();
    private int problemCount;

    // ---- send side (guarded by this) ----
    private Plan plan;
    private int next;
    private int end;
    private boolean finished;
    /** For diagnoses without taking the monitor: commands sent, and of how many (-1 before the plan). */
    private volatile int progressSent;
    private volatile int progressTotal = -1;

    ReportStream(Session adviser, long store, ServerCallStreamObserver<byte[]> out, SocketAddress remote,
                 boolean afterPlan) {
        this.adviser = adviser;
        this.store = store;
        this.fate = CallFate.KEY.get(); // the call's context: constructed inside the service method
        this.out = out;
        this.remote = remote;
        this.afterPlan = afterPlan;
        this.table = afterPlan ? null : new ReplicaTable(1 << 12);
        this.recording = afterPlan ? StoreRecording.none() : adviser.recorder().store(store);
        if (table != null) {
            table.declareStore(store);
        }
    }

    /** Wires flow control and handlers; must run inside the service method. */
    synchronized void start() {
        if (finished) {
            return; // the session ended (and answered this call) before the service method returned
        }
        out.disableAutoRequest();
        out.setOnReadyHandler(this::drain);
        out.setOnCancelHandler(() -> {
            synchronized (this) {
                finished = true;
            }
            String cause = fate == null ? null : fate.cause();
            adviser.lost(this, cause == null ? "the agent cancelled the call or the connection dropped"
                    : "the transport ended the call: " + cause);
        });
        out.request(INITIAL_REQUEST);
    }

    // ---- receiving --------------------------------------------------------------------------

    /**
     * A message off the wire: decoded straight into the table when it is a plain RegionMeta; anything the
     * fast path does not take (unknown fields, odd encodings, garbage, an oversized or unreadable message)
     * goes through protobuf's general parser and {@link #onMeta}, exactly as before the fast path.
     */
    @Override
    public void onNext(MetaFrame frame) {
        if (dead) {
            return; // messages already in flight after the stream was ended
        }
        byte[] b = frame.bytes();
        if (frame.oversize() >= 0 || frame.unreadable() != null || !fields.decode(b, 0, frame.length())) {
            onMeta(LenientMetas.general(frame));
            return;
        }
        long region = fields.value(1);
        long n = metas + 1;
        metas = n;
        if (!afterPlan) {
            MetaFields f = fields;
            SeedReport r = report.store(store).region(region).appliedIndex(f.value(2)).term(f.value(3))
                    .version(f.value(4)).tombstone(f.value(5) != 0)
                    .keySlices(b, f.startOffset(), f.startLength(), f.endOffset(), f.endLength());
            recording.seed(r);
            table.addSeed(r);
        }
        taken(n);
    }

    /** A message protobuf's general parser decoded (or could not: {@link LenientMetas#failure}). */
    private void onMeta(RegionMeta meta) {
        Status undecodable = LenientMetas.failure(meta);
        if (undecodable != null) {
            dead = true;
            died(undecodable);
            return;
        }
        long n = metas + 1;
        metas = n;
        if (!afterPlan) {
            com.google.protobuf.ByteString startKey = meta.getStartKey();
            com.google.protobuf.ByteString endKey = meta.getEndKey();
            byte[] start = startKey.isEmpty() ? null : startKey.toByteArray();
            byte[] end = endKey.isEmpty() ? null : endKey.toByteArray();
            SeedReport r = report.store(store).region(meta.getRegionId()).appliedIndex(meta.getAppliedIndex())
                    .term(meta.getTerm()).version(meta.getVersion()).tombstone(meta.getTombstone()).keys(start, end);
            recording.seed(r);
            if (!meta.getUnknownFields().isEmpty()) {
                problem(meta.getRegionId(), "the meta carries unknown protobuf field(s) "
                        + meta.getUnknownFields().asMap().keySet() + " (not the seed's phybr.RegionMeta)");
            } else {
                table.addSeed(r);
            }
        }
        taken(n);
    }

    /** Flow control and progress after the {@code n}th meta. */
    private void taken(long n) {
        if (++unrequested >= REQUEST_BATCH) {
            out.request(unrequested);
            unrequested = 0;
        }
        if ((n & 0x3fff) == 0) {
            long now = System.nanoTime();
            if (now - lastProgressNanos >= PROGRESS_NANOS) {
                double rate = (n - lastProgressMetas) * 1e9 / (now - lastProgressNanos);
                log.info(String.format(Locale.ROOT, "store %d: %d metas so far (%.0f/s)", store, n, rate));
                lastProgressNanos = now;
                lastProgressMetas = n;
            }
        }
    }

    private void problem(long region, String what) {
        problemCount++;
        if (problems.size() < MAX_PROBLEMS) {
            problems.add("store " + store + " region " + Long.toUnsignedString(region) + ": " + what);
        }
    }

    /**
     * The agent sent a message that is not a RegionMeta: this stream ends now, with the reason, and
     * the session learns of it at once — its reports are discarded and the store may reconnect.
     */
    private void died(Status why) {
        String reason = "message " + (metas + 1) + " " + why.getDescription();
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            try {
                out.onError(why.getCode().toStatus().withDescription("Store " + store + ": recover_regions " + reason
                        + "; the stream is ended and its reports are discarded. Fix the agent, then report again"
                        + " on a new stream.").asRuntimeException());
            } catch (RuntimeException e) {
                log.debug("store {}: could not send the error: {}", store, e.toString());
            }
        }
        adviser.lost(this, reason);
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            finished = true;
        }
        adviser.lost(this, describe(t));
    }

    @Override
    public void onCompleted() {
        recording.complete();
        adviser.reported(this);
    }

    long metas() {
        return metas;
    }

    /** The report; valid once the stream half-closed (read by the adviser after {@link #onCompleted}). */
    ReplicaTable table() {
        return table;
    }

    java.util.List<String> problems() {
        return problems;
    }

    int problemCount() {
        return problemCount;
    }

    double seconds() {
        return (System.nanoTime() - openedNanos) / 1e9;
    }

    // ---- sending ----------------------------------------------------------------------------

    /** Streams the store's commands of {@code plan}, then completes the call. */
    void send(Plan p) {
        synchronized (this) {
            if (finished || plan != null) {
                return;
            }
            plan = p;
            next = p.commandsFrom(store);
            end = p.commandsTo(store);
            progressTotal = end - next;
        }
        drain();
    }

    private void drain() {
        int sent;
        synchronized (this) {
            if (plan == null || finished) {
                return;
            }
            try {
                while (next < end && out.isReady()) {
                    int k = next++;
                    out.onNext(RawCommands.encode(plan, k));
                }
                progressSent = progressTotal - (end - next);
                if (next < end) {
                    return;
                }
                finished = true;
                out.onCompleted();
            } catch (RuntimeException e) {
                // The call went away under us (cancelled); the cancel handler reports it.
                finished = true;
                log.debug("store {}: sending commands failed: {}", store, e.toString());
                return;
            }
            sent = end - plan.commandsFrom(store);
        }
        adviser.delivered(this);
        log.info("store {}: sent its {} command{}{}", store, sent, sent == 1 ? "" : "s",
                afterPlan ? " again (it reconnected after the plan)" : "");
    }

    /** How many of its commands went out, for diagnoses. */
    String sendProgress() {
        int total = progressTotal;
        return total < 0 ? "no command sent yet" : progressSent + " of " + total + " commands sent";
    }

    synchronized boolean finished() {
        return finished;
    }

    /** Ends the call with an error status (no-op when it already ended). */
    void fail(Status status) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException e) {
                log.debug("store {}: could not send the error: {}", store, e.toString());
            }
        }
    }

    static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        return s.getDescription() == null ? s.getCode().name() : s.getCode() + ": " + s.getDescription();
    }
}
