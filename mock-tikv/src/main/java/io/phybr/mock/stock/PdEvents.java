package io.phybr.mock.stock;

import io.phybr.mock.fault.Fault;
import io.phybr.mock.model.Peer;
import io.phybr.mock.pd.MockPd;
import java.util.List;
import java.util.Map;

/**
 * A scenario's {@link Fault.PdEvent}s applied to a {@link MockStockCluster}: what PD sees of the cluster, scripted.
 * The marker (R0) decides at the stores' boot whether they serve RecoverData; a late store (R14) is left out of PD's
 * first listings; a stale leader is a heartbeat PD holds from the start; a restart at a listing (R9) reboots the
 * store's process right after PD answered that listing; a scheduler the operator paused (R12) is paused at PD's
 * start.
 */
final class PdEvents {
    private final List<Fault.PdEvent> events;

    PdEvents(List<? extends Fault> faults) {
        this.events = faults.stream().filter(f -> f instanceof Fault.PdEvent).map(f -> (Fault.PdEvent) f).toList();
    }

    /** R0: PD was not marked when the stores booted. */
    boolean unmarked() {
        return events.stream().anyMatch(e -> e instanceof Fault.Unmarked);
    }

    boolean registersLate(long store) {
        return events.stream().anyMatch(e -> e instanceof Fault.RegisterLate r && r.store() == store);
    }

    /** Arms the events on a started PD; {@code late} are the stores left out of its list, to register later. */
    void apply(MockPd pd, List<MockPd.Store> late, Map<Long, MockStockStore> stores, RaftNet net) {
        for (Fault.PdEvent e : events) {
            if (e instanceof Fault.RegisterLate r) {
                MockPd.Store s = late.stream().filter(x -> x.id() == r.store()).findFirst()
                        .orElseThrow(() -> unknown(r.store(), e));
                pd.registerAfter(s, r.listings());
            } else if (e instanceof Fault.StaleLeader l) {
                MockStockStore st = stores.get(l.store());
                if (st == null) {
                    throw unknown(l.store(), e);
                }
                Peer p;
                synchronized (net) {
                    p = st.backend().raftPeer(l.region());
                }
                if (p == null) {
                    throw new IllegalArgumentException(io.phybr.mock.fault.FaultSyntax.render(e) + ": store "
                            + l.store() + " holds no peer of region " + l.region());
                }
                pd.heartbeat(MockStockCluster.heartbeat(net, l.store(), p));
            } else if (e instanceof Fault.OperatorPaused p) {
                pd.operatorPaused(p.scheduler(), p.delay());
            } else if (e instanceof Fault.KilledRunLeftPaused k) {
                pd.killedBrLeftPaused(k.left(), stores.size());
            } else if (e instanceof Fault.RestartAtListing r) {
                MockStockStore st = stores.get(r.store());
                if (st == null) {
                    throw unknown(r.store(), e);
                }
                pd.onStoreListing(n -> {
                    if (n == r.listing()) {
                        st.rebootAsync();
                    }
                });
            }
        }
    }

    private static IllegalArgumentException unknown(long store, Fault.PdEvent e) {
        return new IllegalArgumentException(io.phybr.mock.fault.FaultSyntax.render(e) + ": no store " + store);
    }
}
