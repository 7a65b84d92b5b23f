package io.phybr.mock.cli;

import io.phybr.contract.dump.DumpWriter;
import io.phybr.contract.dump.SeedReport;
import io.phybr.contract.dump.StockReport;
import io.phybr.mock.gen.LayoutGenerator;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.Peer;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.Scenario;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Writes what every store of a mock cluster reports, as the region dump of SPEC §6 (JSON"
                + " Lines, one replica per line) for 'phybr plan'.",
                "With --scenario or --seed alone the cluster comes from a replayed history; with --seed and"
                        + " --regions the fast layout generator draws millions of regions directly."})
final class DumpCommand implements Callable<Integer> {
    @Option(names = "--scenario", paramLabel = "FILE", description = "Scenario file to replay.")
    Path scenario;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random history or layout.")
    Long seed;

    @Option(names = "--regions", paramLabel = "K",
            description = "With --seed: generate K regions directly (capacity tests; millions are fine).")
    Long regions;

    @Option(names = "--stores", paramLabel = "N", description = "Stores (default 3 for the layout generator).")
    Integer stores;

    @Option(names = "--replicas", paramLabel = "R", defaultValue = "3", description = "Replicas per region (default 3).")
    int replicas;

    @Option(names = "--stale-fraction", paramLabel = "F", defaultValue = "0.05",
            description = "Share of regions with a stale overlapping replica (default ${DEFAULT-VALUE}).")
    double staleFraction;

    @Option(names = "--protocol", paramLabel = "seed|stock", defaultValue = "seed",
            description = "Protocol-A fields (applied_index, term) or stock TiKV's (peer_id, last_log_term, ...).")
    String protocol;

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "-", description = "Output file, '-' for stdout.")
    String output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean stock = switch (protocol) {
            case "seed" -> false;
            case "stock" -> true;
            default -> throw new IllegalArgumentException("--protocol must be 'seed' or 'stock', not '" + protocol + "'");
        };
        if ((scenario == null) == (seed == null)) {
            throw new IllegalArgumentException("give exactly one of --scenario FILE or --seed N");
        }
        if (regions != null && seed == null) {
            throw new IllegalArgumentException("--regions goes with --seed");
        }
        OutputStream raw = output.equals("-")
                ? new FilterOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws java.io.IOException {
                        out.write(b, off, len); // whole buffers, not FilterOutputStream's byte loop
                    }

                    @Override
                    public void close() throws java.io.IOException {
                        flush(); // never close stdout
                    }
                }
                : Files.newOutputStream(Path.of(output));
        long t0 = System.nanoTime();
        long lines;
        try (DumpWriter w = new DumpWriter(new BufferedOutputStream(raw, 1 << 16))) {
            if (regions != null) {
                LayoutGenerator gen = new LayoutGenerator(seed, regions, stores == null ? 3 : stores, replicas,
                        staleFraction);
                LayoutGenerator.Stats st = stock
                        ? gen.generate((StockReport r) -> w.writeStock(r))
                        : gen.generate((SeedReport r) -> w.writeSeed(r));
                if (!output.equals("-")) {
                    spec.commandLine().getErr().printf("mock-tikv: %d regions, %d replicas (%d stale, %d tombstones)"
                            + " in %.1fs%n", st.regions(), st.replicas(), st.staleReplicas(), st.tombstones(),
                            (System.nanoTime() - t0) / 1e9);
                }
            } else {
                ClusterSource src = new ClusterSource();
                src.scenario = scenario;
                src.seed = seed;
                if (stores != null) {
                    src.stores = stores;
                }
                Scenario sc = src.load(false);
                write(sc.run(), w, stock);
            }
            lines = w.lines();
        }
        if (!output.equals("-")) {
            spec.commandLine().getErr().println("mock-tikv: wrote " + lines + " replicas to " + output);
        }
        return MockTikvMain.PASS;
    }

    static void write(Backup b, DumpWriter w, boolean stock) throws java.io.IOException {
        for (StoreImage img : b.images().values()) {
            for (Peer p : img.allPeers()) {
                if (!stock) {
                    w.writeSeed(new SeedReport().store(img.id).region(p.regionId()).appliedIndex(p.appliedIndex())
                            .term(p.hardStateTerm()).version(p.version()).tombstone(p.tombstone())
                            .keys(p.start(), p.end()));
                } else if (p.live()) {
                    // what TiKV reports (SPEC R1, R2): hard-state term as last_log_term, commit_index 0
                    w.writeStock(new StockReport().store(img.id).region(p.regionId()).peerId(p.largestPeerId())
                            .lastLogTerm(p.hardStateTerm()).lastIndex(p.lastIndex()).commitIndex(0)
                            .version(p.version()).tombstone(false).keys(p.start(), p.end()));
                }
            }
        }
    }
}
