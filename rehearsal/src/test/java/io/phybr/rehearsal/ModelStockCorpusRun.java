package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.adviser.dump.BackupMeta;
import io.phybr.adviser.pd.ExpectedStores;
import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.stock.RetryPolicy;
import io.phybr.adviser.stock.StockRecovery;
import io.phybr.adviser.stock.Timeouts;
import io.phybr.mock.check.Checker;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.FaultSyntax;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.BrBackupMeta;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.scenario.Expectation;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.ModelStoreBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;

/**
 * The scenario corpus under protocol B: each history's stores served as stock TiKV ({@link ModelStoreBackend}),
 * our stock recovery run against them through the mock PD, the model's checker judging the stores afterwards.
 * Faults run too: store and PD faults as written, agent faults as their protocol-B meaning
 * ({@link Fault.AgentFault#underStock()}); a scenario whose agent fault has no such meaning is skipped, saying why.
 * The outcome must be the scenario's {@link Scenario#stockExpectation()} finished by resolve, and its
 * {@link Scenario#flashbackExpectation()} with the default finish — flashback, since the mock PD lists TiKV 7.5.1
 * (resolve where a scenario makes a store older: {@code fault store N tikv-version V}). Every scenario runs under both.
 */
abstract class ModelStockCorpusRun {
    /** Phases that run the same way whatever the finish: a failure there is the same failure under both finishes. */
    private static final java.util.Set<String> BEFORE_THE_FINISH = java.util.Set.of("collect", "plan", "alloc-id",
            "recover");
    /**
     * Scenario → the phase its default-finish run stopped in, when that was before the finish. Invocations run in
     * order (default, then resolve), so the resolve run of such a scenario, which would repeat the same phases to the
     * same stop (a timeout there costs the whole bound again), is skipped saying why.
     */
    private static final java.util.Map<String, String> STOPPED_BEFORE_THE_FINISH =
            new java.util.concurrent.ConcurrentHashMap<>();

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    /**
     * Our stock recovery against {@code cluster} through the mock PD, clocks scaled for tests; {@code finish} null
     * chooses by the TiKV versions PD lists (flashback on the mock's 7.5.1).
     */
    static Outcome recover(MockStockCluster cluster, long resolvedTs, int stores, io.phybr.adviser.flashback.Finish finish) {
        // as `recover --expected-stores N` (the CLI requires it): PD may list stores late (R14)
        return recover(cluster, resolvedTs, new ExpectedStores(stores, java.util.Set.of(), java.util.Set.of(),
                "--expected-stores " + stores), finish);
    }

