package io.phybr.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.mock.fault.Fault;
import io.phybr.mock.history.Step;
import io.phybr.mock.scenario.PlanFact;
import io.phybr.mock.scenario.Scenario;
import io.phybr.mock.scenario.ScenarioException;
import io.phybr.mock.scenario.ScenarioParser;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

class ScenarioParserTest {

    /** Found by FuzzTest: a line's bytes were echoed raw, so an escape sequence in a .scn reached the terminal. */
    @Test
    void aBadLineIsEchoedWithItsControlBytesEscaped() {
        assertThatThrownBy(() -> ScenarioParser.parse("x", "stores 3\nwrite\u001b[2J 10\r\n"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("'write\\u001b[2J 10'")
                .hasMessageNotContaining("\u001b").hasMessageNotContaining("\r");
    }

    /**
     * A line's keyword is read in any capitalisation (the switch lower-cases it); the add/remove choice once compared
     * the raw word, so {@code ADD-PEER} parsed as a remove-peer. Fails on that code: the first step was a RemovePeer.
     */
    @Test
    void aKeywordInCapitalsMeansWhatItSaysInLowerCase() {
        String lower = "stores 1 2 3 4\nregion 1 - - on 1 2 3\nadd-peer r1 store 4\nremove-peer r1 store 3\n"
                + "expect recovered\n";
        Scenario upper = ScenarioParser.parse("caps", lower.replace("add-peer", "ADD-PEER")
                .replace("remove-peer", "Remove-Peer").replace("region 1", "REGION 1"));
        assertThat(upper.steps()).hasSize(3);
        assertThat(upper.steps().get(0)).isInstanceOf(Step.Region.class);
        assertThat(upper.steps().subList(1, 3)).containsExactly(new Step.AddPeer(1, 4), new Step.RemovePeer(1, 3));
        assertThat(upper.render()).isEqualTo(ScenarioParser.parse("caps", lower).render());
        assertThatThrownBy(() -> ScenarioParser.parse("caps", "stores 1 2 3\nregion 1 - - on 1 2 3\nADD-PEERS r1 store 3\n"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("ADD-PEERS r1 store 3")
                .hasMessageContaining("unknown step 'ADD-PEERS'");
    }

    @Test
    void parsesEveryKindOfLine() {
        Scenario s = ScenarioParser.parse("all", """
                # description line
                stores 1 2 3 4
                region 1 - 80 on 1 2 3 version 4   # trailing comment
                region 2 80 - on 2 3 4
                write 10
                write r2 x3
                split r1 at 40 new r3
                merge r3 into r1
                leader r2 store 3
                lag store 4 region 2
                campaign store 4 region 2
                add-peer r1 store 4
                remove-peer r1 store 3
                lag store 2 region 1 apply
                resume store 2 region 1
                resolved
                snapshot store 2
                lose store 2 region 2
                fault store 1 crash-mid-stream after 2
                fault store 2 slow 20ms
                fault store 3 unknown-field region 2
                option collect-timeout 1500ms
                expect timeout store 4
                """);
        assertThat(s.stores()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(s.steps()).hasSize(16);
        assertThat(s.faults()).containsExactly(new Fault.CrashMidStream(1, 2),
                new Fault.Slow(2, Duration.ofMillis(20)), new Fault.UnknownField(3, 2));
        assertThat(s.collectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.expectation().diagnosis()).isEqualTo("store 4");
        assertThat(ScenarioParser.parse("all", s.render()).render()).isEqualTo(s.render());
        s.run(); // a possible history
    }

    /** The options and the PD event of issue 11's R5, R12 and R15 scenarios, and model-only, read and written back. */
    @Test
    void readsAndWritesBackTheClockBackupMetaAndModelOnlyLines() {
        Scenario s = ScenarioParser.parse("opts", """
                stores 3
                fault pd paused scheduler balance-region-scheduler for 3600s
                option tikv-speedup 100
                option backup-meta br
                model-only the library covers it
                expect recovered
                """);
        assertThat(s.tikvSpeedup()).isEqualTo(100.0);
        assertThat(s.brBackupMeta()).isTrue();
        assertThat(s.modelOnly()).isEqualTo("the library covers it");
        assertThat(s.faults()).containsExactly(new Fault.OperatorPaused("balance-region-scheduler",
                Duration.ofHours(1)));
        Scenario again = ScenarioParser.parse("opts", s.render());
        assertThat(again.render()).isEqualTo(s.render());
        assertThat(List.of(again.tikvSpeedup(), again.brBackupMeta(), again.modelOnly()))
                .isEqualTo(List.of(100.0, true, "the library covers it"));
        Scenario plain = ScenarioParser.parse("plain", "stores 3\nexpect recovered\n");
        assertThat(plain.tikvSpeedup()).isNull();
        assertThat(plain.brBackupMeta()).isFalse();
        assertThat(plain.modelOnly()).isNull();
        assertThat(plain.render()).doesNotContain("option").doesNotContain("model-only");
    }

    /** Issue 14: exact plan properties (SPEC §4) per protocol, read and written back in file order. */
    @Test
    void readsAndWritesBackPlanFacts() {
        Scenario s = ScenarioParser.parse("facts", """
                stores 3
                expect recovered
                expect plan leader r1 store 2
                expect stock plan tombstone r5 stores 3 1
                expect plan tombstone r7 stores none
                expect stock plan leader r1 store 3   # BR's ranks may pick another store than the seed policy
                """);
        assertThat(s.planFacts(false)).containsExactly(
                new PlanFact(false, PlanFact.Kind.LEADER, 1, List.of(2L)),
                new PlanFact(false, PlanFact.Kind.TOMBSTONE, 7, List.of()));
        assertThat(s.planFacts(true)).containsExactly(
                new PlanFact(true, PlanFact.Kind.TOMBSTONE, 5, List.of(1L, 3L)),
                new PlanFact(true, PlanFact.Kind.LEADER, 1, List.of(3L)));
        assertThat(s.expectation()).isEqualTo(io.phybr.mock.scenario.Expectation.RECOVERED);
        assertThat(s.render()).contains("expect plan leader r1 store 2\n", "expect stock plan tombstone r5 stores 1 3\n",
                "expect plan tombstone r7 stores none\n", "expect stock plan leader r1 store 3\n");
        Scenario again = ScenarioParser.parse("facts", s.render());
        assertThat(again.render()).isEqualTo(s.render());
        assertThat(again.planFacts(true)).isEqualTo(s.planFacts(true));
        assertThat(again.planFacts(false)).isEqualTo(s.planFacts(false));
        assertThat(ScenarioParser.parse("plain", "stores 3\nexpect recovered\n").planFacts(false)).isEmpty();
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badInputs() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nfrobnicate\nexpect recovered",
                        "line 2 'frobnicate': unknown step 'frobnicate'"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nsplit r1 at xyz new r2\nexpect recovered",
                        "line 2"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nfault store 9 absent\nexpect recovered",
                        "store 9"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nfault store 1 explode\nexpect recovered",
                        "unknown fault 'explode'"),
                org.junit.jupiter.params.provider.Arguments.of("region 1 - - on 1\nexpect recovered",
                        "never says how many stores"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nwrite 10", "no expected outcome"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nexpect recovered now", "takes no diagnosis"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\noption collect-timeout soon\nexpect recovered",
                        "not like 500ms"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\noption tikv-speedup 0.5\nexpect recovered",
                        "out of range 1..1000000"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\noption tikv-speedup fast\nexpect recovered",
                        "'fast' is not a number"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\noption backup-meta flat\nexpect recovered",
                        "expected 'option backup-meta br'"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nmodel-only\nexpect recovered",
                        "expected 'model-only TEXT'"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nexpect recovered\nexpect plan leader r1 store",
                        "expected 'expect [stock] plan leader rR store S'"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nexpect recovered\nexpect plan leader r1 stores 1 2",
                        "expected 'expect [stock] plan leader rR store S'"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nexpect recovered\nexpect plan elected r1 store 1",
                        "expected 'expect [stock] plan leader"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nexpect recovered\nexpect plan tombstone r1 stores 2 2",
                        "store 2 is named twice"),
                org.junit.jupiter.params.provider.Arguments.of("stores 3\nexpect recovered\nexpect plan tombstone rx stores 2",
                        "region id 'x' is not a number"),
                org.junit.jupiter.params.provider.Arguments.of(
                        "stores 3\nexpect recovered\nexpect plan leader r1 store 1\nexpect plan leader r1 store 2",
                        "a 'leader' fact for region 1 appears twice"));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("badInputs")
    void badInputIsOneParagraphNamingTheLine(String text, String message) {
        assertThatThrownBy(() -> ScenarioParser.parse("bad", text))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("scenario bad")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
