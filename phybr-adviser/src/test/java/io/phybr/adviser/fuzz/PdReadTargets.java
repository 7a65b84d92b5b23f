package io.phybr.adviser.fuzz;

import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.flashback.GrpcPdRoutes;
import io.phybr.adviser.flashback.PdRoutes;
import io.phybr.adviser.flashback.RegionRoute;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.contract.ExitCode;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.StockLayouts;
import io.phybr.proto.kv.pd.PDGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * PD's answers about regions, fuzzed as the adviser reads them (issue 14): the HTTP region API
 * ({@code GET /pd/api/v1/region/id/N}, which {@code recover} reads when a RecoverRegion round times out, and
 * {@code /region/key/K}, which it reads to tell a region merged away, R4) and pdpb
 * GetRegion and ScanRegions (the flashback's routes; GetRegion only after a region error). A clean run never asks the
 * first two, so {@link WireTargets}' whole recoveries never meet them: here the reader itself ({@link PdClient},
 * {@link GrpcPdRoutes}) asks the mock PD — which knows every region and its leader from heartbeats, after a clean
 * recovery — through a rewriting proxy that answers the mutant. One call per input, so each target gets thousands.
 *
 * <p>Answer: the reader returns (exit 0), or fails with the exception its callers turn into a paragraph
 * ({@link PdException}, {@link PdRoutes.PdUnavailable}: exit 5). Anything else out of it is an internal error. A
 * region it returns must be usable by the flashback's walk: {@code describe} and {@code contains} must not throw.
 */
final class PdReadTargets {
    private PdReadTargets() {
    }

    static List<FuzzTarget> all(int httpCount, int grpcCount) {
        return List.of(new Target("pd-http-region-by-id", httpCount), new Target("pd-http-region-by-key", httpCount),
                new Target("pdpb-get-region", grpcCount), new Target("pdpb-scan-regions-read", grpcCount));
    }

    /**
     * The shared mock cluster after its clean recovery, its PD behind this target's own HTTP and gRPC rogues that
     * answer {@code mutant} when set (else honestly), and the adviser's two readers dialling them.
     */
    private static final class Stage implements AutoCloseable {
        final MockStockCluster cluster;
        final RewritingHttpProxy http;
        final RewritingGrpcProxy grpc;
        final PdClient pd;
        final GrpcPdRoutes routes;
        /** The raw start keys the stores report (what recover asks PD's region-by-key route about). */
        final List<byte[]> rawStarts = new ArrayList<>();
        volatile byte[] mutant;

        Stage() throws Exception {
            cluster = Shared.acquire();
            try {
                http = new RewritingHttpProxy(cluster.pdAddress(), (method, path, status, body) -> mutant);
                grpc = new RewritingGrpcProxy(cluster.pdAddress(), (method, index, body) -> {
                    byte[] m = mutant;
                    return m == null ? body : m;
                });
            } catch (Exception e) {
                Shared.release();
                throw e;
            }
            Shared.LAYOUT.forEach(r -> rawStarts.add(r.peer().startKey()));
            Duration call = Duration.ofSeconds(2);
            pd = new PdClient(List.of(http.address()), null, call);
            routes = new GrpcPdRoutes(List.of(grpc.address()), a -> RogueCluster.plaintext(grpc.address()), call);
        }

        /** Region ids and start keys PD knows (the honest answers the seeds are made of). */
        List<RegionRoute> known() throws PdRoutes.PdUnavailable {
            return routes.scan(new byte[0], 64);
        }

        @Override
        public void close() throws Exception {
            routes.close();
            http.close();
            grpc.close();
            Shared.release();
        }
    }

    /**
     * The one mock cluster every target's stage reads, recovered once (a clean recovery costs seconds on a loaded
     * machine; the reads never change it); closed when the last target closes its stage.
     */
    private static final class Shared {
        static final List<io.phybr.mock.stock.StockReplica> LAYOUT = StockLayouts.healthy(3, 6, 4);
        private static MockStockCluster cluster;
        private static int users;

        static synchronized MockStockCluster acquire() throws Exception {
            if (cluster == null) {
                MockStockCluster c = MockStockCluster.builder(MockStockCluster.backends(LAYOUT)).start();
                try {
                    Outcome o = RogueCluster.direct(c, Finish.RESOLVE, 100).build().run();
                    if (o.exitCode() != ExitCode.OK) {
                        throw new IllegalStateException("the clean recovery failed: " + o.verdict());
                    }
                } catch (Exception | Error e) {
                    c.close();
                    throw e;
                }
                cluster = c;
            }
            users++;
            return cluster;
        }

