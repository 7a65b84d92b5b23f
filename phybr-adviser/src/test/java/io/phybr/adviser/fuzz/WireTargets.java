package io.phybr.adviser.fuzz;

import io.phybr.adviser.flashback.Finish;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.pd.PdClient;
import io.phybr.contract.ExitCode;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.stock.InMemoryStoreBackend;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockCheck;
import io.phybr.mock.stock.StockLayouts;
import io.phybr.proto.kv.pd.PDGrpc;
import io.phybr.proto.recoverdata.RecoverDataGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What a peer answers {@code recover}, fuzzed on the wire (issue 14): a whole stock recovery runs against the mock
 * cluster on loopback, with one kind of answer replaced by a mutant on its way — PD's HTTP JSON (store list, schedule
 * config, schedulers, region API, marker) through a {@link RewritingHttpProxy}, PD's pdpb answers (GetMembers, Tso,
 * ScanRegions, GetRegion) and store 3's recoverdata answers (ReadRegionMeta, RecoverRegion, WaitApply, ResolveKvData)
 * through a {@link RewritingGrpcProxy}. The rogue is consistent: every answer of that kind gets the same mutant (a
 * stream's {@code k}-th message, {@code k} from the mutant's bytes), so retries meet it again.
 *
 * <p>The answer judged is the recovery's outcome: an allowed exit code and one paragraph (FuzzRun's judge), and, from
 * the cluster afterwards, the things a verdict alone does not show — a run that failed before RecoverRegion sent none
 * (no half-sent plan); a run that says PD is restored left PD as the operator had it; a run that says "recovered"
 * left every committed write at or below the resolved ts (a lying PD must not make the adviser lose data).
 * Each input costs a whole recovery (a few hundred ms), so CI feeds each target a few dozen; {@code phybr.fuzz.scale}
 * feeds more.
 */
final class WireTargets {
    private static final long RESOLVED_TS = 100;
    /** {@code -Dphybr.fuzz.verbose=true}: one line per wire input (time, exit code, verdict). */
    private static final boolean VERBOSE = Boolean.getBoolean("phybr.fuzz.verbose");
    private static final Set<Integer> RECOVER_REFUSALS = Set.of(ExitCode.REFUSED.code(), ExitCode.TIMEOUT.code(),
            ExitCode.FAILURE.code());

    private WireTargets() {
    }

    /** Where a mutant goes: a PD HTTP route, or a gRPC method on PD or on store 3. */
    private record Route(String name, Finish finish, Predicate<String> http, String grpcMethod, boolean onStore) {
        static Route http(String name, Finish finish, Predicate<String> path) {
            return new Route(name, finish, path, null, false);
        }

        static Route pd(String name, Finish finish, String method) {
            return new Route(name, finish, null, method, false);
        }

        static Route store(String name, Finish finish, String method) {
            return new Route(name, finish, null, method, true);
        }
    }

    private static final List<Route> ROUTES = List.of(
            Route.http("pd-http-stores", Finish.RESOLVE, p -> p.startsWith(PdClient.STORES)),
            Route.http("pd-http-config", Finish.RESOLVE, p -> p.startsWith(PdClient.CONFIG)),
            Route.http("pd-http-schedulers", Finish.RESOLVE, p -> p.startsWith(PdClient.SCHEDULERS)),
            Route.http("pd-http-marker", Finish.RESOLVE, p -> p.startsWith(PdClient.MARKER)),
            Route.pd("pdpb-get-members", Finish.FLASHBACK, PDGrpc.getGetMembersMethod().getFullMethodName()),
            Route.pd("pdpb-tso", Finish.FLASHBACK, PDGrpc.getTsoMethod().getFullMethodName()),
            Route.pd("pdpb-scan-regions", Finish.FLASHBACK, PDGrpc.getScanRegionsMethod().getFullMethodName()),
            Route.store("rd-read-region-meta", Finish.RESOLVE, RecoverDataGrpc.getReadRegionMetaMethod().getFullMethodName()),
            Route.store("rd-recover-region", Finish.RESOLVE, RecoverDataGrpc.getRecoverRegionMethod().getFullMethodName()),
            Route.store("rd-wait-apply", Finish.RESOLVE, RecoverDataGrpc.getWaitApplyMethod().getFullMethodName()),
            Route.store("rd-resolve-kv-data", Finish.RESOLVE, RecoverDataGrpc.getResolveKvDataMethod().getFullMethodName()));

    static List<FuzzTarget> all(int perTarget) {
        List<FuzzTarget> out = new ArrayList<>();
        for (Route r : ROUTES) {
            out.add(target(r, perTarget));
        }
        return out;
    }

    /** A route's honest answers in a clean run (the seeds), and how many answers its longest call had. */
    private record Clean(List<byte[]> seeds, int perCall) {
    }

    /** Per finish, every route's honest answers: one clean run each, shared by the routes. */
    private static final Map<Finish, Map<String, Clean>> CLEAN = new java.util.EnumMap<>(Finish.class);

