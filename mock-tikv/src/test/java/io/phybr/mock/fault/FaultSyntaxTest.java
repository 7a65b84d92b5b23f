package io.phybr.mock.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.phybr.mock.fault.Fault.Rpc;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The scenario keyword table reads and writes every fault variant, and nothing else. */
class FaultSyntaxTest {
    /** One sample of every variant (the test below fails when a variant is added without a sample here). */
    static final List<Fault> SAMPLES = List.of(
            new Fault.Absent(3),
            new Fault.Slow(2, Duration.ofMillis(150)),
            new Fault.Duplicate(2, 7),
            new Fault.ReversedRange(1, 1),
            new Fault.UnknownField(3, 1),
            new Fault.CrashMidStream(2, 2),
            new Fault.ResetStream(1, 1),
            new Fault.DisconnectBeforeClose(2),
            new Fault.NoClose(1),
            new Fault.RebootAfterApply(3),
            new Fault.FailNext(2, Rpc.READ_REGION_META, Status.Code.UNAVAILABLE, 2),
            new Fault.FailNext(1, Rpc.RECOVER_REGION, Status.Code.ABORTED, 1),
            new Fault.ResetAfter(3, Rpc.READ_REGION_META, 4, 1),
            new Fault.ErrorReply(3, Rpc.WAIT_APPLY, "raft-not-ready", 3),
            new Fault.RestartDuring(1, Rpc.RECOVER_REGION, -1, 1),
            new Fault.RestartDuring(2, Rpc.READ_REGION_META, 5, 2),
            new Fault.RestartAfterAnswer(1, Rpc.RECOVER_REGION, 1),
            new Fault.PdStatus("GET", "/pd/api/v1/stores", 2, 500),
            new Fault.PdStatus("*", "/pd/api/v1/schedulers", 1, 503),
            new Fault.PdStall("GET", "/pd/api/v1/stores", 1, false),
            new Fault.PdStall("POST", "/pd/api/v1/config", 2, true),
            new Fault.PdStatus("POST", "/pdpb.PD/Tso", 9, 404),
            new Fault.Busy(2, Rpc.PREPARE_FLASHBACK, 3),
            new Fault.RestartDuring(1, Rpc.FLASHBACK, -1, 1),
            new Fault.SplitBefore(1, Rpc.PREPARE_FLASHBACK, 2, "7480", 9, 1),
            new Fault.LeaderMoveBefore(3, Rpc.FLASHBACK, 1, 2, 2),
            new Fault.TikvVersion(2, "6.1.0"),
            new Fault.IsolatedUntilWaitApply(1),
            new Fault.EarlierRecoverRegion(3, 2),
            new Fault.RefusesVotesAfterStart(2, Duration.ofSeconds(30)),
            new Fault.ResolveBatch(3, 2),
            new Fault.Unmarked(),
            new Fault.RegisterLate(3, 2),
            new Fault.StaleLeader(7, 2),
            new Fault.RestartAtListing(2, 4),
            new Fault.OperatorPaused("balance-region-scheduler", Duration.ofHours(1)),
            new Fault.KilledRunLeftPaused(Duration.ofSeconds(240)));

    @Test
    void everyVariantRendersToALineThatParsesBackToIt() {
        for (Fault f : SAMPLES) {
            String line = FaultSyntax.render(f);
            assertThat(FaultSyntax.parse(line.split("\\s+"))).as(line).isEqualTo(f);
            assertThat(FaultSyntax.render(FaultSyntax.parse(line.split("\\s+")))).isEqualTo(line);
        }
    }