        static synchronized void release() {
            if (--users == 0) {
                cluster.close();
                cluster = null;
            }
        }
    }

    private static final class Target implements FuzzTarget {
        private final String name;
        private final int count;
        private Stage stage;
        private List<byte[]> seeds;
        private List<RegionRoute> known;

        Target(String name, int count) {
            this.name = name;
            this.count = count;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public synchronized List<byte[]> seeds() {
            if (seeds == null) {
                try {
                    stage = new Stage();
                    known = stage.known();
                    seeds = honestAnswers();
                } catch (Exception e) {
                    try {
                        close();
                    } catch (Exception ignored) {
                        // the harness is broken either way: the cause below says why
                    }
                    throw new IllegalStateException("the honest answers of " + name + " could not be read", e);
                }
                if (seeds.isEmpty()) {
                    throw new IllegalStateException("PD answered no " + name + ": the target would test nothing");
                }
            }
            return seeds;
        }

        /** What PD honestly answers each read, captured by a rogue that keeps every answer and records it. */
        private List<byte[]> honestAnswers() throws Exception {
            List<byte[]> out = new ArrayList<>();
            List<byte[]> seen = new ArrayList<>();
            try (RewritingHttpProxy h = new RewritingHttpProxy(stage.cluster.pdAddress(), (m, p, s, body) -> {
                seen.add(body);
                return null;
            }); RewritingGrpcProxy g = new RewritingGrpcProxy(stage.cluster.pdAddress(), (m, i, body) -> {
                if (m.equals(method())) {
                    seen.add(body);
                }
                return body;
            })) {
                PdClient pd = new PdClient(List.of(h.address()), null, Duration.ofSeconds(2));
                try (GrpcPdRoutes r = new GrpcPdRoutes(List.of(g.address()), a -> RogueCluster.plaintext(g.address()),
                        Duration.ofSeconds(2))) {
                    for (RegionRoute k : known) {
                        read(pd, r, k);
                    }
                }
            }
            for (byte[] b : seen) {
                if (out.stream().noneMatch(x -> Arrays.equals(x, b))) {
                    out.add(b);
                }
            }
            return out;
        }

        private String method() {
            return name.equals("pdpb-get-region") ? PDGrpc.getGetRegionMethod().getFullMethodName()
                    : PDGrpc.getScanRegionsMethod().getFullMethodName();
        }

        /** One read of what PD knows of {@code k}, as the adviser makes it. */
        private void read(PdClient pd, PdRoutes r, RegionRoute k) throws Exception {
            switch (name) {
                case "pd-http-region-by-id" -> pd.regionLeaderStore(k.regionId());
                case "pd-http-region-by-key" -> {
                    // what RecoverRounds.mergedInto does with the answer: does the region cover the replica's range
                    byte[] start = stage.rawStarts.get(Math.floorMod(Long.hashCode(k.regionId()), stage.rawStarts.size()));
                    pd.regionAtKey(start).ifPresent(x -> x.covers(start, new byte[0]));
                }
                case "pdpb-get-region" -> r.region(k.start()).ifPresent(x -> use(x, k.start()));
                default -> r.scan(k.start(), 8).forEach(x -> use(x, k.start()));
            }
        }

        private static void use(RegionRoute x, byte[] key) {
            x.describe();
            x.contains(key);
        }

        @Override
        public boolean replaySeeds() {
            return false; // an honest answer is a clean read: every input here is a mutant
        }

        @Override
        public boolean text() {
            return name.startsWith("pd-http");
        }

        @Override
        public Set<Integer> refusals() {
            return Set.of(ExitCode.FAILURE.code());
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public Answer run(byte[] input, Path scratch) throws Exception {
            RegionRoute k = known.get(Math.floorMod(Arrays.hashCode(input), known.size()));
            stage.mutant = input;
            try {
                read(stage.pd, stage.routes, k);
                return Answer.ok();
            } catch (PdException | PdRoutes.PdUnavailable e) {
                return new Answer(ExitCode.FAILURE.code(), e.getMessage());
            } finally {
                stage.mutant = null;
            }
        }

        @Override
        public synchronized void close() throws Exception {
            if (stage != null) {
                stage.close();
                stage = null;
            }
        }
    }
}
