package io.phybr.mock.agent;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.phybr.contract.SeedHeaders;
import io.phybr.mock.model.Keys;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.fault.AgentPoint;
import io.phybr.mock.fault.Fault;
import io.phybr.proto.seed.CloseReply;
import io.phybr.proto.seed.CloseRequest;
import io.phybr.proto.seed.PhybrGrpc;
import io.phybr.proto.seed.RegionRecover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Internal (not API): public only because {@link io.phybr.mock.MockCluster} starts one per store; a test
 * author scripts agents through {@code MockCluster} (whole stores) or {@link StoreClient} (single calls).
 *
 * <p>A seed-protocol agent for one store (what {@code tikv-phybr} does on a TiKV): it streams the
 * store's region metas to the adviser with {@code phybr-store-id} metadata, applies the commands it
 * gets back (term, silence, tombstone) to the store image, calls {@code close(workdone=true)} and
 * exits when the adviser answers. Faults from the scenario change what it does.
 */
public final class SeedAgent {
    /** Field number the unknown-field fault adds to a meta (RegionMeta has fields 1..7). */
    public static final int UNKNOWN_FIELD_NUMBER = 99;
    /** How far apart a crashed and restarted agent retries a refusal of its new stream (for up to its deadline). */
    private static final long RESTART_BACKOFF_MS = 100;
    /** How long a crashed agent's process takes to come back (a real one: seconds). */
    private static final long RESTART_DELAY_MS = 200;

    private final long store;
    private final StoreImage image;
    private final List<Fault.AgentFault> faults;
    private final Supplier<ManagedChannel> channels;
    private final Duration deadline;
    private final BiConsumer<Long, String> progress;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> problems = new ArrayList<>();

    public SeedAgent(long store, StoreImage image, List<Fault.AgentFault> faults, Supplier<ManagedChannel> channels, Duration deadline,
                     BiConsumer<Long, String> progress) {
        this.store = store;
        this.image = image;
        this.faults = faults;
        this.channels = channels;
        this.deadline = deadline;
        this.progress = progress;
    }

    /** The agent's fault of this type armed at {@code point}, or null (the agent's named hooks). */
    private <T extends Fault.AgentFault> T fault(AgentPoint point, Class<T> type) {
        for (Fault.AgentFault f : faults) {
            if (f.agentPoint() == point && type.isInstance(f)) {
                return type.cast(f);
            }
        }
        return null;
    }

    private void event(String msg) {
        events.add(msg);
        progress.accept(store, msg);
    }

