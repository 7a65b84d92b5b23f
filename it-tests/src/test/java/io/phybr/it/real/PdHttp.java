package io.phybr.it.real;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few PD HTTP API calls the scenario makes; every call bounded. */
final class PdHttp {
    static final String MARKER = "/pd/api/v1/admin/cluster/markers/snapshot-recovering";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CALL).build();
    private final String base;

    PdHttp(String base) {
        this.base = base;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(CALL).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("PD GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    int post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(CALL)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    boolean marked() throws IOException, InterruptedException {
        return get(MARKER).path("marked").asBoolean();
    }

    /** Every store Up and every region with a leader: the cluster serves. */
    boolean storesUpAndRegionsLed(int stores) {
        try {
            long up = 0;
            for (JsonNode s : get("/pd/api/v1/stores").path("stores")) {
                up += "Up".equals(s.path("store").path("state_name").asText()) ? 1 : 0;
            }
            JsonNode regions = get("/pd/api/v1/regions");
            boolean led = regions.path("count").asInt() > 0;
            for (JsonNode r : regions.path("regions")) {
                led &= r.path("leader").path("store_id").asLong() != 0;
            }
            return up == stores && led;
        } catch (IOException e) {
            return false; // PD not answering yet: poll again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
