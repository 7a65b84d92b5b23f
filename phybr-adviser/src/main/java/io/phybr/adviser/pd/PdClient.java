package io.phybr.adviser.pd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.phybr.contract.text.Printable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The PD HTTP calls the stock recovery needs (tikv/pd {@code server/api}, as BR's pdutil calls them).
 * Each call tries the PD endpoints in order until one answers; a non-2xx answer is a {@link PdException}
 * with its status. No retries here: {@link PdRetry} decides what to retry.
 */
public final class PdClient implements AutoCloseable {
    public static final String MARKER = "/pd/api/v1/admin/cluster/markers/snapshot-recovering";
    public static final String STORES = "/pd/api/v1/stores";
    public static final String CONFIG = "/pd/api/v1/config";
    public static final String SCHEDULERS = "/pd/api/v1/schedulers";
    public static final String BASE_ALLOC_ID = "/pd/api/v1/admin/base-alloc-id";
    /** {@code GET REGION_BY_ID + id}: the region as PD last heard of it from its leader's heartbeat. */
    public static final String REGION_BY_ID = "/pd/api/v1/region/id/";
    /** {@code GET REGION_BY_KEY + hex + "?format=hex"}: the region holding a key, as PD last heard of it. */
    public static final String REGION_BY_KEY = "/pd/api/v1/region/key/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> endpoints;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final boolean tlsOn;

    public PdClient(List<String> endpoints, SSLContext ssl, Duration requestTimeout) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no PD endpoint given");
        }
        List<URI> uris = new ArrayList<>();
        for (String e : endpoints) {
            String t = e.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.contains("://")) {
                t = (ssl == null ? "http://" : "https://") + t;
            }
            while (t.endsWith("/")) {
                t = t.substring(0, t.length() - 1);
            }
            URI u = URI.create(t);
            if (u.getHost() == null || u.getPort() < 0) {
                throw new IllegalArgumentException("PD endpoint '" + e + "' is not host:port");
            }
            uris.add(u);
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no PD endpoint given");
        }
        this.endpoints = List.copyOf(uris);
        this.requestTimeout = requestTimeout;
        this.tlsOn = ssl != null;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(requestTimeout)
                .version(HttpClient.Version.HTTP_1_1);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
    }

    /** {@code host:port[,host:port…]} as the TiDB tools take {@code --pd}. */
    public static List<String> parseEndpoints(String pd) {
        List<String> out = new ArrayList<>();
        for (String s : pd.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    public List<URI> endpoints() {
        return endpoints;
    }

    // ---- the calls -------------------------------------------------------------------------

    /** GET the snapshot-recovering marker: {@code {"marked":bool}}. */
    public boolean snapshotRecoveringMarked() throws PdException {
        return json("GET", MARKER, null).path("marked").asBoolean(false);
    }

    /** DELETE the marker: TiKVs started afterwards come up normally. */
    public void unmarkSnapshotRecovering() throws PdException {
        call("DELETE", MARKER, null);
    }

    /** Every store PD knows (TiFlash included; callers filter). */
    public List<PdStore> stores() throws PdException {
        JsonNode root = json("GET", STORES, null);
        List<PdStore> out = new ArrayList<>();
        for (JsonNode s : root.path("stores")) {
            JsonNode st = s.path("store");
            boolean tiflash = false;
            for (JsonNode l : st.path("labels")) {
                if ("engine".equals(l.path("key").asText()) && l.path("value").asText().toLowerCase(Locale.ROOT).startsWith("tiflash")) {
                    tiflash = true;
                }
            }
            long id = st.path("id").asLong(0);
            if (id == 0) {
                throw new PdException("PD listed a store without an id: " + st, 200, null);
            }
            String address = st.path("address").asText("");
            if (!Printable.escape(address).equals(address)) {
                throw new PdException("PD listed store " + id + " with an address that is not host:port: \""
                        + Printable.escape(address, 80) + "\"", 200, null);
            }
            out.add(new PdStore(id, address, tiflash, Printable.escape(st.path("state_name").asText("Up"), 40),
                    st.path("start_timestamp").asLong(0), Printable.escape(st.path("version").asText(""), 40)));
        }
        return out;
    }

    public List<String> schedulers() throws PdException {
        List<String> out = new ArrayList<>();
        for (JsonNode n : json("GET", SCHEDULERS, null)) {
            String name = n.asText();
            if (!name.matches("[A-Za-z0-9_.-]+")) { // it goes into a URL path and into the log
                throw new PdException("PD listed a scheduler whose name is not a scheduler name: \""
                        + Printable.escape(name, 80) + "\"", 200, null);
            }
            out.add(name);
        }
        return out;
    }

    /** {@code GET /pd/api/v1/config/schedule}: every persisted schedule item (TTL overrides never show here). */
    public Map<String, JsonNode> scheduleConfig() throws PdException {
        JsonNode n = json("GET", CONFIG + "/schedule", null);
        if (!n.isObject()) {
            throw new PdException("PD answered GET " + CONFIG + "/schedule with " + abbreviate(n.toString())
                    + ", not an object", 200, null);
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** {@code GET /pd/api/v1/schedulers?status=paused}. */
    public List<String> pausedSchedulers() throws PdException {
        List<String> out = new ArrayList<>();
        for (JsonNode n : json("GET", SCHEDULERS + "?status=paused", null)) {
            out.add(n.asText());
        }
        return out;
    }

    /** {@code POST /pd/api/v1/schedulers/{name}} {@code {"delay":N}}: paused for N s; 0 resumes (R12, as BR does). */
    public void pauseScheduler(String name, long delaySeconds) throws PdException {
        ObjectNode body = JSON.createObjectNode();
        body.put("delay", delaySeconds);
        call("POST", SCHEDULERS + "/" + name, body.toString());
    }

    /**
     * {@code POST /pd/api/v1/config?ttlSecond=N} with {@code schedule.}-prefixed items: they override the persisted
     * values for N s and then expire; N = 0 deletes them (R12, BR's pdutil).
     */
    public void setConfigTtl(Map<String, JsonNode> items, long ttlSeconds) throws PdException {
        ObjectNode body = JSON.createObjectNode();
        items.forEach((k, v) -> body.set("schedule." + k, v));
        call("POST", CONFIG + "?ttlSecond=" + ttlSeconds, body.toString());
    }

    /** A plain {@code POST /pd/api/v1/config} of {@code schedule.} items (400 over a live TTL, R12). */
    public void setScheduleItems(Map<String, JsonNode> items) throws PdException {
        ObjectNode body = JSON.createObjectNode();
        items.forEach((k, v) -> body.set("schedule." + k, v));
        call("POST", CONFIG, body.toString());
    }

    /** Raises PD's id allocator so new ids never reuse one a restored store holds. PD needs the marker (else 403). */
    public void setBaseAllocId(long id) throws PdException {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", Long.toUnsignedString(id));
        call("POST", BASE_ALLOC_ID, body.toString());
    }

    /**
     * The store of a region's leader as PD last heard it from a region heartbeat (TiKV leaders heartbeat on
     * becoming leader, also in recovery mode); empty when no leader has reported the region: PD answers 404
     * {@code ErrRegionNotFound} (server/api/region.go; older PDs answered 200 {@code null}). A PD that lacks the
     * route altogether is a {@link PdException}, so a caller never mistakes "cannot tell" for "no leader".
     */
    public java.util.OptionalLong regionLeaderStore(long regionId) throws PdException {
        JsonNode r;
        try {
            r = json("GET", REGION_BY_ID + Long.toUnsignedString(regionId), null);
        } catch (PdException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            if (e.status() == 404 && (m.contains("RegionNotFound") || m.contains("region " + Long.toUnsignedString(regionId) + " not found"))) {
                return java.util.OptionalLong.empty();
            }
            throw e;
        }
        long store = r == null ? 0 : r.path("leader").path("store_id").asLong(0);
        return store == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(store);
    }

    /**
     * The region whose range holds {@code key} as PD knows it ({@code GET /pd/api/v1/region/key/{hex}?format=hex},
     * server/api/region.go GetRegion); empty when PD knows none there (404). A region merged away is gone from PD once
     * the merge target's leader heartbeats its wider range (pkg/core/region.go drops the regions it overlaps).
     */
    public java.util.Optional<PdRegion> regionAtKey(byte[] key) throws PdException {
        JsonNode r;
        try {
            r = json("GET", REGION_BY_KEY + java.util.HexFormat.of().withUpperCase().formatHex(key) + "?format=hex", null);
        } catch (PdException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            if (e.status() == 404 && m.contains("RegionNotFound")) {
                return java.util.Optional.empty();
            }
            throw e;
        }
        if (r == null || !r.hasNonNull("id")) {
            return java.util.Optional.empty();
        }
        try {
            java.util.HexFormat hex = java.util.HexFormat.of();
            return java.util.Optional.of(new PdRegion(r.path("id").asLong(), hex.parseHex(r.path("start_key").asText("")),
                    hex.parseHex(r.path("end_key").asText("")), r.path("epoch").path("version").asLong(0),
                    r.path("leader").path("store_id").asLong(0)));
        } catch (IllegalArgumentException e) {
            throw new PdException("PD answered GET " + REGION_BY_KEY + " with keys that are not hex: " + abbreviate(r.toString()), 200, e);
        }
    }

    // ---- plumbing --------------------------------------------------------------------------

    private JsonNode json(String method, String path, String body) throws PdException {
        String text = call(method, path, body);
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new PdException("PD answered " + method + " " + path + " with something that is not JSON: "
                    + abbreviate(text), 200, e);
        }
    }

    /**
     * Sends to the first endpoint that answers; returns the body of a 2xx answer. Each try is bounded END TO END by
     * the request timeout — connect, headers and the whole body: {@code HttpRequest.timeout} alone stops at the
     * headers, so a PD that sends headers and then stalls its body would hang the caller (issue 14 item 3). The
     * exchange is cancelled when the time is up.
     */
    public String call(String method, String path, String body) throws PdException {
        IOException lastIo = null;
        URI lastUri = null;
        for (URI base : endpoints) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout);
            if (body != null) {
                rb.header("Content-Type", "application/json");
            }
            rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            HttpResponse<String> resp;
            CompletableFuture<HttpResponse<String>> f =
                    http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            try {
                resp = f.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                // A plaintext PD never answers a ClientHello (it waits for a request line): say so under TLS
                lastIo = new HttpTimeoutException("no complete answer within " + human(requestTimeout)
                        + " (--pd-timeout)" + (tlsOn ? "; if PD serves plaintext, drop --ca/--cert/--key" : ""));
                lastUri = base;
                continue;
            } catch (ExecutionException e) {
                java.util.Optional<String> tls = io.phybr.adviser.tls.TlsFailure.explain(e.getCause());
                if (tls.isPresent()) {
                    // the same files fail the same way on every try: say why at once, never retried
                    throw new PdException("the TLS handshake with PD " + base.getAuthority() + " failed: " + tls.get(),
                            PdException.TLS, e.getCause());
                }
                // HttpClient's own request timeout can fire just before ours; its exception may carry the closed
                // connection it cancelled, which must not read as a TLS hint (seen under load: "request timed out;
                // it closed the connection…" instead of naming --pd-timeout).
                if (!tlsOn && !(e.getCause() instanceof HttpTimeoutException)) {
                    java.util.Optional<String> hint = io.phybr.adviser.tls.TlsFailure.plaintextHint(e.getCause());
                    if (hint.isPresent()) {
                        lastIo = new IOException(describe(e.getCause() instanceof IOException io ? io
                                : new IOException(String.valueOf(e.getCause()))) + "; " + hint.get(), e.getCause());
                        lastUri = base;
                        continue;
                    }
                }
                lastIo = e.getCause() instanceof HttpTimeoutException
                        ? new HttpTimeoutException("no answer within " + human(requestTimeout) + " (--pd-timeout)"
                                + (tlsOn ? "; if PD serves plaintext, drop --ca/--cert/--key" : ""))
                        : e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
                lastUri = base;
                continue;
            } catch (InterruptedException e) {
                f.cancel(true);
                Thread.currentThread().interrupt();
                throw new PdException("interrupted while calling PD " + method + " " + path, 0, e);
            }
            int st = resp.statusCode();
            if (st == 400 && !tlsOn && resp.body() != null && resp.body().contains("HTTP request to an HTTPS server")) {
                // Go's net/http answer to plaintext on a TLS listener (PD with [security] set)
                throw new PdException("PD " + base.getAuthority() + " serves TLS (it answered " + method + " " + path
                        + " with HTTP 400: " + abbreviate(resp.body()) + "): if it serves TLS, give --ca/--cert/--key",
                        PdException.TLS, null);
            }
            if (st / 100 != 2) {
                throw new PdException("PD " + base.getAuthority() + " answered " + method + " " + path + " with HTTP "
                        + st + ": " + abbreviate(resp.body()), st, null);
            }
            return resp.body();
        }
        throw new PdException("no PD endpoint answered " + method + " " + path + " (tried " + endpoints.size()
                + ", last " + (lastUri == null ? "?" : lastUri.getAuthority()) + ": " + describe(lastIo) + ")", 0, lastIo);
    }

    private static String describe(IOException e) {
        if (e == null) {
            return "?";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** A PD answer as one line for a message: whitespace folded, control bytes escaped (never sent to the terminal). */
    private static String abbreviate(String s) {
        String t = s == null ? "" : s.strip().replaceAll("[ \\t\\r\\n]+", " ");
        return Printable.escape(t, 200);
    }

    @Override
    public void close() {
        // HttpClient has no close() before JDK 21; its threads are daemons and go with the client.
    }
}