    /** Runs the agent to its end; never throws for adviser behaviour, only records it. */
    public AgentReport run() throws InterruptedException {
        int attempts = 0;
        int sent = 0;
        List<RegionRecover> commands = List.of();
        String errCode = null;
        String errDesc = null;
        boolean closed = false;
        String closeReply = null;
        ManagedChannel ch = channels.get();
        try {
            Fault.CrashMidStream crash = fault(AgentPoint.BEFORE_META, Fault.CrashMidStream.class);
            Fault.ResetStream reset = fault(AgentPoint.BEFORE_META, Fault.ResetStream.class);
            int interruptAfter = crash != null ? crash.after() : reset != null ? reset.after() : -1;
            Exchange ex;
            long refusalsEnd = 0; // set at the restart: refusals are retried until the agent's deadline from there
            while (true) {
                attempts++;
                int stopAfter = attempts == 1 ? interruptAfter : -1;
                ex = exchange(ch, buildMetas(true), stopAfter);
                sent = ex.sent;
                if (crash != null && attempts > 1 && ex.error != null
                        && ex.error.getCode() == Status.Code.ALREADY_EXISTS && System.nanoTime() - refusalsEnd < 0) {
                    // The restarted agent dialled before the adviser had processed the dead process's stream (a
                    // real restart takes seconds; this one is instant): the adviser's refusal says to retry, as the
                    // supervisor that restarts a crashed agent does. Bounded by the agent's deadline, not by a count
                    // of tries: on a loaded machine the adviser may take seconds to see the dead stream go (five
                    // tries 100 ms apart measured its speed). An adviser that never lets the dead stream go still
                    // refuses every try until then, and the scenario fails.
                    event("refused as ALREADY_EXISTS after its restart; retrying");
                    TimeUnit.MILLISECONDS.sleep(RESTART_BACKOFF_MS);
                    continue;
                }
                if (!ex.interrupted) {
                    break;
                }
                if (crash != null) {
                    event("crashed after " + ex.sent + " metas; restarting");
                    // A process that dies has its sockets closed by the kernel, and what it had written (the
                    // stream's headers, metas, the reset) reaches the adviser before a restarted process, which
                    // takes far longer than RESTART_DELAY_MS to start, can dial. An instant redial let the dead
                    // stream's headers arrive after the new stream's: the adviser then saw store 2 claimed twice
                    // and, rightly, would not plan.
                    ch.shutdownNow();
                    if (!ch.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                        problems.add("the crashed agent's connection did not close within " + deadline);
                    }
                    TimeUnit.MILLISECONDS.sleep(RESTART_DELAY_MS);
                    ch = channels.get();
                    refusalsEnd = System.nanoTime() + deadline.toNanos();
                } else {
                    event("reset its stream after " + ex.sent + " metas; reporting again");
                }
            }
            if (ex.error != null) {
                errCode = ex.error.getCode().name();
                errDesc = ex.error.getDescription();
                event("adviser answered " + errCode + ": " + errDesc);
                return report(attempts, sent, commands, errCode, errDesc, false, null);
            }
            commands = ex.commands;
            apply(commands);
            event("applied " + commands.size() + " commands");
            if (fault(AgentPoint.AFTER_APPLY, Fault.RebootAfterApply.class) != null) {
                event("rebooting after applying; reporting again");
                ch.shutdownNow();
                ch = channels.get();
                attempts++;
                Exchange again = exchange(ch, buildMetas(false), -1);
                if (again.error != null) {
                    errCode = again.error.getCode().name();
                    errDesc = again.error.getDescription();
                    event("after reboot the adviser answered " + errCode + ": " + errDesc);
                    return report(attempts, sent, commands, errCode, errDesc, false, null);
                }
                if (!sameCommands(commands, again.commands)) {
                    problems.add("after reboot the adviser sent different commands: first " + commands.size()
                            + ", then " + again.commands.size());
                }
                apply(again.commands);
                event("re-applied " + again.commands.size() + " commands after reboot");
            }
            if (fault(AgentPoint.AFTER_APPLY, Fault.NoClose.class) != null) {
                event("exits without calling close (fault)");
                return report(attempts, sent, commands, null, null, false, null);
            }
            if (fault(AgentPoint.AFTER_APPLY, Fault.DisconnectBeforeClose.class) != null) {
                event("connection dropped before close; reconnecting to close");
                ch.shutdownNow();
                ch = channels.get();
            }
            try {
                CloseReply reply = PhybrGrpc.newBlockingStub(withStoreId(ch))
                        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                        .close(CloseRequest.newBuilder().setWorkdone(true).build());
                closed = true;
                closeReply = reply.getOk();
                event("close answered '" + closeReply + "'; exiting");
            } catch (StatusRuntimeException e) {
                errCode = e.getStatus().getCode().name();
                errDesc = e.getStatus().getDescription();
                event("close failed " + errCode + ": " + errDesc);
            }
            return report(attempts, sent, commands, errCode, errDesc, closed, closeReply);
        } finally {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private AgentReport report(int attempts, int sent, List<RegionRecover> commands, String code, String desc,
                               boolean closed, String reply) {
        return new AgentReport(store, attempts, sent, List.copyOf(commands), code, desc, closed, reply,
                List.copyOf(problems), List.copyOf(events));
    }

    private static boolean sameCommands(List<RegionRecover> a, List<RegionRecover> b) {
        return new java.util.HashSet<>(a).equals(new java.util.HashSet<>(b)) && a.size() == b.size();
    }

    private Channel withStoreId(Channel ch) {
        Metadata md = new Metadata();
        md.put(SeedHeaders.STORE_ID, Long.toString(store));
        return ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(md));
    }

    /** The metas this store reports, as wire bytes, with the garbage faults applied. */
    public List<byte[]> buildMetas(boolean withGarbage) {
        List<byte[]> out = new ArrayList<>();
        Fault.Duplicate dup = fault(AgentPoint.BUILD_METAS, Fault.Duplicate.class);
        Fault.ReversedRange rev = fault(AgentPoint.BUILD_METAS, Fault.ReversedRange.class);
        Fault.UnknownField unk = fault(AgentPoint.BUILD_METAS, Fault.UnknownField.class);
        for (Peer p : image.peers.values()) {
            byte[] start = p.start();
            byte[] end = p.end();
            if (withGarbage && rev != null && rev.region() == p.regionId()) {
                byte[] newEnd = start.length != 0 ? start : new byte[] {0x00};
                byte[] newStart = end.length != 0 ? end : Keys.append(newEnd, (byte) 0xff);
                start = newStart;
                end = newEnd;
            }
            byte[] bytes = MetaBytes.seed(p.regionId(), p.appliedIndex(), p.hardStateTerm(), p.version(), p.tombstone(),
                    start, end);
            if (withGarbage && unk != null && unk.region() == p.regionId()) {
                bytes = MetaBytes.withUnknownField(bytes, UNKNOWN_FIELD_NUMBER);
            }
            out.add(bytes);
            if (withGarbage && dup != null && dup.region() == p.regionId()) {
                out.add(bytes);
            }
        }
        return out;
    }

    private void apply(List<RegionRecover> commands) {
        for (RegionRecover c : commands) {
            Peer p = image.peer(c.getRegionId());
            if (p == null) {
                problems.add("command for region " + c.getRegionId() + ", which this store does not hold");
                continue;
            }
            if (c.getTombstone()) {
                p.markTombstone();
            } else {
                p.takeRecoverCommand(c.getTerm(), c.getSilence());
            }
        }
    }

    private static final class Exchange {
        int sent;
        boolean interrupted;
        Status error;
        List<RegionRecover> commands = List.of();
    }

    private Exchange exchange(ManagedChannel ch, List<byte[]> metas, int stopAfter) throws InterruptedException {
        Exchange ex = new Exchange();
        ReportStream stream = ReportStream.open(withStoreId(ch), deadline);
        CompletableFuture<Status> done = stream.done();
        Fault.Slow slow = fault(AgentPoint.BEFORE_META, Fault.Slow.class);
        event("reporting " + metas.size() + " region metas");
        for (byte[] m : metas) {
            if (stopAfter >= 0 && ex.sent == stopAfter) {
                break;
            }
            if (slow != null) {
                Thread.sleep(slow.delay().toMillis());
            }
            if (!stream.send(m)) { // waits while the adviser's flow control holds the stream
                if (Thread.interrupted()) {
                    throw new InterruptedException("agent of store " + store + " interrupted while reporting");
                }
                break;
            }
            ex.sent++;
        }
        if (stopAfter >= 0 && !done.isDone()) {
            ex.interrupted = true;
            stream.breakOff("agent of store " + store + " went away");
            awaitQuietly(done);
            return ex;
        }
        if (!done.isDone()) {
            stream.halfClose();
            event("sent " + ex.sent + " metas; waiting for commands");
        }
        Status st;
        try {
            st = done.get(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            stream.cancel("agent gave up waiting");
            st = Status.DEADLINE_EXCEEDED.withDescription("agent of store " + store + " got no answer within " + deadline);
        }
        List<RegionRecover> got = stream.commands();
        if (st.isOk()) {
            ex.commands = got;
            event("received " + got.size() + " commands");
        } else {
            ex.error = explained(st);
            if (!got.isEmpty()) {
                problems.add("the adviser sent " + got.size() + " commands and then failed the stream with "
                        + st.getCode());
            }
        }
        return ex;
    }

    /**
     * A failed call's status in one line with the reason underneath: the TLS failure if there is one (netty's
     * "io exception" alone says nothing of an untrusted certificate), else the root cause.
     */
    private static Status explained(Status st) {
        Throwable reason = st.getCause();
        if (reason == null) {
            return st;
        }
        for (Throwable t = reason; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                reason = t;
                break;
            }
            reason = t;
        }
        String desc = st.getDescription() == null ? "" : st.getDescription().lines().findFirst().orElse("") + " ";
        return st.withDescription(desc + "(" + reason.getClass().getSimpleName() + ": " + reason.getMessage() + ")");
    }

    private static void awaitQuietly(CompletableFuture<Status> f) throws InterruptedException {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the stream is gone either way
        }
    }
}
