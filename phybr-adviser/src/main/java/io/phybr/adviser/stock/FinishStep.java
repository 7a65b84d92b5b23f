package io.phybr.adviser.stock;

import io.grpc.ManagedChannel;
import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.flashback.FinishChoice;
import io.phybr.adviser.flashback.FlashbackFinish;
import io.phybr.adviser.flashback.FlashbackTexts;
import io.phybr.adviser.flashback.FlashbackTs;
import io.phybr.adviser.flashback.GrpcPdRoutes;
import io.phybr.adviser.flashback.PdRoutes;
import io.phybr.adviser.flashback.Stage;
import io.phybr.adviser.flashback.TikvRegionCalls;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.adviser.pd.PdRetry;
import io.phybr.adviser.pd.PdStore;
import io.phybr.adviser.plan.Plan;
import io.phybr.adviser.plan.ReplicaTable;
import io.phybr.contract.ExitCode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery's side of the finish: which one runs (chosen in prepare, from PD's store versions, before anything
 * changes), the flashback timestamps (a killed run's, else PD's TSO — also before anything changes, so a PD
 * without TSO stops the run with nothing done), and the flashback stages after RecoverRegion.
 */
final class FinishStep {
    private static final Logger LOG = LoggerFactory.getLogger("phybr.recover");

    private final Optional<Finish> asked;
    private final Function<PdClient, PdRoutes> routes;
    private final FlashbackFinish.Settings settings;
    private Finish finish = Finish.RESOLVE;
    private String why = "";
    private FlashbackTs ts;
    private FlashbackFinish.Result result;
    private java.util.function.UnaryOperator<io.phybr.adviser.flashback.RegionCalls> wrapCalls = c -> c;

    FinishStep(Optional<Finish> asked, Function<PdClient, PdRoutes> routes, FlashbackFinish.Settings settings) {
        this.asked = asked;
        this.routes = routes;
        this.settings = settings;
    }

    /**
     * The finish step a recovery built from {@code b} runs: PD's routes from {@code b} (tests) or gRPC to PD's
     * endpoints over the recovery's store channels, the flashback's bounds from {@code b} and the recovery's retry.
     */
    static FinishStep of(StockRecoveryOptions<?> b, int concurrency, RetryPolicy retry, java.time.Duration progress) {
        StoreChannels factory = b.channels;
        Function<PdClient, PdRoutes> routes = b.pdRoutes != null ? b.pdRoutes
                : p -> new GrpcPdRoutes(p.endpoints().stream().map(java.net.URI::getAuthority).toList(),
                        a -> factory.open(new PdStore(0, a, false, "Up")), p.requestTimeout());
        // Tries per region: twice the per-store attempts (a region error is routine: a leader move, a split)
        FinishStep step = new FinishStep(Optional.ofNullable(b.finish), routes, new FlashbackFinish.Settings(
                concurrency, b.flashbackTimeout, b.flashbackCallTimeout, Math.max(2, retry.attempts()) * 2,
                retry.initialBackoff(), retry.maxBackoff(), progress));
        if (b.flashbackCalls != null) {
            step.wrapCalls(b.flashbackCalls);
        }
        return step;
    }

    /** Tests: what the flashback calls go through (e.g. a kill after some regions). */
    void wrapCalls(java.util.function.UnaryOperator<io.phybr.adviser.flashback.RegionCalls> w) {
        this.wrapCalls = w;
    }

    Finish finish() {
        return finish;
    }

    String why() {
        return why;
    }

    FlashbackTs ts() {
        return ts;
    }

    FlashbackFinish.Result result() {
        return result;
    }

    /** Chooses the finish for {@code stores}; flashback asked on too old a TiKV fails here, before anything changed. */
    void choose(List<PdStore> stores) throws PhaseFailure {
        try {
            finish = FinishChoice.choose(asked, stores);
        } catch (IllegalStateException e) {
            throw new PhaseFailure(ExitCode.FAILURE, e.getMessage());
        }
        why = FlashbackTexts.chosen(finish, asked.isPresent(), stores);
        LOG.info("prepare: finish by {}", why);
    }