    private static synchronized Clean clean(Route r) {
        Map<String, Clean> all = CLEAN.computeIfAbsent(r.finish(), f -> {
            Map<String, List<byte[]>> seen = new TreeMap<>();
            Map<String, Integer> perCall = new TreeMap<>();
            try {
                Run run = recover(f, (route, index, answer) -> {
                    synchronized (seen) {
                        perCall.merge(route, index + 1, Math::max);
                        List<byte[]> s = seen.computeIfAbsent(route, k -> new ArrayList<>());
                        if (s.size() < 8 && s.stream().noneMatch(x -> Arrays.equals(x, answer))) {
                            s.add(answer);
                        }
                    }
                    return null;
                });
                if (run.outcome.exitCode() != ExitCode.OK) {
                    throw new IllegalStateException("the clean run (" + f + ") failed: " + run.outcome.verdict());
                }
            } catch (Exception e) {
                throw new IllegalStateException("the clean run (" + f + ") broke", e);
            }
            Map<String, Clean> out = new TreeMap<>();
            seen.forEach((route, s) -> out.put(route, new Clean(List.copyOf(s), perCall.get(route))));
            return out;
        });
        Clean c = all.get(r.name());
        if (c == null) {
            throw new IllegalStateException("a clean run sends no " + r.name() + " answer: the target would test nothing");
        }
        return c;
    }

    private static FuzzTarget target(Route r, int count) {
        return new FuzzTarget() {
            @Override
            public String name() {
                return r.name();
            }

            @Override
            public List<byte[]> seeds() {
                return clean(r).seeds();
            }

            @Override
            public boolean replaySeeds() {
                return false; // a clean answer replayed is the clean run again: every input here is a mutant
            }

            @Override
            public boolean text() {
                return r.http() != null;
            }

            @Override
            public Set<Integer> refusals() {
                return RECOVER_REFUSALS;
            }

            @Override
            public int count() {
                return count;
            }

            @Override
            public Answer run(byte[] input, Path scratch) throws Exception {
                // which answer of a call is the rogue one: of a stream, any; of a unary call, its only one
                int k = Math.floorMod(Arrays.hashCode(input), clean(r).perCall());
                long t0 = System.nanoTime();
                Run run = recover(r.finish(), (route, index, answer) ->
                        route.equals(r.name()) && (index == k || r.http() != null) ? input : null);
                if (VERBOSE) {
                    System.out.printf(java.util.Locale.ROOT, "fuzz: %s %d ms exit %d in %s: %s%n", r.name(),
                            (System.nanoTime() - t0) / 1_000_000, run.outcome().exitCode().code(), run.outcome().phase(),
                            run.outcome().verdict());
                }
                return judge(run);
            }
        };
    }

    /** Replaces an answer of {@code route}, the {@code index}-th of its call; null keeps the honest one. */
    @FunctionalInterface
    private interface Swap {
        byte[] answer(String route, int index, byte[] honest);
    }

    private record Run(Outcome outcome, PdState before, PdState after, List<MockStockStore> stores,
                       List<String> unchecked) {
    }

    private static String httpRoute(String path) {
        for (Route r : ROUTES) {
            if (r.http() != null && r.http().test(path)) {
                return r.name();
            }
        }
        return null;
    }

    private static String grpcRoute(String method, boolean onStore) {
        for (Route r : ROUTES) {
            if (r.grpcMethod() != null && r.onStore() == onStore && r.grpcMethod().equals(method)) {
                return r.name();
            }
        }
        return null;
    }

    /** One whole recovery of a fresh 3-store cluster, every answer of a route through {@code swap}. */
    private static Run recover(Finish finish, Swap swap) throws Exception {
        try (MockStockCluster c = MockStockCluster.builder(MockStockCluster.backends(StockLayouts.healthy(3, 6, 4)))
                .tiflash(true).start()) {
            PdState before = c.pd().state();
            RogueCluster.Swap onStore3 = w -> {
                String route = switch (w.peer()) {
                    case RogueCluster.Wire.PD_HTTP -> httpRoute(w.what());
                    case RogueCluster.Wire.PD_GRPC -> grpcRoute(w.what(), false);
                    default -> w.peer().equals(RogueCluster.Wire.store(3)) ? grpcRoute(w.what(), true) : null;
                };
                return route == null ? null : swap.answer(route, w.index(), w.honest());
            };
            try (RogueCluster rogue = new RogueCluster(c, onStore3)) {
                Outcome out = rogue.recovery(finish, RESOLVED_TS).build().run();
                List<String> unchecked = out.exitCode() == ExitCode.OK
                        ? StockCheck.check(c.stores().stream().map(s -> (InMemoryStoreBackend) s.backend()).toList(), RESOLVED_TS)
                        : List.of();
                return new Run(out, before, c.pd().state(), c.stores(), unchecked);
            }
        }
    }

    /** The outcome as FuzzRun judges it, with what the cluster shows turned into findings (exit 1). */
    private static FuzzTarget.Answer judge(Run run) {
        Outcome o = run.outcome();
        String bad = null;
        boolean failedEarly = o.exitCode() != ExitCode.OK
                && List.of("prepare", "collect", "plan", "alloc-id").contains(o.phase());
        if (failedEarly) {
            for (MockStockStore s : run.stores()) {
                if (s.calls().contains("RecoverRegion")) {
                    bad = "a half-sent plan: the run failed in " + o.phase() + " but store " + s.storeId()
                            + " got RecoverRegion";
                }
            }
        }
        List<String> pdDiff = run.after().withoutAllocId().withMarker(false)
                .diff(run.before().withoutAllocId().withMarker(false));
        if (o.counts().pdRestored() && !pdDiff.isEmpty()) {
            bad = "PD reported restored but differs from the operator's: " + pdDiff;
        }
        if (!run.unchecked().isEmpty()) {
            bad = "recovered, but the checker finds: " + run.unchecked();
        }
        if (bad != null) {
            return new FuzzTarget.Answer(ExitCode.INTERNAL.code(), bad + " (verdict: " + o.verdict() + ")");
        }
        return o.exitCode() == ExitCode.OK ? FuzzTarget.Answer.ok() : new FuzzTarget.Answer(o.exitCode().code(), o.verdict());
    }

}
