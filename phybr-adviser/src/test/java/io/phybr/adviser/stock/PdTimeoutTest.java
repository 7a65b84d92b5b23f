package io.phybr.adviser.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phybr.adviser.pd.PdClient;
import io.phybr.adviser.pd.PdException;
import io.phybr.mock.pd.MockPd;
import io.phybr.mock.pd.PdCall;
import io.phybr.mock.fault.Fault;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.phybr.mock.stock.MockStockCluster;
import io.phybr.mock.stock.MockStockStore;
import io.phybr.mock.stock.StockLayouts;

/**
 * Issue 14 item 3: every PD call is bounded end to end. A mock PD on a real loopback socket stalls before its
 * status line, or after its headers in the middle of the body; {@code --pd-timeout} must end both.
 */
class PdTimeoutTest {
    private MockPd pd;
    private PdClient client;
    /** The calls {@link #start} made before the test's own. */
    private int warmCalls;

    @BeforeEach
    void start() throws Exception {
        pd = MockPd.builder().stores(List.of(MockPd.Store.tikv(1, "127.0.0.1:1"))).marked(true).start();
        // The JVM's first PD call (HttpClient's start, the JSON reader) can take over a second on a loaded machine:
        // made here, with a bound that only catches a hang, it leaves the short timeout below to the stalls. With
        // 300 ms and no such call, a loaded machine (load 24) timed out before the request reached the mock PD, or
        // timed out the call that must work.
        try (PdClient warm = new PdClient(List.of(pd.address()), null, Duration.ofSeconds(30))) {
            assertThat(warm.stores()).hasSize(1);
        }
        warmCalls = pd.calls().size();
        client = new PdClient(List.of(pd.address()), null, Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() {
        client.close();
        pd.close();
        assertThat(MockStockCluster.liveServers()).as("mock stores and PDs left running").isZero();
    }

    @Test
    void aBodyThatStallsAfterTheHeadersTimesOut() {
        pd.inject(new Fault.PdStall("GET", PdClient.STORES, 1, true));
        long t0 = System.nanoTime();
        assertThatThrownBy(client::stores).isInstanceOf(PdException.class)
                .hasMessageContaining("no complete answer within 1 s (--pd-timeout)");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        List<PdCall> calls = pd.calls();
        assertThat(calls.subList(warmCalls, calls.size())).extracting(PdCall::status)
                .containsExactly(0); // the mock never finished the answer
    }

    @Test
    void aPdThatNeverAnswersTimesOutAndTheNextCallWorks() throws Exception {
        pd.inject(new Fault.PdStall("*", PdClient.MARKER, 1, false));
        assertThatThrownBy(client::snapshotRecoveringMarked).isInstanceOf(PdException.class)
                .hasMessageContaining("--pd-timeout");
        assertThat(client.snapshotRecoveringMarked()).isTrue();
        assertThat(client.stores()).hasSize(1);
    }
}
