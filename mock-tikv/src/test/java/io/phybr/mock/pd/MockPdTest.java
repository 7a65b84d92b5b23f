package io.phybr.mock.pd;

import static org.assertj.core.api.Assertions.assertThat;

import io.phybr.mock.fault.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockPdTest {
    private MockPd pd;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        pd = new MockPd(List.of(MockPd.Store.tikv(1, "127.0.0.1:20160"), MockPd.Store.tiflash(9, "127.0.0.1:3930")), false);
    }

    @AfterEach
    void stop() {
        pd.close();
        assertThat(MockPd.live()).as("mock PDs left running").isZero();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + pd.address() + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listsStoresWithTheTiflashLabel() throws Exception {
        HttpResponse<String> r = call("GET", "/pd/api/v1/stores", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"count\":2").contains("\"id\":1").contains("\"address\":\"127.0.0.1:20160\"")
                .contains("{\"key\":\"engine\",\"value\":\"tiflash\"}").contains("\"state_name\":\"Up\"");
    }

    @Test
    void markerPostGetDelete() throws Exception {
        assertThat(call("GET", "/pd/api/v1/admin/cluster/markers/snapshot-recovering", null).body()).isEqualTo("{\"marked\":false}");
        assertThat(call("POST", "/pd/api/v1/admin/cluster/markers/snapshot-recovering", null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/pd/api/v1/admin/cluster/markers/snapshot-recovering", null).body()).isEqualTo("{\"marked\":true}");
        assertThat(call("DELETE", "/pd/api/v1/admin/cluster/markers/snapshot-recovering", null).statusCode()).isEqualTo(200);
        assertThat(pd.state().snapshotRecovering()).isFalse();
    }

    @Test
    void baseAllocIdNeedsTheMarkerAndADecimalString() throws Exception {
        assertThat(call("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"5000\"}").statusCode()).isEqualTo(403);
        pd.setMarked(true);
        assertThat(call("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":5000}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"x\"}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/pd/api/v1/admin/base-alloc-id", "{}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/pd/api/v1/admin/base-alloc-id", "{\"id\":\"5000\"}").statusCode()).isEqualTo(200);
        assertThat(pd.state().baseAllocId()).isEqualTo(5000);
    }

    @Test
    void configAndSchedulersRoundTrip() throws Exception {
        PdState before = pd.state();
        assertThat(call("GET", "/pd/api/v1/config", null).body()).contains("\"leader-schedule-limit\":4");
        assertThat(call("POST", "/pd/api/v1/config", "{\"leader-schedule-limit\":0}").statusCode()).isEqualTo(200);
        assertThat(call("POST", "/pd/api/v1/config", "{\"no-such-item\":0}").statusCode()).isEqualTo(400);
        assertThat(pd.state().scheduleConfig()).containsEntry("leader-schedule-limit", 0L);
        assertThat(call("DELETE", "/pd/api/v1/schedulers/balance-leader-scheduler", null).statusCode()).isEqualTo(200);
        assertThat(call("DELETE", "/pd/api/v1/schedulers/balance-leader-scheduler", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/pd/api/v1/schedulers", null).body()).doesNotContain("balance-leader-scheduler");
        assertThat(call("POST", "/pd/api/v1/schedulers", "{\"name\":\"balance-leader-scheduler\"}").statusCode()).isEqualTo(200);
        assertThat(call("POST", "/pd/api/v1/config", "{\"leader-schedule-limit\":4}").statusCode()).isEqualTo(200);
        assertThat(pd.state().scheduleConfig()).isEqualTo(before.scheduleConfig());
        assertThat(pd.state().schedulers()).containsExactlyInAnyOrderElementsOf(before.schedulers());
        assertThat(pd.calls()).hasSize(8);
        assertThat(pd.mutatingCalls()).extracting(PdCall::method).containsExactly("POST", "DELETE", "POST", "POST");
    }

    @Test
    void faultsAreDataAndRunOut() throws Exception {
        pd.inject(new Fault.PdStatus("GET", "/pd/api/v1/stores", 2, 500));
        assertThat(call("GET", "/pd/api/v1/stores", null).statusCode()).isEqualTo(500);
        assertThat(call("GET", "/pd/api/v1/config", null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/pd/api/v1/stores", null).statusCode()).isEqualTo(500);
        assertThat(call("GET", "/pd/api/v1/stores", null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/pd/api/v1/nothing", null).statusCode()).isEqualTo(404);
    }
}
