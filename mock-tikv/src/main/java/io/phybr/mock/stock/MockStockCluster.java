package io.phybr.mock.stock;

import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.FaultSyntax;
import io.phybr.mock.model.Peer;
import io.phybr.mock.pd.MockPd;
import io.phybr.mock.pd.RegionHeartbeat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mock PD plus one {@link MockStockStore} per backend, all on loopback: what {@code phybr recover --pd}
 * talks to. PD lists every store (and, optionally, a TiFlash store the adviser must skip).
 */
public final class MockStockCluster implements AutoCloseable {
    private final io.phybr.mock.CallLog callLog = new io.phybr.mock.CallLog();
    private final MockPd pd;
    private final Map<Long, MockStockStore> stores = new TreeMap<>();
    private final RaftNet net = new RaftNet();

    /** TLS for the whole cluster: the stores' gRPC server context and PD's HTTPS context. */
    public record Tls(io.grpc.netty.shaded.io.netty.handler.ssl.SslContext grpc, javax.net.ssl.SSLContext http) {
    }

    /** Tests run TiKV's recovery-mode time 1000 times faster (a 20 s RecoverRegion takes 20 ms). */
    public static final RecoveryClock DEFAULT_CLOCK = RecoveryClock.scaled(1000);

    /**
     * A builder for a scenario's stores as the corpus tests serve them: {@code images} (the backup's fresh images, which
     * the caller keeps to check afterwards) as stock TiKV stores with the scenario's faults, on the scenario's clock
     * ({@code option tikv-speedup}, else {@link #DEFAULT_CLOCK}), TiFlash listed beside them in PD.
     */
    public static Builder forScenario(io.phybr.mock.scenario.Scenario s, io.phybr.mock.model.Backup backup,
                                      Map<Long, io.phybr.mock.model.StoreImage> images) {
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        return builder(backends).tiflash(true).faults(s.faults())
                .clock(s.tikvSpeedup() == null ? DEFAULT_CLOCK : RecoveryClock.scaled(s.tikvSpeedup()));
    }

    /**
     * A cluster of one store per backend, configured by name:
     * {@code MockStockCluster.builder(backends).tiflash(true).faults(scenario.faults()).start()}.
     */
    public static Builder builder(List<? extends StoreBackend> backends) {
        return new Builder(backends);
    }

    /** What a {@link MockStockCluster} starts with; every setting has a default, so name only what differs. */
    public static final class Builder {
        private final List<? extends StoreBackend> backends;
        private boolean marked = true;
        private boolean tiflash;
        private Tls tls;
        private List<? extends Fault> faults = List.of();
        private RecoveryClock clock = DEFAULT_CLOCK;

        private Builder(List<? extends StoreBackend> backends) {
            this.backends = List.copyOf(backends);
        }

        /** Whether PD carries the snapshot-recovering marker a restore sets (default: yes). */
        public Builder marked(boolean marked) {
            this.marked = marked;
            return this;
        }

        /** Whether PD also lists a TiFlash store, which nothing serves: the adviser must skip it (default: no). */
        public Builder tiflash(boolean tiflash) {
            this.tiflash = tiflash;
            return this;
        }

