package io.phybr.mock.stock;

import io.phybr.contract.dump.DumpReader;
import io.phybr.contract.dump.DumpRow;
import io.phybr.contract.dump.DumpRows;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mock-tikv stores}: serves a mock PD and mock stock-TiKV stores on loopback and prints the
 * {@code --pd} address, so a real {@code phybr recover} can be pointed at it by hand. With
 * {@code --exit-after-recovery} it waits until the adviser removes the snapshot-recovering marker,
 * then checks the stores and exits 0 (PASS) or 1 (FAIL).
 */
@Command(name = "stores", mixinStandardHelpOptions = true,
        description = "Serve a mock PD and mock stock-TiKV stores (recover_data) on loopback; print the --pd address.")
public final class StoresCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dump", paramLabel = "FILE",
            description = "Region layout as a SPEC §6 dump (JSON Lines; peer_id/last_log_term/last_index fields used),"
                    + " e.g. the reports.jsonl of a 'phybr recover' recording; a torn last line (a crashed recording)"
                    + " is skipped with a warning.")
    Path dump;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "A scenario (.scn): its history's stores served as stock TiKV, judged by the model's checker."
                    + " Its resolved ts is printed; agent faults of the scenario do not apply under protocol B.")
    Path scenario;

    @Option(names = "--stores", defaultValue = "3", description = "Stores of a generated layout (no --dump); each region has"
            + " 3 replicas (fewer with fewer stores). Default: ${DEFAULT-VALUE}.")
    int stores;

    @Option(names = "--regions", defaultValue = "50", description = "Regions of a generated layout (mock-tikv's capacity"
            + " layout, as 'dump --regions K --protocol stock'; a million fit in a few GB of heap). Default: ${DEFAULT-VALUE}.")
    int regions;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of a generated layout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--resolved-ts", defaultValue = "1000", description = "Keys are written around this ts; the check uses it. Default: ${DEFAULT-VALUE}.")
    long resolvedTs;

    @Option(names = "--unmarked", description = "Start PD without the snapshot-recovering marker.")
    boolean unmarked;

    @Option(names = "--exit-after-recovery", description = "Exit once the marker is removed, with the check's verdict.")
    boolean exitAfterRecovery;

    @Option(names = "--speedup", defaultValue = "1", description = "Run TiKV's recovery-mode time this many times faster"
            + " (RecoverRegion's 10 s LeaderKeeper period, ResolveKvData's compaction; SPEC R5). Default: ${DEFAULT-VALUE}"
            + " (TiKV's own time).")
    double speedup;

    @Option(names = "--timeout", defaultValue = "3600", description = "Seconds to serve at most. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(speedup >= 1)) {
            err.println("mock-tikv stores: --speedup " + speedup + " must be at least 1");
            return 2;
        }
        if (scenario != null) {
            return serveScenario(out);
        }
        List<InMemoryStoreBackend> backends;
        if (dump != null) {
            backends = MockStockCluster.backends(fromDump(dump, w -> {
                err.println("mock-tikv stores: warning: " + w);
                err.flush();
            }));
        } else {
            if (stores < 1 || regions < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--stores and --regions must be at least 1, not " + stores + " and " + regions);
            }
            long t0 = System.nanoTime();
            backends = StockLayouts.generated(stores, regions, seed);
            err.println(MockFootprint.of(backends, regions, (System.nanoTime() - t0) / 1e9));
            err.flush();
        }
        Random rnd = new Random(seed);
        for (InMemoryStoreBackend b : backends) {
            for (int i = 0; i < 100; i++) {
                b.addKv(new InMemoryStoreBackend.Kv(("key" + i).getBytes(), resolvedTs - 50 + rnd.nextInt(100), rnd.nextInt(20) == 0));
            }
        }
        Map<Long, List<InMemoryStoreBackend.Kv>> committed = StockCheck.committedWrites(backends, resolvedTs);
        try (MockStockCluster cluster = MockStockCluster.builder(backends).marked(!unmarked).tiflash(true)
                .clock(RecoveryClock.scaled(speedup)).start()) {
            announce(out, cluster);
            out.flush();
            serve(cluster);
            List<String> problems = StockCheck.check(backends, resolvedTs, committed);
            out.println(problems.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", problems));
            out.flush();
            return problems.isEmpty() ? 0 : 1;
        }
    }

    private Integer serveScenario(PrintWriter out) throws Exception {
        io.phybr.mock.scenario.Scenario s = io.phybr.mock.scenario.ScenarioParser.parse(scenario);
        io.phybr.mock.model.Backup backup = s.run();
        java.util.Map<Long, io.phybr.mock.model.StoreImage> images = backup.freshImages();
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        try (MockStockCluster cluster = MockStockCluster.builder(backends).marked(!unmarked).tiflash(true)
                .clock(RecoveryClock.scaled(speedup)).start()) {
            announce(out, cluster);
            out.println("  resolved ts " + Math.max(1, backup.resolvedTs()) + "; the scenario expects: " + s.expectation().render());
            out.flush();
            serve(cluster);
            List<String> problems = ModelStoreBackend.check(backup, images, cluster.stores());
            out.println(problems.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", problems));
            out.flush();
            return problems.isEmpty() ? 0 : 1;
        }
    }

    private static void announce(PrintWriter out, MockStockCluster cluster) {
        out.println("mock PD listening; point the adviser at it:");
        out.println("  --pd " + cluster.pdAddress() + " --expected-stores " + cluster.stores().size());
        for (MockStockStore st : cluster.stores()) {
            out.println("  store " + st.storeId() + " at " + st.address());
        }
    }

    /** Serves until the marker is removed (with --exit-after-recovery), the timeout passes, or the process stops. */
    private void serve(MockStockCluster cluster) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            boolean wasMarked = cluster.pd().state().snapshotRecovering();
            while (System.nanoTime() < end && !stop.await(200, TimeUnit.MILLISECONDS)) {
                if (exitAfterRecovery && wasMarked && !cluster.pd().state().snapshotRecovering()) {
                    break;
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // exiting anyway
            }
        }
    }

    static List<StockReplica> fromDump(Path file) throws Exception {
        return fromDump(file, w -> { });
    }

    /**
     * Reads a dump as a recording ({@code phybr recover --record}), so a recording cut short by a crash
     * is served up to its last complete line; {@code warning} hears about a torn last line.
     */
    static List<StockReplica> fromDump(Path file, java.util.function.Consumer<String> warning) throws Exception {
        DumpRows t = new DumpRows();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            DumpReader.readRecording(in, t, warning);
        }
        List<StockReplica> out = new ArrayList<>();
        for (DumpRow r : t.rows()) {
            long peer = r.peerId() != 0 ? r.peerId() : r.regionId() * 1000 + r.store();
            out.add(new StockReplica(r.store(), LocalPeer.of(r.regionId()).peers(peer).lastLogTerm(r.term())
                    .lastIndex(r.index()).commitIndex(r.commitIndex()).version(r.version()).tombstone(r.tombstone())
                    .range(r.startKey(), r.endKey()).build(), r.index()));
        }
        return out;
    }

}
