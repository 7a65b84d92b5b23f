package io.phybr.mock.stock;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What RecoverRegion and WaitApply do on one store once their requests are in ({@code services.rs}), apart from any
 * transport: {@link RecoverDataService} runs these on its worker for gRPC callers, {@link DirectStockStores} in the
 * caller's thread on a virtual clock. Each returns true when the call answers, false when {@code stop} ended it first
 * (an abort, a restart, or the caller's bound on a hang).
 */
final class RecoverDataSteps {
    private RecoverDataSteps() {
    }

    /**
     * RecoverRegion's work: the {@link LeaderKeeper} over the {@code as_leader} regions (R3–R5), then a wait for every
     * leader to apply to its last index (SnapshotBrWaitApplyRequest::relaxed per region; a wait already pending on
     * that peer is aborted as Duplicated, which answers this one at once: R10).
     */
    static boolean forceLeaders(long store, List<Long> leaders, RaftNet net, RecoveryClock clock, BooleanSupplier stop,
                                Runnable beforeCampaign) {
        if (!LeaderKeeper.electAndWaitAllReady(store, leaders, net, clock, stop, beforeCampaign)) {
            return false;
        }
        List<Long> waiting = new ArrayList<>();
        for (long region : leaders) {
            if (net.admit(store, region, true) == WaitApplyStates.Admission.WAITING) {
                waiting.add(region); // DUPLICATED: an older wait's syncer is aborted, which answers this one at once
            }
        }
        return awaitApplied(store, waiting, net, clock, stop);
    }

    /**
     * WaitApply's work: broadcast to every live peer of the store, then a wait for the peers that must wait (R8); a
     * pending older wait on any peer makes it answer at once (Duplicated, R10). {@code afterAdmission} runs once every
     * peer has its state (a partition healing then: tikv#16307).
     */
    static boolean waitApply(StoreBackend backend, RaftNet net, RecoveryClock clock, BooleanSupplier stop,
                             Runnable afterAdmission) {
        List<Long> waiting = new ArrayList<>();
        boolean duplicated = false;
        List<Long> regions = new ArrayList<>();
        synchronized (net) {
            backend.raft().allPeers().forEach(p -> {
                if (!p.tombstone()) {
                    regions.add(p.regionId());
                }
            });
        }
        for (long region : regions) {
            WaitApplyStates.Admission a = net.admit(backend.storeId(), region, false);
            duplicated |= a == WaitApplyStates.Admission.DUPLICATED;
            if (a == WaitApplyStates.Admission.WAITING) {
                waiting.add(region);
            }
        }
        afterAdmission.run();
        // one Duplicated abort fires the shared syncer: the call answers at once
        return duplicated || awaitApplied(backend.storeId(), waiting, net, clock, stop);
    }

    private static boolean awaitApplied(long store, List<Long> regions, RaftNet net, RecoveryClock clock,
                                        BooleanSupplier stop) {
        for (long region : regions) {
            while (!net.applied(store, region)) {
                if (!clock.sleep(RecoveryClock.APPLY_POLL, stop)) {
                    return false;
                }
            }
        }
        return true;
    }
}
