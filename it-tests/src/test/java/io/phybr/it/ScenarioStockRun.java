package io.phybr.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.fault.Fault;
import io.phybr.mock.fault.FaultSyntax;
import io.phybr.mock.model.Backup;
import io.phybr.mock.model.StoreImage;
import io.phybr.mock.pd.PdState;
import io.phybr.mock.scenario.Expectation;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.ModelStoreBackend;
import io.phybr.mock.stock.StoreBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario of the corpus under protocol B: the history's stores served as stock TiKV (with the scenario's
 * store and PD faults, and its agent faults' protocol-B meaning), {@code java -jar phybr-adviser.jar recover} as a
 * process, the model's checker and PD's end state asserted. A scenario whose agent fault has no protocol-B meaning is
 * skipped, saying why. The corpus runs in two halves ({@link ScenarioStockIT}, {@link ScenarioStockSecondHalfIT}) so
 * that failsafe's two forks share its time: each scenario costs a JVM start plus, for the hang scenarios, a timeout.
 */
abstract class ScenarioStockRun {
    @TempDir
    Path tmp;

    private MockStockCluster cluster;

    @AfterEach
    void tearDown() {
        MockStockCluster.closeAndCheckNoLeaks(cluster);
    }

    /**
     * Each scenario once through the jar, the finish alternating (flashback scenarios always by the default, which is
     * flashback on the mock's TiKV 7.5.1): both finishes of every scenario run in-process in ModelStockCorpusRun,
     * and a process per scenario and finish would double this IT's time.
     */
    static Stream<org.junit.jupiter.params.provider.Arguments> scenarios(int half) throws IOException {
        Path dir = Path.of(System.getProperty("phybr.scenarios.dir", "../mock-tikv/scenarios"));
        try (Stream<Path> s = Files.list(dir)) {
            // a model-only scenario (about the mock or the adviser's library) stays out: the jar per scenario is CI's
            // costliest step, and leaving it out of the list keeps every other scenario's half and finish
            List<Path> all = s.filter(p -> p.toString().endsWith(".scn")).sorted()
                    .filter(p -> ScenarioParser.parse(p).modelOnly() == null).toList();
            List<org.junit.jupiter.params.provider.Arguments> out = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                boolean byDefault = all.get(i).getFileName().toString().startsWith("flashback-") || i % 2 == 0;
                if (ScenarioParser.parse(all.get(i)).faults().stream().anyMatch(f -> f instanceof Fault.ResolveBatch)) {
                    byDefault = false; // the scenario is about ResolveKvData's messages: only the resolve finish has them
                }
                if (ScenarioParser.parse(all.get(i)).knownFlashbackIssue() != null) {
                    byDefault = false; // its flashback run would be skipped: the jar runs the finish it expects
                }
                if (i / 2 % 2 == half) { // pairs alternate between the halves: each half gets both finishes
                    out.add(org.junit.jupiter.params.provider.Arguments.of(all.get(i), byDefault ? "default" : "resolve"));
                }
            }
            return out.stream();
        }
    }

    void recoverUnderProtocolB(Path file, String finish) throws Exception {
        Scenario s = ScenarioParser.parse(file);
        for (Fault f : s.faults()) {
            if (f instanceof Fault.AgentFault a && a.underStock().fault() == null) {
                Assumptions.abort("'" + FaultSyntax.render(f) + "' has no protocol-B meaning: " + a.underStock().whyNone());
            }
        }
        Assumptions.assumeTrue(s.knownStockIssue() == null, () -> "known protocol-B issue: " + s.knownStockIssue());
        Assumptions.assumeTrue(finish.equals("resolve") || s.knownFlashbackIssue() == null,
                () -> "known issue of the flashback finish: " + s.knownFlashbackIssue());
        Backup backup = s.run();
        Map<Long, StoreImage> images = backup.freshImages();
        List<StoreBackend> backends = new ArrayList<>();
        images.keySet().forEach(id -> backends.add(new ModelStoreBackend(id, images, backup)));
        cluster = MockStockCluster.builder(backends).tiflash(true).faults(s.faults()).start();
        PdState before = cluster.pd().state();

        // R15 (issue 12 item 2): the resolved ts and the TiKV stores to wait for come from BR's EBS backup meta, as in
        // a real volume-snapshot restore; the flags' path (--resolved-ts, --expected-stores) runs in-process in
        // ModelStockCorpusRun and through the jar in StockRecoverIT.
        Path meta = tmp.resolve("backupmeta.json");
        Files.writeString(meta, ebsBackupMeta(Math.max(1, backup.resolvedTs()), images.keySet()));
        Path summary = tmp.resolve("summary.json");
        int code;
        try (RecoverProcess p = RecoverProcess.start(tmp, finishArgs(finish, "recover", "--pd", cluster.pdAddress(),
                "--backup-meta", meta.toString(), "--summary-json", summary.toString(), "--retry-backoff", "50ms",
                // the corpus is small: a wait that cannot be proven (R10) is named within the IT's bound
                "--collect-timeout", "20s", "--recover-timeout", "20s", "--wait-apply-timeout", "10s",
                // rounds of 4 s: a round that must hang (R3, R4: a merge source destroyed mid-call) gets its next round
                // within the recover bound; at the mock's pace (1000x) a round is 400 LeaderKeeper periods
                "--recover-round-timeout", "4s",
                "--resolve-timeout", "20s", "--flashback-timeout", "20s",
                // a restarted store (R9) is seen within a second instead of BR's 30 s
                "--store-watch-interval", "1s"))) {
            code = p.await(Duration.ofSeconds(90));
            Expectation exp = finish.equals("resolve") ? s.stockExpectation() : s.flashbackExpectation();
            assertThat(code).as("%s: %s", s.name(), p.err()).isEqualTo(exp.outcome().exitCode);
            if (!exp.diagnosis().isEmpty()) {
                assertThat(p.err().toLowerCase()).contains(exp.diagnosis().toLowerCase());
            }
        }
        if (code == 0) {
            assertThat(ModelStoreBackend.check(backup, images, cluster.stores())).as(s.name()).isEmpty();
            PdState operators = before.withoutAllocId().withMarker(false); // a killed run's TTL items are not (R12)
            assertThat(cluster.pd().state().withoutAllocId()).isEqualTo(
                    s.faults().stream().anyMatch(f -> f instanceof Fault.KilledRunLeftPaused) ? operators.withoutTtl() : operators);
            // issue 14: where SPEC §4 pins the plan (BR's ranks), the scenario's 'expect stock plan' lines say so
            assertThat(io.phybr.mock.check.PlanFactCheck.stock(s, cluster)).as("%s: the plan facts", s.name()).isEmpty();
            // R11 (issue 12 item 10): the keys reported deleted per store are the sum of its ResolveKvData messages
            var perStore = new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary.toFile()).path("deleted_per_store");
            for (MockStockStore st : cluster.stores()) {
                var d = perStore.path(Long.toString(st.storeId()));
                assertThat(d.path("locks").asLong() + d.path("writes").asLong())
                        .as("%s: keys deleted on store %d", s.name(), st.storeId()).isEqualTo(st.keysResolved());
            }
        } else {
            // A failed recovery never deletes outside Raft and puts PD back as it was; only one that failed after
            // sending the plan (e.g. an unproven WaitApply, R10) may have raised PD's alloc id on the way.
            cluster.stores().forEach(st -> assertThat(st.calls()).as(s.name()).doesNotContain("ResolveKvData"));
            boolean planSent = cluster.stores().stream().anyMatch(st -> st.calls().contains("RecoverRegion"));
            if (planSent) {
                assertThat(cluster.pd().state().withoutAllocId()).as(s.name()).isEqualTo(before.withoutAllocId());
            } else {
                assertThat(cluster.pd().state()).as(s.name()).isEqualTo(before);
            }
        }
    }

    /**
     * BR's EBS volume-snapshot backup meta (tidb {@code br/pkg/config/ebs.go}: {@code cluster_info.resolved_ts}, the
     * TiKV layout {@code tikv.replicas}/{@code tikv.stores[].store_id}/{@code volumes}) for the scenario's stores.
     */
    static String ebsBackupMeta(long resolvedTs, java.util.Collection<Long> tikvStores) {
        StringBuilder stores = new StringBuilder();
        for (long id : new java.util.TreeSet<>(tikvStores)) {
            stores.append(stores.length() == 0 ? "" : ",").append("{\"store_id\":").append(id)
                    .append(",\"volumes\":[{\"volume_id\":\"vol-").append(id).append("\",\"type\":\"storage.data-dir\"}]}");
        }
        return "{\"cluster_info\":{\"cluster_version\":\"v7.5.1\",\"full_backup_type\":\"aws-ebs\",\"resolved_ts\":"
                + Long.toUnsignedString(resolvedTs) + ",\"replicas\":{\"pd\":1,\"tikv\":" + tikvStores.size()
                + "}},\"tikv\":{\"replicas\":" + tikvStores.size() + ",\"stores\":[" + stores + "]},"
                + "\"pd\":{\"replicas\":1},\"tidb\":{\"replicas\":1},\"region\":\"us-west-2\"}";
    }

    /** The command line with {@code --finish resolve} added when asked; the default finish otherwise. */
    private static String[] finishArgs(String finish, String... args) {
        List<String> out = new ArrayList<>(List.of(args));
        if (finish.equals("resolve")) {
            out.addAll(1, List.of("--finish", "resolve"));
        }
        return out.toArray(String[]::new);
    }
}
