package io.phybr.adviser.dump;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The backup metadata the adviser needs (SPEC R15), in either form:
 * <ul>
 *   <li>BR's EBS volume-snapshot meta (tidb {@code br/pkg/config/ebs.go} {@code VolSnapBackupMeta}):
 *       {@code cluster_info.resolved_ts} and the TiKV layout {@code tikv.replicas} / {@code tikv.stores[]}
 *       ({@code store_id}, {@code volumes}) — the layout gives the TiKV stores a recovery must wait for;</li>
 *   <li>the flat form {@code {"resolved_ts": N}} (no layout: the store count must come from {@code --expected-stores}).</li>
 * </ul>
 * A TSO is an unsigned 64-bit number, given as a number or a decimal string; other fields are ignored.
 */
public final class BackupMeta {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private BackupMeta() {
    }

    /**
     * What the meta says.
     *
     * @param tikvStores the TiKV store count from the layout, if the meta has one
     * @param storeIds   the TiKV store ids from {@code tikv.stores[].store_id}, if listed (else empty)
     */
    public record Info(long resolvedTs, OptionalInt tikvStores, List<Long> storeIds) {
        public Info {
            storeIds = List.copyOf(storeIds);
        }
    }

    /** The file is readable but is not a backup meta with a valid resolved_ts; the message says why. */
    public static final class Invalid extends IOException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** Reads {@code resolved_ts} from the file (either form). */
    public static long readResolvedTs(Path file) throws IOException {
        return read(file).resolvedTs();
    }

    /**
     * Reads the file.
     *
     * @throws Invalid     when the file is not a backup meta in either form; the message names the field
     * @throws IOException when the file cannot be read
     */
    public static Info read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /** {@link #read(Path)} of bytes already open (the caller names their source in its message). */
    public static Info read(InputStream in) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonParseException e) {
            throw new Invalid("not valid JSON (" + io.phybr.contract.text.Printable.jsonProblem(e.getOriginalMessage()) + ")");
        } catch (JsonProcessingException e) {
            throw new Invalid("not valid JSON (" + io.phybr.contract.text.Printable.jsonProblem(e.getOriginalMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("expected a JSON object: BR's EBS backup meta ({\"cluster_info\": {\"resolved_ts\": …},"
                    + " \"tikv\": {\"stores\": […]}}) or {\"resolved_ts\": 434172134850871297}");
        }
        JsonNode info = root.get("cluster_info");
        if (info != null && !info.isObject()) {
            throw new Invalid("\"cluster_info\" must be an object");
        }
        JsonNode nested = info == null ? null : info.get("resolved_ts");
        JsonNode flat = root.get("resolved_ts");
        if (nested == null && flat == null) {
            throw new Invalid("there is no \"resolved_ts\" field (BR's meta has it in \"cluster_info\")");
        }
        Long a = nested == null ? null : parseTs("cluster_info.resolved_ts", nested);
        Long b = flat == null ? null : parseTs("resolved_ts", flat);
        if (a != null && b != null && !a.equals(b)) {
            throw new Invalid("\"cluster_info.resolved_ts\" " + Long.toUnsignedString(a) + " and \"resolved_ts\" "
                    + Long.toUnsignedString(b) + " differ");
        }
        long ts = a != null ? a : b;
        OptionalInt count = OptionalInt.empty();
        List<Long> ids = new ArrayList<>();
        JsonNode tikv = root.get("tikv");
        if (tikv != null && tikv.isObject()) { // anything else is not BR's layout: no store count from this file
            count = layout(tikv, ids);
        }
        return new Info(ts, count, ids);
    }

    private static OptionalInt layout(JsonNode tikv, List<Long> ids) throws Invalid {
        JsonNode stores = tikv.get("stores");
        JsonNode replicas = tikv.get("replicas");
        if (stores != null && !stores.isNull()) {
            if (!stores.isArray() || stores.isEmpty()) {
                throw new Invalid("\"tikv.stores\" must be a non-empty array (BR: \"tikv info is empty\")");
            }
            TreeSet<Long> seen = new TreeSet<>();
            for (int i = 0; i < stores.size(); i++) {
                JsonNode id = stores.get(i).get("store_id");
                if (id == null || !id.canConvertToExactIntegral() || id.asLong() <= 0) {
                    throw new Invalid("\"tikv.stores[" + i + "].store_id\" must be a positive store id, not " + id);
                }
                if (!seen.add(id.asLong())) {
                    throw new Invalid("\"tikv.stores\" lists store " + id.asLong() + " twice");
                }
                ids.add(id.asLong());
            }
            if (replicas != null && !replicas.isNull() && replicas.asInt(-1) != ids.size()) {
                throw new Invalid("\"tikv.replicas\" is " + replicas + " but \"tikv.stores\" lists " + ids.size()
                        + " stores " + seen);
            }
            return OptionalInt.of(ids.size());
        }
        if (replicas != null && !replicas.isNull()) {
            if (!replicas.canConvertToExactIntegral() || replicas.asInt() <= 0) {
                throw new Invalid("\"tikv.replicas\" must be a positive store count, not " + replicas);
            }
            return OptionalInt.of(replicas.asInt());
        }
        return OptionalInt.empty();
    }

    private static long parseTs(String field, JsonNode value) throws Invalid {
        String text;
        if (value.isIntegralNumber()) {
            text = value.asText();
        } else if (value.isTextual()) {
            text = value.asText().trim();
        } else {
            throw new Invalid("\"" + field + "\" must be a number");
        }
        try {
            long ts = Long.parseUnsignedLong(text);
            if (ts == 0) {
                throw new NumberFormatException();
            }
            return ts;
        } catch (NumberFormatException e) {
            throw new Invalid("\"" + field + "\" " + text + " is not a TSO (a positive unsigned 64-bit number)");
        }
    }
}
