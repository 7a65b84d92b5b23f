package io.phybr.mock.stock;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * RecoverRegion's LeaderKeeper ({@code components/snap_recovery/src/leader_keeper.rs}): each step checks every region
 * not yet known to lead, campaigns for the ones that do not, then waits {@link RecoveryClock#LEADER_KEEPER_PERIOD};
 * it returns after a step in which every region already led. So it takes at least one period even when every
 * region leads at once, two when it had to campaign (R5), and it never returns while a campaign keeps losing (R3) or
 * the store lacks a region (RegionNotFound, R4) — only {@code stop} ends it.
 */
final class LeaderKeeper {
    private LeaderKeeper() {
    }

    /**
     * @param beforeCampaign run before each campaign (a slow store's delay)
     * @return true once every region leads, false when stopped first
     */
    static boolean electAndWaitAllReady(long store, Collection<Long> regions, RaftNet net, RecoveryClock clock,
                                        BooleanSupplier stop, Runnable beforeCampaign) {
        TreeSet<Long> notLeader = new TreeSet<>(regions);
        while (true) {
            List<Long> failedLeader = new ArrayList<>();
            for (long region : new ArrayList<>(notLeader)) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                if (net.leads(store, region)) {
                    notLeader.remove(region);
                } else {
                    failedLeader.add(region);
                    beforeCampaign.run();
                    net.campaign(store, region);
                }
            }
            if (!clock.sleep(RecoveryClock.LEADER_KEEPER_PERIOD, stop)) {
                return false;
            }
            if (failedLeader.isEmpty()) {
                return true;
            }
        }
    }
}
