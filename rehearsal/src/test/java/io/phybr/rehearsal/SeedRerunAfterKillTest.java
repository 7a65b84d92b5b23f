package io.phybr.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.phybr.adviser.outcome.Outcome;
import io.phybr.adviser.protocol.seed.SeedAdviser;
import io.phybr.mock.MockCluster;
import io.phybr.mock.check.AdviserResult;
import io.phybr.mock.check.Verdict;
import io.phybr.mock.fault.Fault;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioParser;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, protocol A: a {@code serve} killed after some stores applied its plan, then run again. A seed report
 * carries no silence flag, so the rerun cannot see which replicas the first run silenced; what it sees instead is
 * every replica it silenced raised to the region's highest term — a tie with the first run's leader.
 *
 * <p>Here store 2 campaigned in vain (its term is one above the others' at equal applied index), so run 1 makes it
 * leader and sends it nothing (SPEC §4 rule 5: its term already is the target) while stores 1 and 3 get
 * {@code silence=true} at store 2's term. Run 1 is killed while waiting at the close barrier. Run 2 sees three
 * replicas at one (applied, term): the seed tie-break picks store 1, which under rule 5 gets no command — it stays
 * silenced — and silences store 2: the region is left with no leader at all. The fix under test
 * ({@code Rule.LEADER_UNSILENCED}) sends every leader its {@code term}/{@code silence=false} command.
 */
class SeedRerunAfterKillTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final String LAYOUT = """
            # run 1 leads region 1 from store 2 (highest term at equal applied index) and silences stores 1 and 3
            stores 3
            region 1 - - on 1 2 3
            write 10
            write 20
            lag store 2 region 1          # store 2 hears no leader from here on
            campaign store 2 region 1     # so it campaigns in vain: its hard-state term goes up without an entry (R2)
            option collect-timeout 20s
            option close-timeout 20s
            expect recovered
            """;

    private MockCluster cluster;
    private SeedAdviser first;
    private SeedAdviser second;

    @AfterEach
    void tearDown() {
        for (SeedAdviser a : new SeedAdviser[] {first, second}) {
            if (a != null) {
                a.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        assertThat(MockCluster.openChannels()).as("agent channels left open").isZero();
    }

    private String target;

    /** A fresh in-process adviser for the scenario's three stores; {@link #target} is where agents find it. */
    private SeedAdviser start(Scenario s) throws Exception {
        String name = "seed-rerun-" + NAMES.incrementAndGet();
        target = "inproc:" + name;
        return SeedAdviser.builder().storeIds(1, 2, 3).inProcess(name).collectTimeout(s.collectTimeout())
                .closeTimeout(s.closeTimeout()).build().start();
    }

    @Test
    void aRerunAfterAServeKilledAtTheCloseBarrierLeavesEveryRegionOneLeader() throws Exception {
        Scenario s = ScenarioParser.parse("seed-rerun-after-kill", LAYOUT);
        cluster = MockCluster.fromScenario(s);

        // Run 1: store 2 (the leader) applies its (empty) part and exits without close; stores 1 and 3 apply
        // silence=true and wait at the close barrier. The adviser is then killed.
        first = start(s);
        cluster.startAgents(target, s.withFaults(List.of(new Fault.NoClose(2))));
        await().atMost(Duration.ofSeconds(20)).until(() -> first.closedStores().length == 2);
        assertThat(first.closedStores()).containsExactly(1, 3);
        first.close();
        assertThat(cluster.awaitCompletion(Duration.ofSeconds(20))).as("run 1's agents end").isTrue();
        assertThat(cluster.receivedCommands(1)).as("store 1 was silenced by run 1")
                .anyMatch(c -> c.getRegionId() == 1 && c.getSilence());

        // Run 2: the same stores, holding what run 1 made them, report afresh.
        second = start(s);
        cluster.restartAgents(target, s);
        Outcome out = second.awaitOutcome(Duration.ofSeconds(30)).orElseThrow();
        assertThat(cluster.awaitCompletion(Duration.ofSeconds(20))).isTrue();
        Verdict v = cluster.verdict(new AdviserResult(out.exitCode().code(), out.diagnosis().orElse(out.verdict())));
        assertThat(out.exitCode().code()).as(out.verdict()).isZero();
        assertThat(v.pass()).as(v.toString()).isTrue();
    }
}