    static Outcome recover(MockStockCluster cluster, long resolvedTs, ExpectedStores expected,
                           io.phybr.adviser.flashback.Finish finish) {
        return StockRecovery.builder()
                .finish(finish)
                // no scenario stalls PD: the bound only catches a hang. At 5 s it measured speed: the flashback's
                // first gRPC call (GetMembers) in a test JVM opens its first channel, 3.5 s at load 22 and over 5 s
                // at load 34 (session 7's agent-crashes-mid-stream failure); 30 s is recover's default --pd-timeout
                .pd(new PdClient(List.of(cluster.pdAddress()), null, Duration.ofSeconds(30)))
                .resolvedTs(Math.max(1, resolvedTs))
                .expectedStores(expected)
                .storeWait(Duration.ofSeconds(5), Duration.ofMillis(50))
                // rounds of 4 s in a 10 s recover phase, as the IT's (ScenarioStockRun): a scenario where a round must
                // hang (R3, R4) still gets the next round within the bound (at the corpus pace a round is hundreds of
                // LeaderKeeper periods). A round that answers takes ~50 ms; at 2 s a loaded machine (load 20-34) once
                // took longer (r13-base-alloc-id-without-pd-leader, session 7) and the run failed as if it hung (R8)
                .roundTimeout(Duration.ofSeconds(4))
                // PD's start timestamps read every 200 ms, as the IT's --store-watch-interval 1s: at BR's 30 s a store
                // whose WaitApply was cut by its restart (unproven, R10) could never be seen restarting within the 5 s
                // wait-apply bound, and the run ended in exit 4 whenever PD re-registered it after the first look
                .watchInterval(Duration.ofMillis(200))
                // 8 attempts as recover's default (and the IT's), backoff from 50 ms to 1 s: a scenario that restarts
                // a store mid-call (crash-mid-stream → R7) needs the store back within the retries, and at 3 attempts
                // of 50-200 ms (~0.35 s) a restart at load 40 took longer (agent-crashes-mid-stream, resolve: "store 2
                // unreachable after 3 attempts", session 9); now ~3.6 s of backoff
                .retry(new RetryPolicy(8, Duration.ofMillis(50), Duration.ofSeconds(1)))
                .timeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(5),
                        Duration.ofSeconds(5)))
                .build().run();
    }

    /**
     * Every other scenario of the corpus ({@code half} 0 or 1, by sorted position) under both finishes: the default
     * (flashback on the mock's TiKV 7.5.1) and resolve. Two classes take one half each so that surefire's two test
     * JVMs share the corpus (most of its time is waiting on scaled hang bounds); a scenario's two finishes stay in
     * one class, in order, for {@link #STOPPED_BEFORE_THE_FINISH}.
     */
    static Stream<org.junit.jupiter.params.provider.Arguments> scenarios(int half) throws IOException {
        try (Stream<Path> s = Files.list(Corpus.DIR)) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".scn")).sorted().toList();
            return java.util.stream.IntStream.range(0, all.size()).filter(i -> i % 2 == half).mapToObj(all::get)
                    .flatMap(p -> Stream.of(org.junit.jupiter.params.provider.Arguments.of(p, "default"),
                            org.junit.jupiter.params.provider.Arguments.of(p, "resolve")));
        }
    }

    void recoversUnderProtocolB(Path file, String finish) throws Exception {
        Scenario s = ScenarioParser.parse(file);
        for (Fault f : s.faults()) {
            if (f instanceof Fault.AgentFault a && a.underStock().fault() == null) {
                org.junit.jupiter.api.Assumptions.abort("'" + FaultSyntax.render(f) + "' has no protocol-B meaning: "
                        + a.underStock().whyNone());
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(s.knownStockIssue() == null,
                () -> "known protocol-B issue: " + s.knownStockIssue());
        org.junit.jupiter.api.Assumptions.assumeTrue(finish.equals("resolve") || s.knownFlashbackIssue() == null,
                () -> "known issue of the flashback finish: " + s.knownFlashbackIssue());
        String stopped = STOPPED_BEFORE_THE_FINISH.get(s.name());
        org.junit.jupiter.api.Assumptions.assumeFalse(finish.equals("resolve") && stopped != null
                        && s.stockExpectation().equals(s.flashbackExpectation()),
                () -> "the default-finish run stopped in phase " + stopped + ", before any finish, as both expect");
        Backup backup = s.run();
        Map<Long, StoreImage> images = backup.freshImages();
        cluster = MockStockCluster.forScenario(s, backup, images).start();
        int storeCount = images.size();
        io.phybr.mock.pd.PdState before = cluster.pd().state();

        long resolvedTs = Math.max(1, backup.resolvedTs());
        // as `recover --expected-stores N` (the CLI requires it): PD may list stores late (R14)
        ExpectedStores expected = new ExpectedStores(storeCount, java.util.Set.of(), java.util.Set.of(),
                "--expected-stores " + storeCount);
        if (s.brBackupMeta()) {
            // as `recover --backup-meta FILE` (R15): BR's EBS meta written by the mock, read by the adviser's reader
            BackupMeta.Info meta = BackupMeta.read(new java.io.ByteArrayInputStream(
                    BrBackupMeta.json(backup).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            resolvedTs = meta.resolvedTs();
            expected = new ExpectedStores(meta.tikvStores().getAsInt(), java.util.Set.copyOf(meta.storeIds()),
                    java.util.Set.of(), "backup meta");
        }
        Outcome out = recover(cluster, resolvedTs, expected,
                finish.equals("resolve") ? io.phybr.adviser.flashback.Finish.RESOLVE : null);

        Expectation exp = finish.equals("resolve") ? s.stockExpectation() : s.flashbackExpectation();
        if (!finish.equals("resolve") && out.exitCode().code() != 0 && BEFORE_THE_FINISH.contains(out.phase())) {
            STOPPED_BEFORE_THE_FINISH.put(s.name(), out.phase());
        }
        assertThat(out.exitCode().code()).as("%s: %s", s.name(), out.verdict()).isEqualTo(exp.outcome().exitCode);
        assertThat(out.verdict().toLowerCase(java.util.Locale.ROOT)).as(s.name())
                .contains(exp.diagnosis().toLowerCase(java.util.Locale.ROOT));
        boolean older = s.faults().stream().anyMatch(f -> f instanceof Fault.TikvVersion);
        if (exp.outcome() == Expectation.Outcome.RECOVERED) {
            assertThat(out.verdict()).as(s.name()).contains(finish.equals("resolve") || older ? "keys newer than ts"
                    : "finished by flashback");
            assertThat(ModelStoreBackend.check(backup, images, cluster.stores())).as(s.name()).isEmpty();
            // issue 14: where SPEC §4 pins the plan (BR's ranks), the scenario's 'expect stock plan' lines say so
            assertThat(io.phybr.mock.check.PlanFactCheck.stock(s, cluster)).as("%s: the plan facts", s.name()).isEmpty();
            // R11: the keys reported deleted per store are the sum of that store's ResolveKvData messages
            // (per message, not a running total; `fault store S resolve-batch N` makes several per store)
            cluster.stores().forEach(st -> {
                Outcome.Deleted d = out.counts().deleted().get(st.storeId());
                assertThat(d == null ? 0 : d.locks() + d.writes()).as("%s: keys deleted on store %d", s.name(),
                        st.storeId()).isEqualTo(st.keysResolved());
            });
            // PD ends as the operator had it (R12): settings, pauses, limits; only the marker is gone
            // (a killed run's TTL items, R12, are not the operator's: they are gone; its paused schedulers stay, as
            // PD cannot tell them from an operator's pause and the verdict names them)
            io.phybr.mock.pd.PdState operators = before.withoutAllocId().withMarker(false);
            assertThat(cluster.pd().state().withoutAllocId()).as(s.name()).isEqualTo(
                    s.faults().stream().anyMatch(f -> f instanceof Fault.KilledRunLeftPaused) ? operators.withoutTtl() : operators);
        } else {
            // A failed recovery never deletes outside Raft; one that failed before the plan was sent (collect,
            // plan, alloc id) sent nothing to any store.
            cluster.stores().forEach(st -> assertThat(st.calls()).as(s.name()).doesNotContain("ResolveKvData"));
            if (List.of("prepare", "collect", "plan", "alloc-id").contains(out.phase())) {
                cluster.stores().forEach(st -> assertThat(st.calls()).as(s.name()).doesNotContain("RecoverRegion"));
            }
        }
    }
}