    /**
     * Refuses a resolve finish after an unfinished run that entered the flashback stages (recorded phase
     * flashback-prepare or flashback; it had taken flashback timestamps): the regions it prepared stay in the
     * flashback state, refusing every read and write but the flashback's ({@code util.rs check_flashback_state}),
     * and WaitApply/ResolveKvData never take them out of it — so a resolve finish would hand back a cluster whose
     * regions refuse every request. Nothing has changed yet when this runs. A run that took timestamps but stopped
     * before the flashback stages prepared nothing: resolving after it is safe.
     */
    void refuseResolveAfterPrepared(List<RunState.Other> others) throws PhaseFailure {
        if (finish != Finish.RESOLVE) {
            return;
        }
        for (RunState.Other o : others) {
            if (o.flashback().isEmpty()) {
                continue;
            }
            if (o.phase().equals(Phase.FLASHBACK_PREPARE.label()) || o.phase().equals(Phase.FLASHBACK.label())) {
                throw new PhaseFailure(ExitCode.FAILURE, FlashbackTexts.resolveAfterPrepared(o.describe(), o.phase(),
                        o.flashback().get(), asked.isPresent() ? null : why));
            }
            LOG.info("prepare: {} took flashback timestamps but stopped in {}, before preparing any region: finishing"
                    + " by resolve leaves nothing in the flashback state", o.describe(), o.phase());
        }
    }

    void timestamps(long resolvedTs, List<RunState.Other> others, PdClient pd) throws PhaseFailure {
        for (RunState.Other o : others) {
            if (o.flashback().isPresent() && o.flashback().get().version() == resolvedTs) {
                ts = o.flashback().get();
                LOG.info("prepare: flashback timestamps taken from {}: {}", o.describe(), ts.describe());
                return;
            }
        }
        String at = pd.endpoints().get(0).getAuthority();
        long tso;
        try (PdRoutes r = routes.apply(pd)) {
            tso = r.tso();
        } catch (PdRoutes.PdUnavailable e) {
            throw new PhaseFailure(ExitCode.FAILURE, FlashbackTexts.noTso(at, e.getMessage(), e.unimplemented()));
        }
        ts = FlashbackTs.fromTso(resolvedTs, tso).orElseThrow(
                () -> new PhaseFailure(ExitCode.FAILURE, FlashbackTexts.tsoNotAbove(at, tso, resolvedTs)));
        LOG.info("prepare: PD's timestamp {} for the flashback: {}", Long.toUnsignedString(tso), ts.describe());
    }

    /** Both flashback stages over the plan's kept regions; {@code entering} moves the recovery's phase. */
    void flashback(Plan plan, ReplicaTable table, Map<Long, Long> moved, List<PdStore> stores, PdClient pd, PdRetry pdRetry,
                   RestartCheck restarts, Function<PdStore, ManagedChannel> channels, ScheduledExecutorService ticker,
                   Consumer<io.phybr.adviser.progress.PhaseProgress> progress, Consumer<Phase> entering)
            throws PhaseFailure {
        Map<Long, PdStore> byId = new ConcurrentHashMap<>();
        stores.forEach(s -> byId.put(s.id(), s));
        TikvRegionCalls calls = new TikvRegionCalls(id -> store(id, byId, pd, pdRetry).map(channels), settings.callTimeout());
        try (PdRoutes r = routes.apply(pd)) {
            result = new FlashbackFinish(r, wrapCalls.apply(calls), settings, ticker, progress, restarts)
                    .run(plan, table, moved, !plan.acceptedHoles().isEmpty(), ts, st -> entering.accept(st == Stage.PREPARE ? Phase.FLASHBACK_PREPARE : Phase.FLASHBACK));
        } catch (FlashbackFinish.Failed e) {
            throw new PhaseFailure(e.timedOut() ? ExitCode.TIMEOUT : ExitCode.FAILURE, e.getMessage());
        }
    }

    /** A leader's store: PD's list of prepare, read again when a region is led by a store it did not list. */
    private static Optional<PdStore> store(long id, Map<Long, PdStore> byId, PdClient pd, PdRetry pdRetry) {
        PdStore s = byId.get(id);
        if (s != null) {
            return Optional.of(s);
        }
        try {
            for (PdStore p : pdRetry.run("list stores", pd::stores)) {
                if (!p.tiflash() && !p.tombstone()) {
                    byId.putIfAbsent(p.id(), p);
                }
            }
        } catch (PdException e) {
            LOG.warn("flashback: cannot list PD's stores to find store {}: {}", id, e.getMessage());
        }
        return Optional.ofNullable(byId.get(id));
    }

}