    @Test
    void theSamplesCoverEveryVariantOfTheSealedModel() {
        Set<String> variants = new TreeSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(Fault.class));
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c.isRecord()) {
                variants.add(c.getSimpleName());
            } else if (c.isSealed()) {
                todo.addAll(List.of(c.getPermittedSubclasses()));
            }
        }
        assertThat(SAMPLES.stream().map(f -> f.getClass().getSimpleName()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(variants);
    }

    @Test
    void readsTheDocumentedForms() {
        assertThat(parse("fault store 2 rpc wait-apply fail unavailable times 3"))
                .isEqualTo(new Fault.FailNext(2, Rpc.WAIT_APPLY, Status.Code.UNAVAILABLE, 3));
        assertThat(parse("fault store 1 rpc resolve-kv-data reset after 0"))
                .isEqualTo(new Fault.ResetAfter(1, Rpc.RESOLVE_KV_DATA, 0, 1));
        assertThat(parse("fault store 1 rpc recover-region restart"))
                .isEqualTo(new Fault.RestartDuring(1, Rpc.RECOVER_REGION, -1, 1));
        assertThat(parse("fault pd post /pd/api/v1/admin/base-alloc-id status 503"))
                .isEqualTo(new Fault.PdStatus("POST", "/pd/api/v1/admin/base-alloc-id", 1, 503));
        assertThat(parse("fault store 4 duplicate region r9")).isEqualTo(new Fault.Duplicate(4, 9));
        assertThat(parse("fault pd register store 3 after 2")).isEqualTo(new Fault.RegisterLate(3, 2));
        assertThat(parse("fault pd stale-leader region r7 store 2")).isEqualTo(new Fault.StaleLeader(7, 2));
        assertThat(parse("fault pd restart store 2 at-listing 4")).isEqualTo(new Fault.RestartAtListing(2, 4));
        assertThat(parse("fault pd unmarked")).isEqualTo(new Fault.Unmarked());
        assertThat(parse("fault pd paused scheduler balance-region-scheduler for 3600s"))
                .isEqualTo(new Fault.OperatorPaused("balance-region-scheduler", Duration.ofHours(1)));
        assertThat(parse("fault pd killed-run-left-paused for 240s"))
                .isEqualTo(new Fault.KilledRunLeftPaused(Duration.ofSeconds(240)));
        assertThat(parse("fault store 1 isolated-until-wait-apply")).isEqualTo(new Fault.IsolatedUntilWaitApply(1));
        assertThat(parse("fault store 2 refuse-votes for 30s"))
                .isEqualTo(new Fault.RefusesVotesAfterStart(2, Duration.ofSeconds(30)));
        assertThat(parse("fault store 3 earlier-recover-region region 2")).isEqualTo(new Fault.EarlierRecoverRegion(3, 2));
        assertThat(parse("fault store 1 resolve-batch 2")).isEqualTo(new Fault.ResolveBatch(1, 2));
        assertThat(FaultSyntax.store(new Fault.RegisterLate(3, 2))).isEqualTo(3);
        assertThat(FaultSyntax.store(new Fault.Unmarked())).isZero();
    }

    @Test
    void everyAgentFaultSaysWhatItMeansUnderProtocolB() {
        for (Fault f : SAMPLES) {
            if (f instanceof Fault.AgentFault a) {
                Fault.StockMeaning m = a.underStock();
                assertThat(m.fault() == null).as("%s: exactly one of a fault and a reason", f)
                        .isEqualTo(m.whyNone() != null);
                if (m.fault() != null) {
                    assertThat(m.fault().store()).isEqualTo(a.store());
                }
            }
        }
        assertThat(new Fault.RebootAfterApply(3).underStock().fault())
                .isEqualTo(new Fault.RestartAfterAnswer(3, Rpc.RECOVER_REGION, 1));
        assertThat(new Fault.NoClose(1).underStock().whyNone()).contains("close");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "fault store 1 explode | unknown fault 'explode' (known: absent, slow",
            "fault store 1 rpc wait-apply | expected 'fault store S rpc RPC EFFECT",
            "fault store 1 rpc wait-for-it fail UNAVAILABLE | unknown store call 'wait-for-it'",
            "fault store 1 rpc wait-apply explode | unknown effect 'explode'",
            "fault store 1 rpc wait-apply fail NOPE | unknown gRPC status 'NOPE'",
            "fault store 1 rpc wait-apply fail OK | other than OK",
            "fault store 1 rpc wait-apply fail UNAVAILABLE times 0 | at least 1",
            "fault store 1 rpc wait-apply fail UNAVAILABLE twice | unexpected 'twice'",
            "fault store 1 crash-mid-stream | after N' ('after' is missing)",
            "fault store 1 crash-mid-stream before 2 | 'before' where 'after' belongs",
            "fault store 1 slow soon | duration 'soon'",
            "fault pd GET stores status 500 | does not start with '/'",
            "fault pd PUT /pd/api/v1/config status 500 | unknown HTTP method 'PUT'",
            "fault pd GET /pd/api/v1/config status 900 | out of range",
            "fault region 1 absent | expected 'fault store S KIND",
            "fault pd register store 3 | after N' ('after' is missing)",
            "fault pd register store 3 after 0 | 'listings' must be at least 1",
            "fault pd register 3 after 2 | '3' where 'store' belongs",
            "fault pd restart store 2 after 4 | 'after' where 'at-listing' belongs",
            "fault pd stale-leader region 7 | store S' ('store' is missing)",
            "fault pd unmarked now | unexpected 'now'",
            "fault pd paused balance-region-scheduler for 60s | where 'scheduler' belongs",
            "fault pd paused scheduler balance-region-scheduler for 1500ms | a whole number of seconds",
            "fault pd paused scheduler balance-region-scheduler | ('for' is missing)",
            "fault pd GET | EVENT: unmarked, register, stale-leader, paused, killed-run-left-paused, restart"})
    void badLinesSayWhatIsWrong(String line, String message) {
        assertThatThrownBy(() -> parse(line.strip())).isInstanceOf(FaultSyntax.SyntaxError.class)
                .hasMessageContaining(message.strip());
    }

    private static Fault parse(String line) {
        return FaultSyntax.parse(line.split("\\s+"));
    }
}
