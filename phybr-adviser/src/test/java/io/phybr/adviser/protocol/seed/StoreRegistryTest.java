package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Store admission as a table: each row is a registry (by count or by ids), a script of events, and
 * what each event must give. Events: {@code open N} (phybr-store-id N), {@code open -} (no header),
 * {@code report N} (its stream half-closed), {@code lose N} (its stream died), {@code plan} (the
 * plan is made from now on). An {@code open} answers the store id admitted or the refusal's name.
 */
class StoreRegistryTest {
    static Stream<Arguments> table() {
        return Stream.of(
                row("count: explicit ids in any order", "3", "open 7, open 2, open 9", "7, 2, 9"),
                row("count: one store too many", "2", "open 1, open 2, open 3, open -", "1, 2, TOO_MANY, NO_VACANCY"),
                row("count: anonymous numbered around explicit ids", "3", "open 2, open -, open -", "2, 1, 3"),
                row("count: a second stream of an open store", "2", "open 1, open 1", "1, ALREADY_OPEN"),
                row("count: a lost store may reopen", "2", "open 1, lose 1, open 1", "1, -, 1"),
                row("count: a lost anonymous agent leaves a vacancy", "2", "open -, open -, lose 1, open -",
                        "1, 2, -, 1"),
                row("count: a reported anonymous store is no vacancy", "2", "open -, report 1, open -, open -",
                        "1, -, 2, NO_VACANCY"),
                row("ids: only listed stores", "4,7", "open 4, open 5, open 7", "4, NOT_LISTED, 7"),
                row("ids: anonymous agents take the listed ids in order", "4,7", "open -, open -, open -",
                        "4, 7, NO_VACANCY"),
                row("after the plan: a known store reopens", "2", "open 1, report 1, open 2, report 2, plan, lose 1,"
                        + " open 1", "1, -, 2, -, -, -, 1"),
                row("after the plan: a store that never reported", "ids 1,2", "open 1, report 1, plan, open 2",
                        "1, -, -, NOT_IN_PLAN"),
                row("after the plan: no header", "1", "open 1, report 1, plan, lose 1, open -",
                        "1, -, -, -, ANONYMOUS_AFTER_PLAN"));
    }

    private static Arguments row(String name, String expect, String events, String answers) {
        return Arguments.of(name, expect, events, answers);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void admission(String name, String expect, String events, String answers) {
        String spec = expect.replace("ids ", "");
        StoreRegistry<String> r = spec.contains(",") || expect.startsWith("ids ")
                ? StoreRegistry.listed(Stream.of(spec.split(",")).mapToLong(Long::parseLong).toArray())
                : StoreRegistry.counted(Integer.parseInt(spec));
        boolean planMade = false;
        List<String> got = new ArrayList<>();
        for (String event : events.split(",\\s*")) {
            String[] e = event.trim().split(" ");
            switch (e[0]) {
                case "open" -> {
                    var a = r.admit(e[1].equals("-") ? -1 : Long.parseLong(e[1]), planMade);
                    if (a.admitted()) {
                        r.attach(a.store(), "stream of " + a.store().id, null);
                        got.add(Long.toString(a.store().id));
                    } else {
                        got.add(a.refusal().name());
                    }
                }
                case "report" -> {
                    var s = r.get(Long.parseLong(e[1]));
                    s.report = s.stream;
                    got.add("-");
                }
                case "lose" -> {
                    var s = r.get(Long.parseLong(e[1]));
                    s.stream = null;
                    if (!planMade) {
                        s.report = null;
                    }
                    got.add("-");
                }
                case "plan" -> {
                    planMade = true;
                    got.add("-");
                }
                default -> throw new IllegalArgumentException(event);
            }
        }
        assertThat(String.join(", ", got)).as(name).isEqualTo(answers);
    }

    static Stream<Arguments> missing() {
        return Stream.of(
                // expect, stores that connected, those that reported → missing reports (-1: never connected)
                Arguments.of("3", "1, 2", "1", List.of(2L, -1L)),
                Arguments.of("3", "", "", List.of(-1L, -1L, -1L)),
                Arguments.of("2", "5, 6", "5, 6", List.of()),
                Arguments.of("4,7,9", "7", "7", List.of(4L, 9L)),
                Arguments.of("4,7,9", "4, 9", "4", List.of(7L, 9L)));
    }

    @ParameterizedTest(name = "expect {0}, connected [{1}], reported [{2}]")
    @MethodSource("missing")
    void missingReports(String expect, String connected, String reported, List<Long> missing) {
        StoreRegistry<String> r = expect.contains(",")
                ? StoreRegistry.listed(Stream.of(expect.split(",")).mapToLong(Long::parseLong).toArray())
                : StoreRegistry.counted(Integer.parseInt(expect));
        for (String id : connected.split(",\\s*")) {
            if (!id.isBlank()) {
                var a = r.admit(Long.parseLong(id.trim()), false);
                r.attach(a.store(), "s" + id, null);
            }
        }
        for (String id : reported.split(",\\s*")) {
            if (!id.isBlank()) {
                var s = r.get(Long.parseLong(id.trim()));
                s.report = s.stream;
            }
        }
        assertThat(r.missing(StoreRegistry.Store::reported)).isEqualTo(missing);
        assertThat(r.allReported()).isEqualTo(missing.isEmpty());
    }

    @org.junit.jupiter.api.Test
    void aStoreIsFoundByTheConnectionItReportedFromOnlyWhenThatIsUnambiguous() {
        StoreRegistry<String> r = StoreRegistry.counted(3);
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 50001);
        InetSocketAddress b = new InetSocketAddress("127.0.0.1", 50002);
        r.attach(r.admit(1, false).store(), "one", a);
        r.attach(r.admit(2, false).store(), "two", b);
        r.attach(r.admit(3, false).store(), "three", b);
        assertThat(r.storeByRemote(a)).isEqualTo(1);
        assertThat(r.storeByRemote(b)).as("two stores on one connection").isEqualTo(-1);
        assertThat(r.storeByRemote(new InetSocketAddress("127.0.0.1", 50003))).isEqualTo(-1);
        assertThat(r.storeByRemote(null)).isEqualTo(-1);
    }
}
