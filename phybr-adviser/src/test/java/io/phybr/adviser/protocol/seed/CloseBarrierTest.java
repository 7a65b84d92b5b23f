package io.phybr.adviser.protocol.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which store a close is attributed to, and that the barrier counts stores, not calls. */
class CloseBarrierTest {
    private static final InetSocketAddress ONE = new InetSocketAddress("127.0.0.1", 40001);
    private static final InetSocketAddress TWO = new InetSocketAddress("127.0.0.1", 40002);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("127.0.0.1", 40009);

    /** Stores 1..3 expected; 1 reported from ONE, 2 is still reporting from TWO, 3 never connected. */
    private static StoreRegistry<String> registry() {
        StoreRegistry<String> r = StoreRegistry.listed(1, 2, 3);
        var one = r.admit(1, false).store();
        r.attach(one, "one", ONE);
        one.report = one.stream;
        r.attach(r.admit(2, false).store(), "two", TWO);
        return r;
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // header (-1: none), from, workdone → store, or why refused
                Arguments.of(1L, STRANGER, true, "1"),
                Arguments.of(-1L, ONE, true, "1"),
                Arguments.of(-1L, STRANGER, true, "UNKNOWN_CALLER"),
                Arguments.of(-1L, null, true, "UNKNOWN_CALLER"),
                Arguments.of(-1L, STRANGER, false, "UNKNOWN_CALLER"),
                Arguments.of(2L, TWO, true, "NOT_REPORTED"),
                Arguments.of(-1L, TWO, true, "NOT_REPORTED"),
                Arguments.of(3L, STRANGER, true, "NOT_REPORTED"),
                Arguments.of(9L, ONE, true, "NOT_A_MEMBER"),
                // A failure report needs only a member: a store may fail before it reported.
                Arguments.of(2L, TWO, false, "2"),
                Arguments.of(3L, STRANGER, false, "3"),
                Arguments.of(-1L, TWO, false, "2"));
    }

    @ParameterizedTest(name = "header {0} from {1} workdone={2} → {3}")
    @MethodSource("table")
    void attribution(long header, InetSocketAddress from, boolean workdone, String expected) {
        CloseBarrier.Attribution a = CloseBarrier.attribute(header, from, workdone, registry());
        assertThat(a.attributed() ? Long.toString(a.store()) : a.why().name()).isEqualTo(expected);
    }

    @Test
    void theBarrierCountsStoresNotCalls() {
        StoreRegistry<String> r = StoreRegistry.counted(2);
        for (long id : new long[] {1, 2}) {
            var s = r.admit(id, false).store();
            r.attach(s, "s" + id, null);
            s.report = s.stream;
        }
        CloseBarrier<String> barrier = new CloseBarrier<>();
        assertThat(barrier.offer(1, null, true, r, "first").attributed()).isTrue();
        assertThat(barrier.offer(1, null, true, r, "retry").attributed()).isTrue();
        assertThat(barrier.offer(-1, STRANGER, true, r, "anonymous").attributed()).isFalse();
        assertThat(barrier.complete(r)).as("two calls from store 1 and an unattributed one").isFalse();
        assertThat(barrier.missing(r)).containsExactly(2L);
        assertThat(barrier.refused()).isEqualTo(1);
        assertThat(barrier.offer(2, null, true, r, "second").attributed()).isTrue();
        assertThat(barrier.complete(r)).isTrue();
        assertThat(barrier.release()).extracting(CloseBarrier.Held::reply).containsExactly("first", "retry", "second");
        assertThat(barrier.release()).isEmpty();
    }

    @Test
    void aFailureReportIsHeldButDoesNotCountAsClosed() {
        StoreRegistry<String> r = registry();
        CloseBarrier<String> barrier = new CloseBarrier<>();
        assertThat(barrier.offer(2, TWO, false, r, "failed").attributed()).isTrue();
        assertThat(barrier.closedStores()).isEmpty();
        assertThat(barrier.release()).hasSize(1);
    }
}