        /** TLS for the stores' gRPC and PD's HTTP (default: plaintext). */
        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Faults armed before anything starts: store faults on their stores (a store {@link Fault.Absent} is listed
         * by PD but never answers), PD faults on PD; agent-only faults are mapped to their protocol-B meaning
         * ({@link Fault.AgentFault#underStock()}) or rejected when they have none.
         */
        public Builder faults(List<? extends Fault> faults) {
            this.faults = List.copyOf(faults);
            return this;
        }

        /** TiKV's recovery-mode time (default {@link #DEFAULT_CLOCK}, 1000 times faster than real). */
        public Builder clock(RecoveryClock clock) {
            this.clock = java.util.Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Starts PD and the stores on loopback; on a failure nothing is left running. */
        public MockStockCluster start() throws IOException {
            return new MockStockCluster(this);
        }
    }

    private MockStockCluster(Builder options) throws IOException {
        List<? extends StoreBackend> backends = options.backends;
        boolean withTiflash = options.tiflash;
        Tls tls = options.tls;
        List<? extends Fault> faults = options.faults;
        RecoveryClock clock = options.clock;
        List<MockPd.Store> listed = new ArrayList<>();
        List<MockPd.Store> late = new ArrayList<>();
        MockPd p = null;
        PdEvents events = new PdEvents(faults);
        boolean markedAtBoot = options.marked && !events.unmarked();
        try {
            for (StoreBackend b : backends) {
                MockStockStore s = new MockStockStore(b, net, clock);
                for (Fault.StoreFault f : storeFaults(faults, b.storeId())) {
                    s.faults().add(f);
                    if (f instanceof Fault.IsolatedUntilWaitApply) {
                        net.isolate(b.storeId());
                    }
                }
                if (tls != null) {
                    s.tls(tls.grpc());
                }
                s.bootsInRecoveryModeIf(() -> markedAtBoot);
                s.start();
                stores.put(b.storeId(), s);
                MockPd.Store listedStore = MockPd.Store.tikv(b.storeId(), s.address());
                for (Fault.StoreFault f : storeFaults(faults, b.storeId())) {
                    if (f instanceof Fault.TikvVersion v) {
                        listedStore = listedStore.withVersion(v.version()); // what the process tells PD
                    }
                }
                (events.registersLate(b.storeId()) ? late : listed).add(listedStore);
            }
            if (withTiflash) {
                // Nothing listens there: an adviser that does not skip TiFlash fails.
                listed.add(MockPd.Store.tiflash(9999, "127.0.0.1:1"));
            }
            p = MockPd.builder().stores(listed).marked(markedAtBoot).schedule(operatorSchedule())
                    .schedulerSettings(operatorSchedulers()).tls(tls == null ? null : tls.http()).start();
            for (Fault f : faults) {
                if (f instanceof Fault.PdFault pdFault) {
                    p.inject(pdFault);
                }
            }
            MockPd thePd = p;
            stores.values().forEach(st -> {
                st.onRestart(thePd::storeRestarted); // R9: a new start timestamp
                st.bootsInRecoveryModeIf(() -> thePd.state().snapshotRecovering()); // R0: a restart asks PD again
            });
            net.onLeader((store, leader) -> thePd.heartbeat(heartbeat(net, store, leader)));
            events.apply(thePd, late, stores, net);
            for (Fault f : faults) {
                if (f instanceof Fault.EarlierRecoverRegion e) {
                    store(e.store()).earlierRecoverRegionStillRunning(List.of(e.region()));
                }
            }
        } catch (IOException | RuntimeException e) {
            stores.values().forEach(MockStockStore::close);
            throw e;
        }
        this.pd = p;
        p.callLog(callLog);
        stores.values().forEach(s -> s.callLog(callLog));
    }

    /** PD's writes and every store call, in one order (see {@link io.phybr.mock.CallLog}). */
    public io.phybr.mock.CallLog callLog() {
        return callLog;
    }

    /**
     * An operator's tuned schedule items (not PD's defaults): a recovery that loses or rewrites them shows up when a
     * test compares PD's state before and after.
     */
    public static Map<String, Object> operatorSchedule() {
        Map<String, Object> m = new java.util.LinkedHashMap<>(MockPd.defaultScheduleConfig());
        m.put("leader-schedule-limit", 6L);
        m.put("max-merge-region-keys", 100000L);
        return m;
    }

    /** The default schedulers, balance-leader with an operator's batch (PD's default is 4): deleting it loses that. */
    public static Map<String, String> operatorSchedulers() {
        Map<String, String> m = new java.util.LinkedHashMap<>(MockPd.defaultSchedulerSettings());
        m.put("balance-leader-scheduler", "{\"batch\":8}");
        return m;
    }

    /** The protocol-B faults of one store: its store faults, and its agent faults' stock meaning. */
    static List<Fault.StoreFault> storeFaults(List<? extends Fault> faults, long store) {
        List<Fault.StoreFault> out = new ArrayList<>();
        for (Fault f : faults) {
            Fault.StoreFault sf = f instanceof Fault.StoreFault s ? s
                    : f instanceof Fault.AgentFault a ? stockMeaning(a) : null;
            if (sf != null && sf.store() == store) {
                out.add(sf);
            }
        }
        return out;
    }

    private static Fault.StoreFault stockMeaning(Fault.AgentFault a) {
        Fault.StockMeaning m = a.underStock();
        if (m.fault() == null) {
            throw new IllegalArgumentException(FaultSyntax.render(a) + " has no protocol-B meaning: " + m.whyNone());
        }
        return m.fault();
    }

    /** What a new leader tells PD (pdpb RegionHeartbeat). */
    /** The leader's heartbeat, with the region's flashback state as that store's replica holds it. */
    static RegionHeartbeat heartbeat(RaftNet net, long store, Peer leader) {
        StoreBackend b = net.backend(store);
        long fb = b == null || b.ledger() == null ? 0 : b.ledger().flashbackStartTs(leader.regionId());
        RegionHeartbeat hb = heartbeat(store, leader);
        return new RegionHeartbeat(hb.regionId(), hb.leaderStore(), hb.leaderPeer(), hb.startKey(), hb.endKey(),
                hb.confVer(), hb.version(), hb.peers(), fb);
    }

    static RegionHeartbeat heartbeat(long store, Peer leader) {
        List<RegionHeartbeat.Peer> peers = new ArrayList<>();
        leader.members().forEach((s, id) -> {
            if (s > 0) {
                peers.add(new RegionHeartbeat.Peer(id, s));
            }
        });
        return new RegionHeartbeat(leader.regionId(), store, leader.peerId(), leader.start(), leader.end(), leader.confVer(),
                leader.version(), peers);
    }

    /** In-memory backends built from a layout, each other's voters (see {@link InMemoryStoreBackend}). */
    public static List<InMemoryStoreBackend> backends(List<StockReplica> layout) {
        Map<Long, InMemoryStoreBackend> out = new TreeMap<>();
        for (StockReplica r : layout) {
            out.computeIfAbsent(r.store(), InMemoryStoreBackend::new).addPeer(r.peer(), r.applied());
        }
        List<InMemoryStoreBackend> list = new ArrayList<>(out.values());
        InMemoryStoreBackend.link(list);
        return list;
    }

    /** The Raft network of the cluster's stores (leaders, pending WaitApply states), for this package's tests. */
    RaftNet net() {
        return net;
    }

    public static MockStockCluster start(List<StockReplica> layout) throws IOException {
        return builder(backends(layout)).tiflash(true).start();
    }

    public MockPd pd() {
        return pd;
    }

    public String pdAddress() {
        return pd.address();
    }

    public MockStockStore store(long id) {
        MockStockStore s = stores.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no store " + id);
        }
        return s;
    }

    public List<MockStockStore> stores() {
        return List.copyOf(stores.values());
    }

    @Override
    public void close() {
        stores.values().forEach(MockStockStore::close);
        pd.close();
    }

    /**
     * The cluster's state for a failure report (the harness dumps it, not the test): per store whether it serves,
     * its restarts, the regions it leads, the peers with a pending WaitApply state, every peer's Raft state, and the
     * PD and store calls in the order they arrived.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder("mock cluster state:\n");
        Map<Long, Long> leaders = net.leaders();
        for (MockStockStore s : stores.values()) {
            long id = s.storeId();
            List<Long> leads = new ArrayList<>();
            leaders.forEach((region, store) -> {
                if (store == id) {
                    leads.add(region);
                }
            });
            sb.append("  store ").append(id).append(s.running() ? " serving" : " down").append(", ").append(s.reboots())
                    .append(" restart(s), leads ").append(leads).append(", WaitApply pending for ")
                    .append(net.waiting(id)).append('\n');
            synchronized (net) {
                for (Peer p : s.backend().raft().allPeers()) {
                    sb.append("    ").append(p).append('\n');
                }
            }
        }
        sb.append("  calls in order:");
        callLog.entries().forEach(e -> sb.append("\n    ").append(e));
        return sb.toString();
    }

    /**
     * A test's clean-up in one call: closes {@code cluster} (null when the test never started one), then fails with
     * an {@link AssertionError} naming what leaked when any mock store or PD of this JVM still serves (grpc-java's
     * rule: every server a test opened is closed when it ends).
     */
    public static void closeAndCheckNoLeaks(MockStockCluster cluster) {
        if (cluster != null) {
            cluster.close();
        }
        int stores = MockStockStore.liveServers();
        int pds = MockPd.live();
        if (stores + pds != 0) {
            throw new AssertionError("left running: " + stores + " mock store server(s), " + pds + " mock PD(s)");
        }
    }

    /**
     * Mock stock stores and mock PDs still serving in this JVM. A test's leak check: every server
     * it started must be closed when it ends, so this is 0 after each test.
     */
    public static int liveServers() {
        return MockStockStore.liveServers() + MockPd.live();
    }
}
